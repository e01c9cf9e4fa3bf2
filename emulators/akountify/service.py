"""The running emulator's state: settings, clock, database thread, limits, faults, tokens.

All database work runs on one dedicated thread (one SQLite connection), so the event loop
stays free to accept, count and throttle requests while a write is in progress, and writes
are serialized.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from emulators.akountify import accounts, database
from emulators.akountify.clock import Clock
from emulators.akountify.custom_fields import CustomFieldRegistry
from emulators.akountify.errors import ApiError
from emulators.akountify.faults import FaultInjector
from emulators.akountify.ratelimit import RateLimiter
from emulators.akountify.records import RecordStore

if TYPE_CHECKING:
    from collections.abc import Callable

    from emulators.akountify.accounts import Caller
    from emulators.akountify.settings import ServeSettings

logger = logging.getLogger(__name__)
T = TypeVar("T")


class Emulator:
    """Everything a request handler needs, shared by all requests of one server."""

    def __init__(self, settings: ServeSettings, admin_token: str) -> None:
        """Open the database in ``settings.data_dir`` and set limits and faults up."""
        self.settings = settings
        self.admin_token = admin_token
        self.clock = Clock(settings.clock_offset)
        self.limiter = RateLimiter(settings.limits)
        self.faults = FaultInjector(settings.faults)
        self.connection = database.connect(settings.data_dir)
        self.registry = CustomFieldRegistry(self.connection, self.clock)
        self.store = RecordStore(self.connection, self.clock, self.registry)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="akountify-db")
        self._tokens: dict[str, tuple[Caller, int]] = {}

    async def db(self, function: Callable[..., T], *args: Any) -> T:
        """Run ``function(*args)`` on the database thread and return its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(function, *args))

    async def authenticate(self, authorization: str | None) -> Caller:
        """The caller behind an ``Authorization: Bearer`` header.

        Raises:
            ApiError: 401 when the header is missing or malformed, or the token is unknown
                or expired.
        """
        token = _bearer(authorization)
        if token is None:
            raise _unauthorized(
                "missing bearer token: send Authorization: Bearer <access_token> from "
                "POST /v1/oauth/token"
            )
        known = self._tokens.get(token)
        if known is None:
            found = await self.db(accounts.resolve_token, self.connection, token)
            if found is None:
                raise _unauthorized("unknown access token: get a new one from POST /v1/oauth/token")
            known = self._tokens[token] = found
        caller, expires_at = known
        if self.clock.now_us() >= expires_at:
            raise _unauthorized(
                "the access token has expired: get a new one from POST /v1/oauth/token"
            )
        return caller

    def check_admin(self, authorization: str | None) -> None:
        """Check the admin bearer token.

        Raises:
            ApiError: 401 when it is missing or wrong.
        """
        token = _bearer(authorization)
        if token is None or not hmac.compare_digest(token, self.admin_token):
            raise _unauthorized(
                "admin endpoints need Authorization: Bearer <admin token> (see --admin-token "
                "or the admin-token file in the data folder)"
            )

    def close(self) -> None:
        """Stop the database thread and close the database."""
        self._executor.shutdown(wait=True)
        self.connection.close()


def _bearer(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})
