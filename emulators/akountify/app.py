"""The ASGI application: routes, error rendering, start-up and shut-down."""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException

from emulators.akountify import admin_routes, api_routes, public_routes
from emulators.akountify.envelope import Envelope
from emulators.akountify.errors import ApiError
from emulators.akountify.service import Emulator
from emulators.akountify.web import error_response, request_id

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.types import ASGIApp

    from emulators.akountify.settings import ServeSettings

logger = logging.getLogger(__name__)
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)  # noqa: S101 - registered for ApiError only
    return error_response(exc, request_id(request))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)  # noqa: S101 - registered for HTTPException only
    code = _HTTP_CODES.get(exc.status_code, "bad_request")
    message = (
        f"no such endpoint: {request.method} {request.url.path}"
        if exc.status_code == 404  # noqa: PLR2004
        else f"{request.method} is not allowed on {request.url.path}"
    )
    return error_response(
        ApiError(exc.status_code, code, message, headers=dict(exc.headers or {})),
        request_id(request),
    )


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.error("unexpected error in %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        ApiError(500, "internal_error", "the emulator failed unexpectedly; see its log"),
        request_id(request),
    )


def create_app(settings: ServeSettings, admin_token: str) -> ASGIApp:
    """Build the emulator's ASGI application.

    Args:
        settings: Server settings (the data folder is opened at once).
        admin_token: Bearer token of the admin endpoints.

    Returns:
        The application, ready for uvicorn.
    """
    emulator = Emulator(settings, admin_token)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            emulator.close()

    app = Starlette(
        routes=[*public_routes.ROUTES, *admin_routes.ROUTES, *api_routes.ROUTES],
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
        lifespan=lifespan,
    )
    app.state.emulator = emulator
    return Envelope(app, emulator)
