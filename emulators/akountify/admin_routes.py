"""Admin endpoints of the emulator, outside the Akountify API; they need the admin token.

They create companies and API clients, and change fault injection, rate limits and the clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.routing import Route

from emulators.akountify import accounts
from emulators.akountify.errors import ErrorDetail, validation_error
from emulators.akountify.web import emulator_of, json_response, read_json

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

ADMIN = "/v1/_admin"
_CLOCK_KEYS = {"offset_seconds", "advance_seconds", "frozen"}


async def _admin_body(request: Request) -> Any:
    emulator = emulator_of(request)
    emulator.check_admin(request.headers.get("authorization"))
    if request.method in {"GET", "DELETE"}:
        return None
    return await read_json(request, emulator.settings.body_limit)


async def create_company(request: Request) -> Response:
    """``POST /v1/_admin/companies {"name"}``: a company with an API client and a user."""
    body = await _admin_body(request)
    emulator = emulator_of(request)
    name = body.get("name") if isinstance(body, dict) else None
    company = await emulator.db(accounts.create_company, emulator.connection, name, emulator.clock)
    return json_response(company.to_json(), 201)


async def add_client(request: Request) -> Response:
    """``POST /v1/_admin/companies/{cid}/clients {"name"?}``: another API client."""
    body = await _admin_body(request)
    emulator = emulator_of(request)
    name = (body or {}).get("name") if isinstance(body, dict) else None
    company_id = request.path_params["company_id"]
    client_id, secret = await emulator.db(
        accounts.add_api_client,
        emulator.connection,
        company_id,
        str(name or "API client"),
        emulator.clock,
    )
    return json_response(
        {"company_id": company_id, "client_id": client_id, "client_secret": secret}, 201
    )


async def faults(request: Request) -> Response:
    """``GET/PUT /v1/_admin/faults``: read or change fault injection (partial object)."""
    body = await _admin_body(request)
    injector = emulator_of(request).faults
    if body is not None:
        injector.configure(injector.faults.updated(body))
    return json_response(injector.faults.to_json())


async def limits(request: Request) -> Response:
    """``GET/PUT /v1/_admin/limits``: defaults or one company's (``company_id``); 0 = off."""
    body = await _admin_body(request)
    limiter = emulator_of(request).limiter
    if body is not None:
        limiter.configure(body)
    return json_response(limiter.to_json())


async def clock(request: Request) -> Response:
    """``GET/PUT /v1/_admin/clock``: ``offset_seconds``, ``advance_seconds``, ``frozen``."""
    body = await _admin_body(request)
    emulator = emulator_of(request)
    if body is not None:
        details = []
        if not isinstance(body, dict):
            details.append(ErrorDetail("body", "invalid_format", "the body must be an object"))
        else:
            for key, value in body.items():
                if key not in _CLOCK_KEYS:
                    details.append(
                        ErrorDetail(key, "unknown_field", f"use {', '.join(sorted(_CLOCK_KEYS))}")
                    )
                elif key == "frozen" and not isinstance(value, bool):
                    details.append(
                        ErrorDetail(key, "invalid_format", "frozen must be true or false")
                    )
                elif key != "frozen" and (
                    isinstance(value, bool) or not isinstance(value, int | float)
                ):
                    details.append(ErrorDetail(key, "invalid_format", f"{key} must be a number"))
        if details:
            raise validation_error(details, "clock")
        emulator.clock.configure(
            offset_seconds=body.get("offset_seconds"), frozen=body.get("frozen")
        )
        if "advance_seconds" in body:
            emulator.clock.advance(body["advance_seconds"])
    return json_response(emulator.clock.to_json())


ROUTES = [
    Route(f"{ADMIN}/companies", create_company, methods=["POST"]),
    Route(f"{ADMIN}/companies/{{company_id}}/clients", add_client, methods=["POST"]),
    Route(f"{ADMIN}/faults", faults, methods=["GET", "PUT"]),
    Route(f"{ADMIN}/limits", limits, methods=["GET", "PUT"]),
    Route(f"{ADMIN}/clock", clock, methods=["GET", "PUT"]),
]
