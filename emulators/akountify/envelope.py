"""The outermost layer of the server: request ids, rate-limit headers, fault injection.

It is a plain ASGI middleware (not a Starlette one) because dropping a connection needs the
server's transport, which uvicorn exposes only through the ``receive`` callable it passes in.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from typing import TYPE_CHECKING

import orjson
from starlette.datastructures import MutableHeaders

from emulators.akountify.errors import ApiError
from emulators.akountify.faults import NO_FAULT, Decision

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from emulators.akountify.service import Emulator

logger = logging.getLogger(__name__)
_CLIENT_REQUEST_ID = re.compile(r"^[\x21-\x7e]{1,200}$")
_FAULT_FREE_PREFIXES = ("/v1/health", "/v1/_admin")


def new_request_id() -> str:
    """A fresh request id: ``req_`` and 24 hex digits."""
    return "req_" + secrets.token_hex(12)


def _drop_connection(receive: Receive) -> None:
    """Close the client's TCP connection at once, without an HTTP answer.

    uvicorn's ``receive`` is a method of the request cycle that owns the transport.

    Raises:
        RuntimeError: Under a server that does not expose its transport that way.
    """
    cycle = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise RuntimeError("this ASGI server does not expose its transport: cannot drop")
    transport.abort()


class Envelope:
    """Adds ``X-Request-Id`` and ``X-RateLimit-*`` to every response and injects faults."""

    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        """Wrap ``app``; ``emulator`` supplies the limiter and the fault injector."""
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        sent_id = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = sent_id if _CLIENT_REQUEST_ID.match(sent_id) else new_request_id()
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        limiter = self.emulator.limiter

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers["X-Request-Id"] = request_id
                rate = state.get("rate") or limiter.default_state()
                for name, value in rate.headers().items():
                    if name not in response_headers:
                        response_headers[name] = value
            await send(message)

        path: str = scope["path"]
        if path.startswith(_FAULT_FREE_PREFIXES):
            await self._call_app(scope, receive, send_with_headers)
            return
        decision = self.emulator.faults.decide()
        if decision is NO_FAULT:
            await self._call_app(scope, receive, send_with_headers)
        else:
            await self._with_fault(decision, scope, receive, send_with_headers)

    async def _with_fault(
        self, decision: Decision, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Serve one request that the fault injector picked."""
        method, path = scope["method"], scope["path"]
        if decision.latency:
            await asyncio.sleep(decision.latency)
        if decision.drop_before:
            _drop_connection(receive)
            logger.info("fault: dropped the connection of %s %s", method, path)
            return
        if decision.status is not None:
            await self._answer_fault(decision.status, scope["state"]["request_id"], send)
            return
        if not decision.drop_after:
            await self._call_app(scope, receive, send)
            return

        async def swallow(_message: Message) -> None:
            return

        await self.app(scope, receive, swallow)
        _drop_connection(receive)
        logger.info("fault: processed %s %s, then dropped the connection", method, path)

    async def _call_app(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Call the app; an unexpected error already answered 500 keeps the connection usable."""
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if not started:
                raise
            # Starlette re-raises after its 500 answer so servers can log it; it is logged.

    async def _answer_fault(self, status: int, request_id: str, send: Send) -> None:
        retry_after = str(self.emulator.faults.faults.retry_after)
        if status == 429:  # noqa: PLR2004
            error = ApiError(429, "rate_limited", "too many requests (injected burst): retry later")
            extra = {"Retry-After": retry_after, "X-RateLimit-Remaining": "0"}
        elif status == 503:  # noqa: PLR2004
            error = ApiError(
                503, "service_unavailable", "service unavailable (injected): retry later"
            )
            extra = {"Retry-After": retry_after}
        else:
            error = ApiError(500, "internal_error", "internal error (injected): retry later")
            extra = {}
        body = orjson.dumps(error.body(request_id))
        raw_headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *((name.lower().encode(), value.encode()) for name, value in extra.items()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": body})
