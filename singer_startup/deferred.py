"""Defer the modules singer-sdk imports at start-up for features a run may never use.

``import singer_sdk`` imports about 600 modules, among them three families that serve features
neither plugin of this distribution uses in a normal run: universal_pathlib (``upath``, and
with it fsspec and asyncio) for BATCH messages, joblib (with loky, multiprocessing and psutil)
for draining sinks in parallel, and jsonpath_ng for the JSONPath of REST streams. Loading them
is about a quarter of a plugin's 0.3 s start-up, paid twice by every ``meltano run``.

:func:`defer_sdk_imports` puts a stand-in module in ``sys.modules`` for each module singer-sdk
imports from, before singer-sdk is imported. A name imported from a stand-in
(``from joblib import Parallel``) is itself a stand-in, and the real module is imported the
first time a stand-in is really used: called, given to ``isinstance``/``issubclass``,
subclassed, or asked for an attribute. From then on every stand-in of the family forwards to
the real objects, so a run that does use the feature (a tap writing BATCH files, a target
draining in parallel) behaves as before and only pays the import later. Only the names
singer-sdk imports are deferred, and only in the ways singer-sdk uses them (the test suite
reads singer-sdk's source to check both); any other attribute read from a stand-in module
imports the real module at once. A module already imported is left alone.
"""

from __future__ import annotations

import importlib
import sys
import threading
import types
from typing import Any, Final

#: Module → the names singer-sdk imports from it at import time.
DEFERRED: Final[dict[str, tuple[str, ...]]] = {
    "upath": ("UPath",),
    "joblib": ("Parallel", "delayed", "parallel_config"),
    "jsonpath_ng": ("Child", "Slice"),
    "jsonpath_ng.ext": ("parse",),
}

_LOCK = threading.RLock()


class DeferredModule(types.ModuleType):
    """Stands in ``sys.modules`` for a module until one of its names is really used."""

    def __init__(self, name: str, names: tuple[str, ...]) -> None:
        """Stand in for module ``name``, whose ``names`` are handed out deferred."""
        super().__init__(name, f"Deferred stand-in for {name} (see singer_startup.deferred)")
        self.__dict__["_deferred_names"] = names
        self.__dict__["_deferred_real"] = None

    def __getattr__(self, attribute: str) -> Any:
        """A deferred name, or (for anything else) the real module's attribute."""
        if attribute in self.__dict__["_deferred_names"]:
            return DeferredName(self, attribute)
        if attribute.startswith("__") and attribute.endswith("__"):
            # the import system probes __path__, __spec__…: a stand-in is a plain module
            raise AttributeError(attribute)
        return getattr(self.real(), attribute)

    def real(self) -> types.ModuleType:
        """Import the real module (and its family's), once; return it."""
        real = self.__dict__["_deferred_real"]
        if real is not None:
            return real
        with _LOCK:
            if self.__dict__["_deferred_real"] is None:
                _release_family(self.__name__.partition(".")[0])
                self.__dict__["_deferred_real"] = importlib.import_module(self.__name__)
            return self.__dict__["_deferred_real"]


class DeferredName:
    """A name imported from a stand-in module; it imports the real one when used."""

    __slots__ = ("_module", "_name")

    def __init__(self, module: DeferredModule, name: str) -> None:
        """Stand in for ``module.name``."""
        self._module = module
        self._name = name

    def resolve(self) -> Any:
        """The real object (importing its module the first time)."""
        return getattr(self._module.real(), self._name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the real object."""
        return self.resolve()(*args, **kwargs)

    def __getattr__(self, attribute: str) -> Any:
        """An attribute of the real object."""
        return getattr(self.resolve(), attribute)

    def __instancecheck__(self, instance: Any) -> bool:
        """``isinstance(x, name)`` against the real class."""
        return isinstance(instance, self.resolve())

    def __subclasscheck__(self, subclass: type) -> bool:
        """``issubclass(c, name)`` against the real class."""
        return issubclass(subclass, self.resolve())

    def __mro_entries__(self, bases: tuple[Any, ...]) -> tuple[Any, ...]:
        """``class X(name)`` subclasses the real class."""
        return (self.resolve(),)

    def __repr__(self) -> str:
        """Say what it stands for, without importing it."""
        return f"<deferred {self._module.__name__}.{self._name}>"


def _release_family(top: str) -> None:
    """Take a family's stand-ins out of ``sys.modules`` so that the real modules import."""
    for name in DEFERRED:
        if name.partition(".")[0] == top and isinstance(sys.modules.get(name), DeferredModule):
            del sys.modules[name]


def defer_sdk_imports() -> list[str]:
    """Install the stand-ins (call before singer-sdk is imported); return the modules deferred.

    A family whose top module is already imported (by an earlier import in this process) is
    left alone, so the call is harmless at any time.
    """
    deferred: list[str] = []
    with _LOCK:
        for name, names in DEFERRED.items():
            top = sys.modules.get(name.partition(".")[0])
            if top is not None and not isinstance(top, DeferredModule):
                continue  # the real family is already here
            if name not in sys.modules:
                sys.modules[name] = DeferredModule(name, names)
                deferred.append(name)
    return deferred
