"""Turn off SQLite's memory statistics before the first connection, so threads render at once.

SQLite counts every allocation it makes under one process-wide mutex unless told not to with
``sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0)`` (the default is on, and builds without the
lookaside allocator, like Debian's, allocate for nearly every value). The emulator renders
query pages and Bulk chunks on two threads at once, each a stream of small allocations, so
the two spend their time queueing on that mutex: measured back to back on 49,500 Accounts,
two threads took 1.05-1.37 s and 1.8-2.4 CPU seconds with the statistics on, 0.74-0.82 s
and 1.3-1.6 CPU seconds with them off (one thread alone: 1.0-1.7 s either way).

``sqlite3_config`` is only allowed before SQLite initializes, which Python's ``sqlite3``
module does when it is imported, so :func:`disable_memory_statistics` must run before that
import (``python -m emulators.salesforce`` calls it first thing) and does nothing after it.
Nothing in the emulator reads the statistics.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from typing import Final

logger = logging.getLogger(__name__)

#: ``SQLITE_CONFIG_MEMSTATUS`` from sqlite3.h.
SQLITE_CONFIG_MEMSTATUS: Final = 9
SQLITE_OK: Final = 0


def disable_memory_statistics() -> bool:
    """Ask the process's SQLite library not to keep memory statistics.

    Returns:
        True when SQLite accepted it; False when it could not be done (SQLite already
        initialized, or its library not found), in which case nothing changed.
    """
    name = ctypes.util.find_library("sqlite3")
    if name is None:
        logger.debug("SQLite library not found: memory statistics left on")
        return False
    try:
        library = ctypes.CDLL(name)
        status = library.sqlite3_config(SQLITE_CONFIG_MEMSTATUS, ctypes.c_int(0))
    except (OSError, AttributeError) as exc:
        logger.debug("SQLite memory statistics left on: %s", exc)
        return False
    if status != SQLITE_OK:
        logger.debug("SQLite memory statistics left on (sqlite3_config returned %s)", status)
        return False
    return True
