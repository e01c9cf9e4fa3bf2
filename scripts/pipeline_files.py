"""Where the main job keeps things, and the files it writes: ``.data/pipeline.json``, ``.env``.

``.data/`` holds both emulators' data folders and ``pipeline.json`` (ports, process ids, the demo
company id: nothing secret). ``.env`` holds what Meltano needs to reach the emulators, including
the credentials created for them; Meltano reads it on every command. Lines of ``.env`` that the
main job does not manage are kept as they are.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

#: The keys of ``.env`` the main job writes (and ``reset`` removes).
MANAGED_ENV_KEYS: tuple[str, ...] = (
    "SALESFORCE_EMULATOR_URL",
    "SALESFORCE_EMULATOR_CA_FILE",
    "AKOUNTIFY_EMULATOR_URL",
    "TAP_SALESFORCE_LITE_CLIENT_ID",
    "TAP_SALESFORCE_LITE_CLIENT_SECRET",
    "TARGET_AKOUNTIFY_CLIENT_ID",
    "TARGET_AKOUNTIFY_CLIENT_SECRET",
)
ENV_HEADER = (
    "# Written by scripts/pipeline.py for the local emulators (python3 scripts/dev.py demo)."
)


@dataclass(frozen=True)
class ProjectPaths:
    """The files of one Meltano project that the main job reads and writes.

    Attributes:
        root: The project folder (where ``meltano.yml`` is).
        data_dir: The emulators' data (default ``<root>/.data``).
    """

    root: Path
    data_dir: Path

    @classmethod
    def for_root(cls, root: Path, data_dir: Path | None = None) -> ProjectPaths:
        """Paths of the project in ``root`` (data in ``root/.data`` unless given)."""
        root = root.resolve()
        return cls(root, (data_dir or root / ".data").resolve())

    @property
    def salesforce_dir(self) -> Path:
        """The Salesforce emulator's data folder."""
        return self.data_dir / "salesforce"

    @property
    def akountify_dir(self) -> Path:
        """The Akountify emulator's data folder."""
        return self.data_dir / "akountify"

    @property
    def state_file(self) -> Path:
        """``pipeline.json``: ports, process ids and the demo company (no secrets)."""
        return self.data_dir / "pipeline.json"

    @property
    def company_file(self) -> Path:
        """The demo company's credentials, owner-only (the API client and the bookkeeper)."""
        return self.akountify_dir / "pipeline-company.json"

    @property
    def env_file(self) -> Path:
        """The project's ``.env``."""
        return self.root / ".env"

    @property
    def output_dir(self) -> Path:
        """Where the target writes its report and rejected store (meltano.yml says so)."""
        return self.root / "output"

    @property
    def report_file(self) -> Path:
        """The JSON sync report of the last run."""
        return self.output_dir / "akountify-sync-report.json"

    @property
    def rejected_dir(self) -> Path:
        """The rejected store."""
        return self.output_dir / "akountify-rejected"

    @property
    def run_log(self) -> Path:
        """The full output of the last ``meltano run``."""
        return self.output_dir / "meltano-run.log"


def read_state(paths: ProjectPaths) -> dict[str, Any]:
    """Return ``pipeline.json`` (empty when absent)."""
    try:
        state: dict[str, Any] = json.loads(paths.state_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return state


def write_state(paths: ProjectPaths, state: dict[str, Any]) -> None:
    """Write ``pipeline.json``."""
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    paths.state_file.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")


def write_private_json(path: Path, body: dict[str, Any]) -> None:
    """Write JSON readable by the owner only (it holds credentials)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(body, indent=2) + "\n")


def read_env(paths: ProjectPaths) -> dict[str, str]:
    """The ``KEY=value`` lines of ``.env`` (comments and blank lines left out)."""
    values: dict[str, str] = {}
    if not paths.env_file.exists():
        return values
    for line in paths.env_file.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            values[key.strip()] = value.strip().strip("'\"")
    return values


def update_env(paths: ProjectPaths, values: dict[str, str | None]) -> None:
    """Set (or, for None, remove) keys in ``.env``; every other line is kept.

    The file is written owner-only, since it holds credentials.
    """
    lines = (
        paths.env_file.read_text(encoding="utf-8").splitlines() if paths.env_file.exists() else []
    )
    kept = [
        line
        for line in lines
        if line.partition("=")[0].strip() not in values and line.strip() != ENV_HEADER
    ]
    while kept and not kept[-1].strip():
        kept.pop()
    added = [f"{key}={value}" for key, value in values.items() if value is not None]
    if added:
        kept = [*kept, *([""] if kept else []), ENV_HEADER, *added]
    fd = os.open(paths.env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(kept) + ("\n" if kept else ""))
    paths.env_file.chmod(0o600)
