"""The emulator's entry point turns SQLite's memory statistics off before SQLite starts."""

from __future__ import annotations

import subprocess
import sys

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
    status, used = _memory_used("import emulators.salesforce.__main__\n")
    assert (status, used) == (0, 0), "no statistics kept: no process-wide mutex per allocation"


def test_too_late_once_sqlite_is_loaded() -> None:
    from emulators.salesforce.sqlite_memory import disable_memory_statistics  # noqa: PLC0415

    # this test process imported sqlite3 long ago: SQLite refuses, nothing changes
    assert disable_memory_statistics() is False
