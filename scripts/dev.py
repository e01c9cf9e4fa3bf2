#!/usr/bin/env python3
"""One entry point for a fresh machine that has only Python 3.11+ and git.

    python3 scripts/dev.py demo    set everything up and run the main job against the emulators
    python3 scripts/dev.py test    set everything up and run ruff, mypy and the whole test suite

Setting up means: a virtual environment in ``.venv`` with this project installed in editable
mode with its development extras. It is skipped when ``pyproject.toml`` has not changed since
the last install, so a rerun starts at once. Only the standard library is used here, because
this script runs before anything is installed.

Everything is compiled to bytecode when it is installed, as ``pip install`` does: the
libraries by uv (``UV_COMPILE_BYTECODE``, also for the plugin environments ``meltano install``
creates), the project's own packages by ``compileall`` at every run (only what changed).
Otherwise, wherever ``PYTHONDONTWRITEBYTECODE`` is set (CI machines often set it), every
Meltano, tap and target process would compile its hundreds of modules from source again:
``meltano --version`` takes 2.0 s that way against 0.7 s.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
PYTHON = BIN / "python"
STAMP = VENV / ".installed-pyproject-sha256"
MIN_PYTHON = (3, 11)
PYTEST_NO_TESTS_COLLECTED = 5
#: The project's own packages, compiled to bytecode at every run (``compileall`` skips what is
#: up to date).
OWN_PACKAGES = ("tap_salesforce_lite", "target_akountify", "singer_startup", "emulators", "scripts")


def _run(*argv: str | Path, check: bool = True, env: dict[str, str] | None = None) -> int:
    """Run a command from the project root, echoing it first."""
    printable = " ".join(str(a) for a in argv)
    print(f"$ {printable}", flush=True)
    completed = subprocess.run([str(a) for a in argv], cwd=ROOT, check=False, env=env)
    if check and completed.returncode != 0:
        sys.exit(completed.returncode)
    return completed.returncode


def setup() -> None:
    """Create ``.venv`` and install the project with its dev extras, unless already current."""
    if sys.version_info < MIN_PYTHON:
        sys.exit(f"Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]}+ is required, this is {sys.version}")
    os.environ["UV_COMPILE_BYTECODE"] = "1"  # this install and `meltano install`'s alike
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted and PYTHON.exists():
        _compile_own_packages()
        return
    if not PYTHON.exists():
        print(f"Creating the virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=False).create(VENV)
    # uv installs the many dependencies an order of magnitude faster than pip; pip only
    # bootstraps it. VIRTUAL_ENV tells uv which environment to install into.
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "uv")
    env = {**os.environ, "VIRTUAL_ENV": str(VENV)}
    _run(BIN / "uv", "pip", "install", "--quiet", "-e", ".[dev]", env=env)
    STAMP.write_text(wanted + "\n")
    _compile_own_packages()


def _compile_own_packages() -> None:
    """Compile the project's packages to bytecode (quietly; only files that changed)."""
    subprocess.run(
        [str(PYTHON), "-m", "compileall", "-q", *OWN_PACKAGES],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def test(extra: list[str]) -> int:
    """Run the linters, the type checker and the whole test suite; return the exit code."""
    setup()
    _run(BIN / "ruff", "check", ".")
    _run(BIN / "ruff", "format", "--check", ".")
    _run(BIN / "mypy", ".")
    code = _run(PYTHON, "-m", "pytest", "-n", "auto", "--dist", "loadfile", *extra, check=False)
    if code == PYTEST_NO_TESTS_COLLECTED:
        print("pytest collected no tests: that is a failure, not a pass", file=sys.stderr)
        return 1
    return code


def demo(extra: list[str]) -> int:
    """Run the main job against the local emulators, or one of its commands.

    ``demo`` runs the whole job; ``demo edit|show|status|stop|reset`` and the options are
    those of ``scripts/pipeline.py`` (``demo --help`` lists them).
    """
    setup()
    return _run(PYTHON, ROOT / "scripts" / "pipeline.py", *extra, check=False)


def main() -> int:
    """Dispatch the sub-command."""
    os.chdir(ROOT)
    if len(sys.argv) < 2 or sys.argv[1] not in {"setup", "test", "demo"}:
        print(__doc__)
        return 2
    command, extra = sys.argv[1], sys.argv[2:]
    if command == "setup":
        setup()
        return 0
    if command == "test":
        return test(extra)
    return demo(extra)


if __name__ == "__main__":
    sys.exit(main())
