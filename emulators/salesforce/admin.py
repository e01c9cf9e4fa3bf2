"""Admin endpoints under ``/_emulator/…``.

Health, clock, faults, limits, API switch, sessions, settings and statistics. All but
``health`` need ``Authorization: Bearer <admin token>``.
"""

from __future__ import annotations

import functools
import secrets
from typing import TYPE_CHECKING, Any

import orjson

from emulators.salesforce.clock import parse_instant
from emulators.salesforce.responses import JsonResponse

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from starlette.requests import Request
    from starlette.responses import Response

    from emulators.salesforce.state import EmulatorState

#: Server settings the admin endpoint may change at run time, with their types.
RUNTIME_SETTINGS: dict[str, type] = {
    "query_page_size": int,
    "bulk_page_size": int,
    "bulk_polls_in_progress": int,
    "locator_idle_seconds": float,
}


class AdminInputError(ValueError):
    """A bad admin request; the message says what to send instead."""


def _problem(status: int, message: str) -> Response:
    return JsonResponse({"error": message}, status_code=status)


def admin_endpoint(
    handler: Callable[[Request, EmulatorState], Awaitable[Any]],
) -> Callable[[Request], Awaitable[Response]]:
    """Check the admin token, run the handler and render its result (or input error) as JSON."""

    @functools.wraps(handler)
    async def guarded(request: Request) -> Response:
        state: EmulatorState = request.app.state.emulator
        given = request.headers.get("authorization", "")
        scheme, _, token = given.partition(" ")
        expected = state.settings.admin_token
        if scheme.lower() != "bearer" or not secrets.compare_digest(
            token.strip().encode(), expected.encode()
        ):
            return _problem(401, "admin endpoints need 'Authorization: Bearer <admin token>'")
        try:
            body = await handler(request, state)
        except AdminInputError as error:
            return _problem(400, str(error))
        return JsonResponse(body)

    return guarded


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise AdminInputError(f"the body is not valid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise AdminInputError("the body must be a JSON object")
    return payload


async def health(request: Request) -> Response:
    """``GET /_emulator/health``: readiness, no token needed."""
    state: EmulatorState = request.app.state.emulator
    return JsonResponse({"status": "ok", "instance_url": state.settings.instance_url})


@admin_endpoint
async def clock(request: Request, state: EmulatorState) -> Any:
    """``GET``/``PUT /_emulator/clock``.

    Send ``{"now": iso|null, "frozen": bool}`` or ``{"advance_seconds": n}``.
    """
    if request.method == "PUT":
        payload = await _json_object(request)
        if "advance_seconds" in payload:
            seconds = payload["advance_seconds"]
            if isinstance(seconds, bool) or not isinstance(seconds, int | float):
                raise AdminInputError("advance_seconds must be a number of seconds")
            state.clock.advance(float(seconds))
        elif "now" in payload:
            now = payload["now"]
            frozen = payload.get("frozen", True)
            if now is not None and not isinstance(now, str):
                raise AdminInputError('"now" must be an ISO 8601 date-time string or null')
            try:
                moment = parse_instant(now) if now is not None else None
            except ValueError as exc:
                raise AdminInputError(f'"now" is not an ISO 8601 date-time: {now!r}') from exc
            state.clock.set(moment, frozen=bool(frozen))
        else:
            raise AdminInputError(
                'send {"now": "2024-01-01T00:00:00Z"|null} or {"advance_seconds": n}'
            )
    return state.clock.describe()


@admin_endpoint
async def faults(request: Request, state: EmulatorState) -> Any:
    """``GET``/``PUT /_emulator/faults``.

    PUT changes the settings it names; ``{"reset": true}`` first turns every fault off and
    clears the counts of injected faults.
    """
    if request.method == "PUT":
        payload = await _json_object(request)
        if payload.pop("reset", False):
            state.settings.faults.reset()
            state.faults.clear_counts()
        try:
            state.settings.faults.update(payload)
        except ValueError as exc:
            raise AdminInputError(str(exc)) from exc
        state.faults.reseed()
    return {"settings": state.settings.faults.as_dict(), "injected": state.faults.stats()}


@admin_endpoint
async def limits(request: Request, state: EmulatorState) -> Any:
    """``GET``/``PUT /_emulator/limits``: ``{"daily_quota": n, "used": n}``."""
    if request.method == "PUT":
        payload = await _json_object(request)
        values: dict[str, int] = {}
        for name in ("daily_quota", "used"):
            if name in payload:
                value = payload[name]
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise AdminInputError(f"{name} must be a whole number of 0 or more")
                values[name] = value
        unknown = set(payload) - {"daily_quota", "used"}
        if unknown:
            raise AdminInputError(f"unknown limit settings: {', '.join(sorted(unknown))}")
        state.usage.set(**values)
    used, quota = state.usage.snapshot()
    return {"daily_quota": quota, "used": used, "remaining": max(quota - used, 0)}


@admin_endpoint
async def api_switch(request: Request, state: EmulatorState) -> Any:
    """``GET``/``PUT /_emulator/api``: ``{"enabled": false}`` gives API_DISABLED_FOR_ORG."""
    if request.method == "PUT":
        payload = await _json_object(request)
        enabled = payload.get("enabled")
        if not isinstance(enabled, bool):
            raise AdminInputError('send {"enabled": true|false}')
        state.api_enabled = enabled
    return {"enabled": state.api_enabled}


@admin_endpoint
async def expire_sessions(request: Request, state: EmulatorState) -> Any:
    """``POST /_emulator/sessions/expire``: end every access token now."""
    del request
    return {"expired": state.sessions.expire_all()}


@admin_endpoint
async def runtime_settings(request: Request, state: EmulatorState) -> Any:
    """``GET``/``PUT /_emulator/settings``: page sizes and Bulk polling behaviour."""
    settings = state.settings
    if request.method == "PUT":
        payload = await _json_object(request)
        for name, value in payload.items():
            kind = RUNTIME_SETTINGS.get(name)
            if kind is None:
                known = ", ".join(sorted(RUNTIME_SETTINGS))
                raise AdminInputError(f"unknown setting {name!r}; known settings: {known}")
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise AdminInputError(f"{name} must be a number of 0 or more")
            if name == "query_page_size" and not 200 <= value <= 2000:  # noqa: PLR2004
                raise AdminInputError("query_page_size must be between 200 and 2000")
        for name, value in payload.items():
            setattr(settings, name, RUNTIME_SETTINGS[name](value))
        state.cursors.idle_seconds = settings.locator_idle_seconds
    return {name: getattr(settings, name) for name in RUNTIME_SETTINGS}


@admin_endpoint
async def stats(request: Request, state: EmulatorState) -> Any:
    """``GET /_emulator/stats``: requests served by kind, faults injected, open cursors."""
    del request
    used, quota = state.usage.snapshot()
    return {
        "requests": state.stats_snapshot(),
        "faults_injected": state.faults.stats(),
        "open_query_cursors": state.cursors.open_count(),
        "bulk_jobs": len(state.bulk_jobs.all()),
        "api_usage": {"used": used, "daily_quota": quota},
    }
