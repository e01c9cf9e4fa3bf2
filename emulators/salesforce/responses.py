"""HTTP responses in Salesforce's formats: orjson bodies, JSON-list errors, cut connections."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import orjson
from starlette.responses import Response

from emulators.salesforce.errors import SalesforceApiError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping

    from starlette.types import Receive, Scope, Send

JSON_MEDIA_TYPE = "application/json;charset=UTF-8"
CSV_MEDIA_TYPE = "text/csv"


class JsonResponse(Response):
    """A JSON response serialized with orjson (``orjson.Fragment`` embeds cached JSON)."""

    media_type = JSON_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        """Serialize ``content``."""
        return orjson.dumps(content)


def error_response(error: SalesforceApiError, headers: Mapping[str, str] | None = None) -> Response:
    """Render an API error as Salesforce does: its status and a JSON list body."""
    return JsonResponse(error.body(), status_code=error.status, headers=headers)


def not_found() -> SalesforceApiError:
    """Salesforce's error for an unknown resource."""
    return SalesforceApiError(404, "NOT_FOUND", "The requested resource does not exist")


class InjectedDisconnectError(ConnectionAbortedError):
    """Raised inside the server to cut a connection on purpose (fault injection)."""


class _DropInjectedDisconnects(logging.Filter):
    """Keep the server log free of tracebacks for connections cut on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, InjectedDisconnectError)


def install_disconnect_log_filter() -> None:
    """Silence uvicorn's error log for deliberately cut connections."""
    logging.getLogger("uvicorn.error").addFilter(_DropInjectedDisconnects())


class CutResponse(Response):
    """A response whose connection is cut after the headers or part of the body.

    The headers announce the full ``Content-Length``; then the server closes the connection, so
    the client sees an incomplete read (``requests`` raises ``ChunkedEncodingError``).
    """

    def __init__(
        self, body: bytes, *, status_code: int, headers: Mapping[str, str], cut_after_headers: bool
    ) -> None:
        """Prepare the truncated response."""
        super().__init__(content=body, status_code=status_code, headers=dict(headers))
        self._cut_after_headers = cut_after_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the headers (and half the body), then abort."""
        del scope, receive
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        if not self._cut_after_headers:
            half = self.body[: max(len(self.body) // 2, 1)]
            await send({"type": "http.response.body", "body": half, "more_body": True})
        raise InjectedDisconnectError("connection cut by the drop_connection fault")


class ChunkedCsvResponse(Response):
    """A streamed response (chunked transfer encoding), optionally cut mid-stream.

    Args:
        chunks: The body, piece by piece.
        headers: Response headers.
        cut: None to send everything; ``"headers"`` or ``"body"`` to abort after the headers
            or after the first chunk.
    """

    media_type = CSV_MEDIA_TYPE

    def __init__(
        self, chunks: AsyncIterator[bytes], *, headers: Mapping[str, str], cut: str | None
    ) -> None:
        """Prepare the stream (no Content-Length: the body is chunked)."""
        self.status_code = 200
        self.background = None
        self.init_headers(dict(headers))
        self._chunks = chunks
        self._cut = cut

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Stream the chunks."""
        del scope, receive
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        if self._cut == "headers":
            raise InjectedDisconnectError("connection cut by the drop_connection fault")
        async for chunk in self._chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            if self._cut == "body":
                raise InjectedDisconnectError("connection cut by the drop_connection fault")
        await send({"type": "http.response.body", "body": b"", "more_body": False})
