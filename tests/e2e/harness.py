"""The end-to-end harness: a Meltano project of this repository, run with ``meltano run``.

Every test gets its own project folder (its own system database, so its own state) whose
``meltano.yml`` is the repository's, with ``pip_url: -e .`` pointing at this checkout. The
plugins are installed once per test session into a shared folder, and each project links to
those virtual environments, so a test pays for ``meltano run`` only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
MELTANO = Path(sys.executable).parent / "meltano"
JOB = "salesforce-to-akountify"
PLUGIN_FOLDERS = ("extractors", "loaders")

#: Plugins from PyPI that only the test project declares (scenario 8: reuse).
PYPI_PLUGINS: dict[str, list[dict[str, Any]]] = {
    "extractors": [
        {
            "name": "tap-jsonl",
            "namespace": "tap_jsonl",
            "pip_url": "tap-jsonl==0.3.1",
            "executable": "tap-jsonl",
            "capabilities": ["catalog", "discover", "state", "about"],
            "settings": [
                {"name": "path", "kind": "string"},
                {"name": "stream_name", "kind": "string"},
                {"name": "primary_keys", "kind": "array"},
            ],
        }
    ],
    "loaders": [
        {
            "name": "target-jsonl",
            "namespace": "target_jsonl",
            "pip_url": "target-jsonl==0.1.4",
            "executable": "target-jsonl",
            "settings": [
                {"name": "destination_path", "kind": "string"},
                {"name": "do_timestamp_file", "kind": "boolean"},
            ],
        }
    ],
}

#: Environment variables a test must not inherit (they would change the plugins' config).
INHERITED_PREFIXES = ("TAP_", "TARGET_", "MELTANO_", "SALESFORCE_EMULATOR_", "AKOUNTIFY_")


def project_config(repo: Path = REPO) -> dict[str, Any]:
    """The repository's meltano.yml, its plugins installed from this checkout, PyPI ones added."""
    config: dict[str, Any] = yaml.safe_load((repo / "meltano.yml").read_text(encoding="utf-8"))
    for plugin_type in PLUGIN_FOLDERS:
        for plugin in config["plugins"][plugin_type]:
            if plugin.get("pip_url") == "-e .":
                plugin["pip_url"] = f"-e {repo}"
        config["plugins"][plugin_type].extend(PYPI_PLUGINS[plugin_type])
    return config


def clean_environment() -> dict[str, str]:
    """This process's environment without anything that would configure Meltano or a plugin."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(INHERITED_PREFIXES) and key != "VIRTUAL_ENV"
    }


def install_plugins(folder: Path) -> None:
    """``meltano install`` every plugin of the test project into ``folder``.

    Raises:
        RuntimeError: With Meltano's output when the install fails.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meltano.yml").write_text(yaml.safe_dump(project_config(), sort_keys=False))
    completed = subprocess.run(
        [str(MELTANO), "install"],
        cwd=folder,
        env=clean_environment(),
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"meltano install failed:\n{completed.stdout}\n{completed.stderr}")


@dataclass
class RunResult:
    """One ``meltano run``: its exit code, its output and the target's report."""

    returncode: int
    log: str
    report: dict[str, Any] | None

    def counts(self, stream: str) -> dict[str, int]:
        """The report's counters of one stream."""
        assert self.report is not None, self.log[-3000:]
        for row in self.report["streams"]:
            if row["stream"] == stream:
                return {k: v for k, v in row.items() if isinstance(v, int)}
        raise KeyError(f"no stream {stream} in the report: {self.report['streams']}")


@dataclass
class MeltanoProject:
    """A Meltano project folder of the repository's meltano.yml, plugins already installed.

    Attributes:
        root: The project folder.
        env: Environment variables of every run (emulator URLs, credentials, settings).
    """

    root: Path
    env: dict[str, str] = field(default_factory=dict)
    runs: int = 0

    @classmethod
    def create(cls, root: Path, installed: Path) -> MeltanoProject:
        """A new project in ``root`` using the plugin environments installed in ``installed``."""
        (root / ".meltano").mkdir(parents=True)
        (root / "meltano.yml").write_text(yaml.safe_dump(project_config(), sort_keys=False))
        for plugin_type in PLUGIN_FOLDERS:
            (root / ".meltano" / plugin_type).symlink_to(installed / ".meltano" / plugin_type)
        return cls(root)

    @property
    def report_path(self) -> Path:
        """Where meltano.yml tells the target to write its report."""
        return self.root / "output" / "akountify-sync-report.json"

    @property
    def rejected_dir(self) -> Path:
        """Where meltano.yml tells the target to keep rejected records."""
        return self.root / "output" / "akountify-rejected"

    def environment(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The environment of a Meltano command."""
        return {**clean_environment(), **self.env, **(extra or {})}

    def meltano(
        self, *args: str, env: dict[str, str] | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run a Meltano command in the project and return it (raising on failure if ``check``)."""
        completed = subprocess.run(
            [str(MELTANO), *args],
            cwd=self.root,
            env=self.environment(env),
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        if check and completed.returncode != 0:
            raise AssertionError(
                f"meltano {' '.join(args)} failed ({completed.returncode}):\n"
                f"{completed.stdout[-6000:]}\n{completed.stderr[-6000:]}"
            )
        return completed

    def run(self, *args: str, env: dict[str, str] | None = None, ok: bool = True) -> RunResult:
        """``meltano run salesforce-to-akountify`` (or the given blocks); returns the result.

        The previous report is removed first, so the result's report is this run's own.
        """
        self.report_path.unlink(missing_ok=True)
        self.runs += 1
        completed = self.meltano("run", *(args or (JOB,)), env=env, check=False)
        log = completed.stdout + completed.stderr
        (self.root / f"run-{self.runs}.log").write_text(log, encoding="utf-8")
        report = (
            json.loads(self.report_path.read_text(encoding="utf-8"))
            if self.report_path.exists()
            else None
        )
        if ok and completed.returncode != 0:
            raise AssertionError(f"meltano run failed ({completed.returncode}):\n{log[-8000:]}")
        return RunResult(completed.returncode, log, report)

    def start_run(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        """Start ``meltano run`` without waiting (its output goes to ``run-N.log``)."""
        self.report_path.unlink(missing_ok=True)
        self.runs += 1
        with (self.root / f"run-{self.runs}.log").open("w", encoding="utf-8") as log:
            return subprocess.Popen(
                [str(MELTANO), "run", *(args or (JOB,))],
                cwd=self.root,
                env=self.environment(env),
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,  # its own process group, so it can be ended as a whole
            )

    @staticmethod
    def plugin_processes(run: subprocess.Popen[str], executable: str) -> list[int]:
        """Ids of a started run's processes (its process group) running ``executable``."""
        listing = subprocess.run(
            ["ps", "-ww", "-eo", "pid=,pgid=,args="], capture_output=True, text=True, check=True
        ).stdout
        found = []
        for line in listing.splitlines():
            pid, pgid, args = line.split(None, 2)
            if int(pgid) == run.pid and int(pid) != run.pid and f"/{executable} " in args:
                found.append(int(pid))
        return found

    def rejected(self, stream: str) -> dict[str, dict[str, Any]]:
        """The rejected store of a stream, by external id."""
        path = self.rejected_dir / f"{stream}.jsonl"
        if not path.exists():
            return {}
        entries = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        return {entry["external_id"]: entry for entry in entries}


def copy_tree(source: Path, target: Path) -> Path:
    """Copy an emulator data folder (not served by anything) to a test's own folder."""
    shutil.copytree(source, target)
    return target
