"""What every REST and Bulk call goes through before its handler runs.

In order: the 16,384-byte URI limit (414), injected latency, injected 503s, the API version,
API_DISABLED_FOR_ORG, the access token (401 INVALID_SESSION_ID) and the daily quota (403
REQUEST_LIMIT_EXCEEDED). Every answer then carries ``Sforce-Limit-Info``.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from emulators.salesforce.errors import SalesforceApiError
from emulators.salesforce.limits import limit_info
from emulators.salesforce.responses import error_response, not_found
from emulators.salesforce.settings import MAX_API_VERSION, MAX_URI_BYTES, MIN_API_VERSION

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from starlette.requests import Request
    from starlette.responses import Response

    from emulators.salesforce.sessions import Session
    from emulators.salesforce.state import EmulatorState


@dataclass(frozen=True)
class ApiCall:
    """An admitted API call.

    Attributes:
        state: The emulator.
        session: The caller's session.
        version: The API version of the URL (``"59.0"``).
    """

    state: EmulatorState
    session: Session
    version: str

    @property
    def base_path(self) -> str:
        """``/services/data/vXX.X``."""
        return f"/services/data/v{self.version}"


def server_unavailable() -> SalesforceApiError:
    """The transient error of the 503 fault."""
    return SalesforceApiError(
        503, "SERVER_UNAVAILABLE", "Server temporarily unavailable. Please try again later."
    )


def api_disabled() -> SalesforceApiError:
    """The error of an org whose API is switched off."""
    return SalesforceApiError(
        403, "API_DISABLED_FOR_ORG", "The REST API is not enabled for this Organization."
    )


def uri_too_long(length: int) -> SalesforceApiError:
    """The error of a request URI over Salesforce's limit."""
    return SalesforceApiError(
        414,
        "URI_TOO_LONG",
        f"The request URI is {length} bytes long; the limit is {MAX_URI_BYTES} bytes. "
        "Shorten the URI, for example by splitting the query's field list.",
    )


def parse_version(raw: str) -> str | None:
    """Return ``"59.0"`` for a supported ``"59.0"`` path segment, else None."""
    try:
        number = float(raw)
    except ValueError:
        return None
    if not MIN_API_VERSION <= number <= MAX_API_VERSION or number != int(number):
        return None
    return f"{int(number)}.0"


def request_target_length(request: Request) -> int:
    """Bytes of the request target (path and query string) as the client sent it."""
    raw_path: bytes = request.scope.get("raw_path") or request.url.path.encode()
    query: bytes = request.scope.get("query_string", b"")
    return len(raw_path) + (len(query) + 1 if query else 0)


def api_endpoint(
    handler: Callable[[Request, ApiCall], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler of ``/services/data/v{version}/…`` with the admission checks."""

    @functools.wraps(handler)
    async def admitted(request: Request) -> Response:
        state: EmulatorState = request.app.state.emulator
        length = request_target_length(request)
        if length > MAX_URI_BYTES:
            state.count("uri_too_long")
            return error_response(uri_too_long(length))
        latency = state.settings.faults.latency_ms
        if latency > 0:
            state.faults.count("latency")
            await asyncio.sleep(latency / 1000)
        if state.faults.server_unavailable():
            return error_response(server_unavailable())
        version = parse_version(request.path_params.get("version", ""))
        try:
            if version is None:
                raise not_found()
            if not state.api_enabled:
                raise api_disabled()
            session = state.sessions.authenticate(request.headers.get("authorization"))
            used, quota = state.usage.consume()
        except SalesforceApiError as error:
            state.count(f"rejected_{error.error_code}")
            return error_response(error)
        call = ApiCall(state=state, session=session, version=version)
        try:
            response = await handler(request, call)
        except SalesforceApiError as error:
            response = error_response(error)
        state.count("api_requests")
        response.headers["Sforce-Limit-Info"] = limit_info(used, quota)
        return response

    return admitted
