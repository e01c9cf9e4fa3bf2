"""``python -m emulators.akountify``: the emulator's command line."""

from __future__ import annotations

from emulators.akountify.cli import main

if __name__ == "__main__":
    main()
