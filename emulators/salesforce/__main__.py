"""``python -m emulators.salesforce`` and the ``salesforce-emulator`` command."""

from __future__ import annotations

from emulators.salesforce.sqlite_memory import disable_memory_statistics


def main() -> None:
    """Run the emulator's command line with SQLite's memory statistics off.

    The statistics must be turned off before anything imports sqlite3 (see
    :mod:`emulators.salesforce.sqlite_memory`), so the command line is imported only here.
    """
    disable_memory_statistics()
    from emulators.salesforce.cli import main as cli_main  # noqa: PLC0415 - after the call above

    cli_main()


if __name__ == "__main__":
    main()
