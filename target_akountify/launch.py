"""The ``target-akountify`` command: the Singer target run with the garbage collector tuned.

A target run is a short-lived batch process that imports a large framework (about 120,000
objects that live until the end) and then makes millions of short-lived objects, nearly all
freed by reference counting. CPython's cyclic garbage collector, left at its defaults, walks
the imported objects again and again while they load and at every full collection, and once
more when the interpreter exits: 0.3-0.6 s of CPU in a 10,000-record run, as much as a
quarter of its start-up. Here the collector is paused while the modules load, the objects
loaded are moved out of its reach (:func:`gc.freeze`), the young generation collects every
:data:`GEN0_THRESHOLD` allocations instead of 700, and the objects still alive when the run
ends are frozen too, so the exit does not walk them one last time. Cycles are still collected
during the run (memory stays flat). The singer-sdk dependencies a run never uses (BATCH files,
parallel draining, JSONPath) are not imported unless used (see :mod:`singer_startup.deferred`).
Nothing else changes: the command line, the messages and the exit status are the SDK's.
"""

from __future__ import annotations

import gc

from singer_startup.deferred import defer_sdk_imports

#: Allocations between two collections of the young generation (CPython's default is 700).
GEN0_THRESHOLD = 20_000


def main() -> None:
    """Run target-akountify's command line (``target-akountify --config … --input …``)."""
    defer_sdk_imports()
    gc.disable()
    try:
        from target_akountify.target import TargetAkountify  # noqa: PLC0415 - after gc.disable

        gc.freeze()
    finally:
        gc.enable()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
    try:
        TargetAkountify.cli()
    finally:
        gc.freeze()


if __name__ == "__main__":
    main()
