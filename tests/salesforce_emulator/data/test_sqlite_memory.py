"""The emulator's entry point turns SQLite's memory statistics off before SQLite starts."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

import pytest

MEMORY_USED = """
import ctypes, ctypes.util, sqlite3
connection = sqlite3.connect(":memory:")
connection.execute("CREATE TABLE t (x)")
connection.executemany("INSERT INTO t VALUES (?)", [(str(n) * 50,) for n in range(1000)])
library = ctypes.CDLL(ctypes.util.find_library("sqlite3"))
current, highest = ctypes.c_int64(), ctypes.c_int64()
status = library.sqlite3_status64(0, ctypes.byref(current), ctypes.byref(highest), 0)
print(status, current.value)
"""


# The console script's entry point, run to its end (``--help``), before the measure above.
RUN_ENTRY_POINT = """
import contextlib, io, sys
from emulators.salesforce.__main__ import main
sys.argv = ["salesforce-emulator", "--help"]
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    main()
"""


def _memory_used(prelude: str) -> tuple[int, int]:
    found = subprocess.run(
        [sys.executable, "-c", prelude + MEMORY_USED],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    status, used = found.stdout.split()
    return int(status), int(used)


@pytest.mark.skipif(sys.platform != "linux", reason="the emulator's servers run on Linux")
def test_entry_point_turns_memory_statistics_off() -> None:
    assert _memory_used("")[1] > 0, "SQLite counts its memory by default"
    status, used = _memory_used(RUN_ENTRY_POINT)
    assert (status, used) == (0, 0), "no statistics kept: no process-wide mutex per allocation"


def test_console_script_goes_through_the_entry_point() -> None:
    scripts = entry_points(group="console_scripts")
    assert scripts["salesforce-emulator"].value == "emulators.salesforce.__main__:main"


def test_too_late_once_sqlite_is_loaded() -> None:
    from emulators.salesforce.sqlite_memory import disable_memory_statistics  # noqa: PLC0415

    # this test process imported sqlite3 long ago: SQLite refuses, nothing changes
    assert disable_memory_statistics() is False
