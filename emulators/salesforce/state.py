"""Everything one running emulator holds, built once at start and shared by the endpoints."""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections import Counter
from typing import TYPE_CHECKING

from emulators.salesforce.bulk import BulkJobs
from emulators.salesforce.catalog import default_catalog
from emulators.salesforce.clock import ControllableClock
from emulators.salesforce.directory import OrgDirectory
from emulators.salesforce.faults import FaultInjector
from emulators.salesforce.limits import ApiUsage
from emulators.salesforce.query import QueryCursors
from emulators.salesforce.sessions import SessionRegistry
from emulators.salesforce.store import OrgStore
from emulators.salesforce.worker import StoreWorker

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    from emulators.salesforce.schema import Catalog
    from emulators.salesforce.settings import ServerSettings

logger = logging.getLogger(__name__)

ORG_DB_NAME = "org.sqlite3"
#: Threads rendering REST query pages ahead (SQLite renders with the GIL released).
RENDER_THREADS = 2
_USAGE_KEY = "api_usage"


def org_db_path(data_dir: Path) -> Path:
    """Where the record store of a data folder lives."""
    return data_dir / ORG_DB_NAME


class EmulatorState:
    """The live parts of one emulator: settings, clock, identity, sessions, usage, store.

    Attributes:
        settings: Server settings (page sizes and the like may change at run time).
        clock: The controllable clock.
        directory: Org id, apps, users, refresh tokens.
        sessions: Access tokens.
        usage: Daily API quota.
        faults: Fault decisions and counts (``faults.settings`` is ``settings.faults``).
        catalog: The org's objects.
        cursors: Open REST query cursors (nextRecordsUrl locators).
        bulk_jobs: Bulk API 2.0 query jobs.
        worker: The thread that owns the record store (``worker.owned``).
        renderers: Threads rendering query pages ahead from the store's snapshots (reads only).
        api_enabled: Whether the REST API answers (False: 403 API_DISABLED_FOR_ORG).
        stats: Requests served, by kind.
    """

    def __init__(self, settings: ServerSettings) -> None:
        """Open the data folder's stores and build the parts."""
        self.settings = settings
        self.clock = ControllableClock()
        self.directory = OrgDirectory(settings.data_dir)
        self.faults = FaultInjector(settings.faults)
        self.sessions = SessionRegistry(
            self.directory, self.clock, settings.token_lifetime_seconds, settings.faults
        )
        self.usage = ApiUsage(
            self.clock, settings.daily_quota, self._restored_usage(), save=self._save_usage
        )
        self.catalog: Catalog = default_catalog()
        db_path = org_db_path(settings.data_dir)
        catalog, clock = self.catalog, self.clock
        self.worker = StoreWorker(lambda: OrgStore(db_path, catalog, clock=clock.now))
        self.renderers = concurrent.futures.ThreadPoolExecutor(
            max_workers=RENDER_THREADS, thread_name_prefix="page-render"
        )
        self.cursors = QueryCursors(
            self.clock, settings.locator_idle_seconds, settings.max_open_locators
        )
        self.bulk_jobs = BulkJobs(settings.max_bulk_jobs, settings.data_dir / "bulk-results")
        self.api_enabled = True
        self.stats: Counter[str] = Counter()
        self._stats_lock = threading.Lock()

    @property
    def store(self) -> OrgStore:
        """The record store (call it only on the worker thread)."""
        store: OrgStore = self.worker.owned
        return store

    def count(self, kind: str, amount: int = 1) -> None:
        """Add to a request statistic."""
        with self._stats_lock:
            self.stats[kind] += amount

    def stats_snapshot(self) -> dict[str, int]:
        """The request statistics."""
        with self._stats_lock:
            return dict(self.stats)

    def _restored_usage(self) -> int:
        saved = self.directory.meta_get(_USAGE_KEY)
        if not saved:
            return 0
        day, _, used = saved.partition(" ")
        if day != self.clock.now().date().isoformat():
            return 0
        return int(used)

    def _save_usage(self, day: date, used: int) -> None:
        """Persist the API requests used on ``day`` (restored by the next start that day)."""
        self.directory.meta_set(_USAGE_KEY, f"{day.isoformat()} {used}")

    def close(self) -> None:
        """Persist the day's API usage and release the stores."""
        self.bulk_jobs.clear()
        self.cursors.clear()
        self.renderers.shutdown(wait=True, cancel_futures=True)
        used, _ = self.usage.snapshot()
        self._save_usage(self.usage.day(), used)
        closer = getattr(self.store, "close", None)
        if callable(closer):
            self.worker.call(closer)
        self.worker.shutdown()
        self.directory.close()
