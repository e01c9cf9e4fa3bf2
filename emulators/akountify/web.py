"""HTTP helpers shared by the route modules: JSON responses, bodies, parameters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from starlette.responses import Response

from emulators.akountify.errors import ApiError, ErrorDetail, bad_request

if TYPE_CHECKING:
    from starlette.requests import Request

    from emulators.akountify.service import Emulator

JSON_TYPE = "application/json"


def emulator_of(request: Request) -> Emulator:
    """The :class:`Emulator` serving this request."""
    emulator: Emulator = request.app.state.emulator
    return emulator


def request_id(request: Request) -> str:
    """The id of this request (set by the envelope middleware)."""
    return str(request.scope.get("state", {}).get("request_id", "req_unknown"))


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response serialized with orjson."""
    return Response(orjson.dumps(body), status_code=status, headers=headers, media_type=JSON_TYPE)


def error_response(error: ApiError, rid: str) -> Response:
    """The contract's error response for ``error``."""
    return json_response(error.body(rid), error.status, error.headers)


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refusing more than ``limit`` bytes.

    Raises:
        ApiError: 413 ``payload_too_large`` (checked on Content-Length, then while reading).
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(int(declared), limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(size, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(size: int, limit: int) -> ApiError:
    return ApiError(
        413,
        "payload_too_large",
        f"the body is over {limit} bytes (at least {size}): send fewer operations or records "
        "per request",
        [ErrorDetail("body", "too_long", f"the body limit is {limit} bytes", limit)],
    )


async def read_json(request: Request, limit: int, *, optional: bool = False) -> Any:
    """The parsed JSON body (None for an empty body when ``optional``).

    Raises:
        ApiError: 413 when too large, 400 when not JSON or missing.
    """
    raw = await read_body(request, limit)
    if not raw.strip():
        if optional:
            return None
        raise bad_request("the request needs a JSON body")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise bad_request(f"the body is not valid JSON: {error}") from error


def if_match(request: Request) -> int | None:
    """The version in ``If-Match`` (``3``, ``"3"`` or ``W/"3"``), or None.

    Raises:
        ApiError: 400 when it is not a version number.
    """
    value = request.headers.get("if-match")
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise bad_request(
            "If-Match must be the record's version number, e.g. If-Match: 3",
            [ErrorDetail("If-Match", "invalid_format", f"{value!r} is not a version number")],
        )
    return int(text)


def query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within ``low..high``.

    Raises:
        ApiError: 400 when it is not a whole number in range.
    """
    value = request.query_params.get(name)
    if value is None:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise bad_request(
            f"{name} must be a whole number from {low} to {high}",
            [ErrorDetail(name, "invalid_value", f"{value!r} is not in {low}..{high}")],
        )
    return int(value)


def reject_unknown_params(request: Request, allowed: set[str]) -> None:
    """Refuse query parameters the endpoint does not know (typos must not pass silently).

    Raises:
        ApiError: 400 naming each unknown parameter.
    """
    unknown = sorted(set(request.query_params.keys()) - allowed)
    if unknown:
        raise bad_request(
            f"unknown query parameter(s) {', '.join(unknown)}: use {', '.join(sorted(allowed))}",
            [
                ErrorDetail(name, "unknown_field", f"{name} is not a parameter here")
                for name in unknown
            ],
        )
