"""Run the measured programs as installed packages run: with their bytecode cached.

``pip install`` compiles every module of a package to bytecode, so an installed plugin loads its
~600 modules (singer-sdk, requests, jsonschema…) from ``.pyc`` files. This development
environment sets ``PYTHONDONTWRITEBYTECODE`` and installs the project editable, so a child
started as is would compile every module it imports from source in every measured run (about
0.5 s for a Singer plugin, 0.1 s for a plain client that imports only ``requests``): a cost no
installed program pays, and one that weighs on the side that imports more. The benchmarks run
every child, plugin and plain client alike, with a bytecode cache of its own in the run's
folder (:func:`installed_environment`), filled by one unmeasured run before the clock starts.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def installed_environment(base: Path) -> dict[str, str]:
    """The environment of a measured child: bytecode written to and read from ``base/pycache``."""
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment["PYTHONPYCACHEPREFIX"] = str(base / "pycache")
    return environment
