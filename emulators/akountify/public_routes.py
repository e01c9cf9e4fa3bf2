"""Endpoints without a company in the path: health and the OAuth token endpoint."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import orjson
from starlette.routing import Route

from emulators.akountify import accounts
from emulators.akountify.errors import ErrorDetail, bad_request
from emulators.akountify.web import emulator_of, json_response, read_body

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

GRANT_TYPES = ("client_credentials", "password")


async def health(_request: Request) -> Response:
    """``GET /v1/health``: readiness, no authentication."""
    return json_response({"status": "ok"})


def _form(raw: bytes, content_type: str) -> dict[str, str]:
    if content_type.startswith("application/json"):
        try:
            parsed = orjson.loads(raw) if raw.strip() else {}
        except orjson.JSONDecodeError as error:
            raise bad_request(f"the body is not valid JSON: {error}") from error
        if not isinstance(parsed, dict):
            raise bad_request("the body must be a JSON object or a form")
        return {str(key): str(value) for key, value in parsed.items() if value is not None}
    try:
        fields = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError as error:
        raise bad_request("the form is not UTF-8") from error
    return {key: values[0] for key, values in fields.items()}


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise bad_request("the Basic authorization header is not valid base64") from error
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise bad_request("the Basic authorization header must hold client_id:client_secret")
    return client_id, secret


def _required(form: dict[str, str], *names: str) -> list[str]:
    missing = [name for name in names if not form.get(name)]
    if missing:
        raise bad_request(
            f"missing {', '.join(missing)}",
            [
                ErrorDetail(name, "required", f"{name} is required for this grant")
                for name in missing
            ],
        )
    return [form[name] for name in names]


async def token(request: Request) -> Response:
    """``POST /v1/oauth/token``: client credentials (form or HTTP Basic) or a user's password."""
    emulator = emulator_of(request)
    raw = await read_body(request, emulator.settings.body_limit)
    form = _form(raw, request.headers.get("content-type", ""))
    grant = form.get("grant_type")
    if grant not in GRANT_TYPES:
        raise bad_request(
            f"grant_type must be {' or '.join(GRANT_TYPES)}",
            [
                ErrorDetail(
                    "grant_type",
                    "required" if not grant else "invalid_value",
                    "unsupported grant_type",
                )
            ],
        )
    ttl = emulator.settings.token_ttl
    issued: Any
    if grant == "client_credentials":
        basic = _basic_credentials(request.headers.get("authorization"))
        client_id, secret = basic or tuple(_required(form, "client_id", "client_secret"))
        issued = await emulator.db(
            accounts.token_for_client, emulator.connection, client_id, secret, ttl, emulator.clock
        )
    else:
        username, password = _required(form, "username", "password")
        issued = await emulator.db(
            accounts.token_for_user, emulator.connection, username, password, ttl, emulator.clock
        )
    return json_response(issued.to_json(), headers={"Cache-Control": "no-store"})


ROUTES = [
    Route("/v1/health", health, methods=["GET"]),
    Route("/v1/oauth/token", token, methods=["POST"]),
]
