"""The server's settings, as ``salesforce-emulator serve`` takes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from emulators.salesforce.faults import FaultSettings
from emulators.salesforce.limits import DEFAULT_DAILY_QUOTA

if TYPE_CHECKING:
    from pathlib import Path

#: API versions the emulator answers to (``/services/data/`` lists them).
MIN_API_VERSION: Final[int] = 20
MAX_API_VERSION: Final[int] = 62
DEFAULT_TOKEN_LIFETIME_SECONDS: Final[float] = 7200.0
#: REST query page size bounds (``Sforce-Query-Options: batchSize`` is clamped to them).
MIN_QUERY_BATCH: Final[int] = 200
MAX_QUERY_BATCH: Final[int] = 2000
#: Bulk results page size when the client gives no ``maxRecords``.
DEFAULT_BULK_PAGE_SIZE: Final[int] = 100_000
#: Salesforce's limit on the length of a REST request URI, in bytes.
MAX_URI_BYTES: Final[int] = 16_384


@dataclass
class ServerSettings:
    """Everything the server needs to start.

    Attributes:
        data_dir: Folder of the SQLite files, TLS material and app keys.
        host: Interface to bind.
        port: TCP port.
        token_lifetime_seconds: Access token lifetime (emulator clock).
        daily_quota: ``DailyApiRequests`` maximum.
        query_page_size: Default REST query page size (200..2000).
        bulk_page_size: Bulk results page size when ``maxRecords`` is absent.
        admin_token: Secret that the ``/_emulator`` endpoints require.
        locator_idle_seconds: A query locator unused this long (emulator clock) expires.
        max_open_locators: Open query locators kept at most (least recently used go first).
        max_bulk_jobs: Bulk jobs kept at most (oldest finished jobs go first).
        bulk_polls_in_progress: A finished Bulk job still reports InProgress for this many
            polls, so clients' polling loops are exercised.
        faults: Fault injection settings.
    """

    data_dir: Path
    admin_token: str
    host: str = "127.0.0.1"
    port: int = 8443
    token_lifetime_seconds: float = DEFAULT_TOKEN_LIFETIME_SECONDS
    daily_quota: int = DEFAULT_DAILY_QUOTA
    query_page_size: int = MAX_QUERY_BATCH
    bulk_page_size: int = DEFAULT_BULK_PAGE_SIZE
    locator_idle_seconds: float = 900.0
    max_open_locators: int = 200
    max_bulk_jobs: int = 200
    bulk_polls_in_progress: int = 0
    faults: FaultSettings = field(default_factory=FaultSettings)

    @property
    def instance_url(self) -> str:
        """The URL clients use: ``https://127.0.0.1:PORT`` (``localhost`` if bound to it)."""
        host = "localhost" if self.host == "localhost" else "127.0.0.1"
        if ":" in self.host and self.host not in {"::", "0.0.0.0"}:  # noqa: S104
            host = f"[{self.host}]"
        return f"https://{host}:{self.port}"


def api_versions() -> list[str]:
    """Every supported API version, oldest first (``"20.0"`` …)."""
    return [f"{v}.0" for v in range(MIN_API_VERSION, MAX_API_VERSION + 1)]


def release_label(version: str) -> str:
    """The release name of an API version: ``59.0`` → ``Winter '24``."""
    index = int(float(version)) - 59
    season = ("Winter", "Spring", "Summer")[index % 3]
    return f"{season} '{24 + index // 3:02d}"
