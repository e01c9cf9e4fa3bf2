"""``python -m emulators.salesforce``: the same CLI as ``salesforce-emulator``."""

from __future__ import annotations

from emulators.salesforce.sqlite_memory import disable_memory_statistics

# before anything imports sqlite3 (see sqlite_memory): page renders on two threads at once
disable_memory_statistics()

from emulators.salesforce.cli import main  # noqa: E402 - must come after the call above

if __name__ == "__main__":
    main()
