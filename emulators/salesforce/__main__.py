"""``python -m emulators.salesforce``: the same CLI as ``salesforce-emulator``."""

from __future__ import annotations

from emulators.salesforce.cli import main

if __name__ == "__main__":
    main()
