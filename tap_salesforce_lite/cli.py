"""The ``tap-salesforce-lite`` command: the SDK's command line, started and ended cheaply.

The console script points here rather than at ``TapSalesforceLite.cli`` so that the imports
run with the garbage collector paused and the process exits without a final walk of its heap
(see :mod:`tap_salesforce_lite.heap`); the command line itself is the SDK's, unchanged.
"""

from __future__ import annotations

from tap_salesforce_lite.heap import skip_final_collection, startup_collection_paused


def main() -> None:
    """Run the tap's command line (``--about``, ``--discover``, a sync…) and exit."""
    with startup_collection_paused():
        from tap_salesforce_lite.tap import TapSalesforceLite  # noqa: PLC0415 - timed above

    try:
        TapSalesforceLite.cli()
    finally:
        skip_final_collection()
