"""The ``tap-salesforce-lite`` command: the SDK's command line, started and ended cheaply.

The console script points here rather than at ``TapSalesforceLite.cli`` so that the imports
run with the garbage collector paused, skip the singer-sdk dependencies a sync never uses (see
:mod:`singer_startup.deferred`), and the process exits without a final walk of its heap (see
:mod:`tap_salesforce_lite.heap`); the command line itself is the SDK's, unchanged.
"""

from __future__ import annotations

from singer_startup.deferred import defer_sdk_imports
from tap_salesforce_lite.heap import skip_final_collection, startup_collection_paused


def main() -> None:
    """Run the tap's command line (``--about``, ``--discover``, a sync…) and exit."""
    defer_sdk_imports()
    with startup_collection_paused():
        from tap_salesforce_lite.tap import TapSalesforceLite  # noqa: PLC0415 - timed above

    try:
        TapSalesforceLite.cli()
    finally:
        skip_final_collection()
