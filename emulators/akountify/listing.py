"""Query parameters of the list endpoints, validated into a :class:`ListQuery`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulators.akountify.clock import parse_rfc3339
from emulators.akountify.errors import ErrorDetail, bad_request
from emulators.akountify.records import STATUSES, ListQuery, decode_cursor
from emulators.akountify.web import query_int, reject_unknown_params

if TYPE_CHECKING:
    from starlette.requests import Request

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
MAX_EXTERNAL_IDS = 100
MAX_QUERY_TEXT = 200
LIST_PARAMS = {"limit", "cursor", "external_id", "updated_since", "status", "q", "has_external_id"}


def _external_ids(request: Request) -> tuple[str, ...] | None:
    values = request.query_params.getlist("external_id")
    if not values:
        return None
    ids = tuple(
        dict.fromkeys(part.strip() for value in values for part in value.split(",") if part.strip())
    )
    if len(ids) > MAX_EXTERNAL_IDS:
        raise bad_request(
            f"external_id takes at most {MAX_EXTERNAL_IDS} values, got {len(ids)}: "
            "split the look-up",
            [
                ErrorDetail(
                    "external_id",
                    "too_many",
                    f"at most {MAX_EXTERNAL_IDS} values",
                    MAX_EXTERNAL_IDS,
                )
            ],
        )
    return ids


def parse_list_query(request: Request) -> ListQuery:
    """The list filters and page of ``request``.

    Raises:
        ApiError: 400 naming the bad parameter.
    """
    reject_unknown_params(request, LIST_PARAMS)
    params = request.query_params
    cursor = params.get("cursor")
    updated_since = params.get("updated_since")
    since = None
    if updated_since is not None:
        try:
            since = parse_rfc3339(updated_since)
        except ValueError as error:
            raise bad_request(
                "updated_since must be an RFC 3339 date-time such as 2026-01-31T00:00:00Z",
                [
                    ErrorDetail(
                        "updated_since", "invalid_format", f"{updated_since!r} is not RFC 3339"
                    )
                ],
            ) from error
    status = params.get("status")
    if status is not None and status not in STATUSES:
        raise bad_request(
            "status must be active or archived (omit it for both)",
            [ErrorDetail("status", "invalid_value", f"{status!r} is not a status")],
        )
    has_external_id = params.get("has_external_id")
    if has_external_id is not None and has_external_id not in {"true", "false"}:
        raise bad_request(
            "has_external_id must be true or false",
            [
                ErrorDetail(
                    "has_external_id", "invalid_value", f"{has_external_id!r} is not a boolean"
                )
            ],
        )
    q = params.get("q")
    if q is not None and len(q) > MAX_QUERY_TEXT:
        raise bad_request(
            f"q is at most {MAX_QUERY_TEXT} characters",
            [ErrorDetail("q", "too_long", "shorten the search text", MAX_QUERY_TEXT)],
        )
    return ListQuery(
        limit=query_int(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        after_seq=decode_cursor(cursor) if cursor else 0,
        external_ids=_external_ids(request),
        updated_since=since,
        status=status,
        q=q or None,
        has_external_id=None if has_external_id is None else has_external_id == "true",
    )
