"""Run an installed console script in this process; write its peak RSS when the process exits.

    .venv/bin/python benchmarks/peak_rss.py --rss-file PATH tap-salesforce-lite --config ...

The benchmarks run a plugin through this wrapper so that it starts exactly as its console
script starts it (the script file is executed as ``__main__``: same entry point, same imports,
nothing of the benchmark imported first) while the process's own high-water mark (``VmHWM`` of
``/proc/self/status``, in MB) is recorded: ``wait4``'s ``ru_maxrss`` would include the memory of
the driver the child was forked from. The script's standard output goes to ``/dev/null``.
"""

from __future__ import annotations

import atexit
import os
import re
import runpy
import shutil
import sys
from pathlib import Path


def _write_peak_rss(path: str) -> None:
    status = Path("/proc/self/status").read_text()
    found = re.search(r"VmHWM:\s+(\d+)", status)
    if found is not None:
        Path(path).write_text(f"{int(found.group(1)) / 1024:.1f}")


def main() -> None:
    """Parse ``--rss-file PATH SCRIPT [ARGS...]`` and run SCRIPT with ARGS."""
    if len(sys.argv) < 4 or sys.argv[1] != "--rss-file":
        raise SystemExit(__doc__)
    rss_file, script, *script_args = sys.argv[2:]
    executable = shutil.which(script, path=str(Path(sys.executable).parent)) or shutil.which(script)
    if executable is None:
        raise SystemExit(f"{script}: no such console script next to {sys.executable} or on PATH")
    atexit.register(_write_peak_rss, rss_file)  # registered first, so it runs last
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.argv = [executable, *script_args]
    runpy.run_path(executable, run_name="__main__")


if __name__ == "__main__":
    main()
