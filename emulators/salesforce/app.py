"""The Salesforce emulator's ASGI application.

Routes of the REST, Bulk 2.0, OAuth, SOAP login and admin endpoints over one
:class:`~emulators.salesforce.state.EmulatorState`.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Route

from emulators.salesforce import admin, bulk, oauth, query, rest
from emulators.salesforce.errors import SalesforceApiError
from emulators.salesforce.responses import JsonResponse, error_response, not_found
from emulators.salesforce.state import EmulatorState

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from starlette.requests import Request
    from starlette.responses import Response

    from emulators.salesforce.settings import ServerSettings

_V = "/services/data/v{version}"


def routes() -> list[Route]:
    """Every route of the emulator."""
    return [
        Route("/services/oauth2/token", oauth.token_endpoint, methods=["POST"]),
        Route("/services/Soap/u/{version}", oauth.soap_login, methods=["POST"]),
        Route("/services/data", rest.versions, methods=["GET"]),
        Route("/services/data/", rest.versions, methods=["GET"]),
        Route(f"{_V}", rest.resources, methods=["GET"]),
        Route(f"{_V}/", rest.resources, methods=["GET"]),
        Route(f"{_V}/limits", rest.limits, methods=["GET"]),
        Route(f"{_V}/limits/", rest.limits, methods=["GET"]),
        Route(f"{_V}/sobjects", rest.sobjects, methods=["GET"]),
        Route(f"{_V}/sobjects/", rest.sobjects, methods=["GET"]),
        Route(f"{_V}/sobjects/{{name}}/describe", rest.sobject_describe, methods=["GET"]),
        Route(f"{_V}/sobjects/{{name}}/describe/", rest.sobject_describe, methods=["GET"]),
        Route(f"{_V}/sobjects/{{name}}", rest.sobject_root, methods=["GET", "POST"]),
        Route(f"{_V}/sobjects/{{name}}/", rest.sobject_root, methods=["GET", "POST"]),
        Route(
            f"{_V}/sobjects/{{name}}/{{record_id}}",
            rest.sobject_record,
            methods=["GET", "PATCH", "DELETE"],
        ),
        Route(f"{_V}/composite/batch", rest.composite_batch, methods=["POST"]),
        Route(f"{_V}/composite/batch/", rest.composite_batch, methods=["POST"]),
        Route(f"{_V}/query", query.query, methods=["GET"]),
        Route(f"{_V}/query/", query.query, methods=["GET"]),
        Route(f"{_V}/queryAll", query.query_all, methods=["GET"]),
        Route(f"{_V}/queryAll/", query.query_all, methods=["GET"]),
        Route(f"{_V}/query/{{locator}}", query.query_more, methods=["GET"]),
        Route(f"{_V}/queryAll/{{locator}}", query.query_more, methods=["GET"]),
        Route(f"{_V}/jobs/query", bulk.query_jobs, methods=["GET", "POST"]),
        Route(f"{_V}/jobs/query/", bulk.query_jobs, methods=["GET", "POST"]),
        Route(f"{_V}/jobs/query/{{job_id}}", bulk.query_job, methods=["GET", "PATCH", "DELETE"]),
        Route(f"{_V}/jobs/query/{{job_id}}/results", bulk.query_job_results, methods=["GET"]),
        Route("/_emulator/health", admin.health, methods=["GET"]),
        Route("/_emulator/clock", admin.clock, methods=["GET", "PUT"]),
        Route("/_emulator/faults", admin.faults, methods=["GET", "PUT"]),
        Route("/_emulator/limits", admin.limits, methods=["GET", "PUT"]),
        Route("/_emulator/api", admin.api_switch, methods=["GET", "PUT"]),
        Route("/_emulator/sessions/expire", admin.expire_sessions, methods=["POST"]),
        Route("/_emulator/settings", admin.runtime_settings, methods=["GET", "PUT"]),
        Route("/_emulator/stats", admin.stats, methods=["GET"]),
    ]


async def _api_error(request: Request, exc: Exception) -> Response:
    del request
    assert isinstance(exc, SalesforceApiError)  # noqa: S101 - registered for this type only
    return error_response(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    del request
    assert isinstance(exc, HTTPException)  # noqa: S101 - registered for this type only
    if exc.status_code == 404:  # noqa: PLR2004
        return error_response(not_found())
    if exc.status_code == 405:  # noqa: PLR2004
        error = SalesforceApiError(
            405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed for this resource"
        )
        return error_response(error)
    return JsonResponse(
        [{"errorCode": "UNKNOWN_EXCEPTION", "message": str(exc.detail)}],
        status_code=exc.status_code,
    )


def build_app(settings: ServerSettings, state: EmulatorState | None = None) -> Starlette:
    """Build the ASGI application (opening the data folder unless ``state`` is given)."""
    emulator = state or EmulatorState(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        del app
        try:
            yield
        finally:
            emulator.close()

    app = Starlette(
        routes=routes(),
        exception_handlers={SalesforceApiError: _api_error, HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.state.emulator = emulator
    return app
