"""What the streams of one run share: settings, the API client, and the stop signal."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tap_salesforce_lite.client import SalesforceClient
from tap_salesforce_lite.redaction import Redactor

if TYPE_CHECKING:
    from tap_salesforce_lite.settings import TapSettings

LOGGER = logging.getLogger(__name__)


class SyncRuntime:
    """One run's shared state. The client is created (and logs in) on first use."""

    def __init__(self, settings: TapSettings) -> None:
        """Prepare the run.

        Args:
            settings: Validated settings.
        """
        self.settings = settings
        self.redactor = Redactor(settings.secret_values())
        self._client: SalesforceClient | None = None
        self._login_monotonic: float | None = None
        self.stop_reason: str | None = None

    @property
    def client(self) -> SalesforceClient:
        """The API client."""
        if self._client is None:
            self._client = SalesforceClient(self.settings, self.redactor)
        return self._client

    def login(self) -> None:
        """Make sure a session exists (the first login records the server's clock)."""
        _ = self.client.token
        if self._login_monotonic is None:
            self._login_monotonic = time.monotonic()

    def server_now(self) -> datetime:
        """Best estimate of the server's clock: issue time of the first token plus elapsed."""
        issued = self.client.first_issued_at
        if issued is None or self._login_monotonic is None:
            return datetime.now(UTC)
        return issued + timedelta(seconds=time.monotonic() - self._login_monotonic)

    def stop(self, reason: str) -> None:
        """Stop the run cleanly: the remaining streams are skipped."""
        if self.stop_reason is None:
            self.stop_reason = reason
            LOGGER.warning("%s. Stopping cleanly; the next run continues from here.", reason)

    def close(self) -> None:
        """Release the HTTP session."""
        if self._client is not None:
            self._client.close()
