"""``Idempotency-Key``: the first response to a write is stored for 24 hours and replayed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from emulators.akountify.errors import ApiError, ErrorDetail, bad_request

if TYPE_CHECKING:
    import sqlite3

KEY_MAX = 128
TTL_US = 24 * 3600 * 1_000_000
HEADER = "Idempotency-Key"
#: Drops a company's expired keys; runs on every keyed write, so it must search the age index
#: (a scan would read every stored response body of the company).
PURGE_SQL = "DELETE FROM idempotency_keys WHERE company_id = ? AND created_at < ?"


@dataclass(frozen=True)
class StoredResponse:
    """A response kept for a key."""

    status: int
    body: bytes


def check_key(value: str | None) -> str | None:
    """Validate the header (None when absent).

    Raises:
        ApiError: 400 when it is empty or longer than 128 characters.
    """
    if value is None:
        return None
    if not value.strip() or len(value) > KEY_MAX:
        raise bad_request(
            f"{HEADER} must be 1 to {KEY_MAX} characters (a UUID is a good choice)",
            [
                ErrorDetail(
                    HEADER,
                    "too_long" if value.strip() else "required",
                    f"{HEADER} is {len(value)} characters; the limit is {KEY_MAX}",
                    KEY_MAX,
                )
            ],
        )
    return value


def fingerprint(method: str, path: str, body: Any) -> str:
    """What makes two requests "the same": method, path and the JSON body (key order aside)."""
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(orjson.dumps(body, option=orjson.OPT_SORT_KEYS))
    return digest.hexdigest()


def find(
    connection: sqlite3.Connection, company_id: str, key: str, request_hash: str, now_us: int
) -> StoredResponse | None:
    """The stored response for this key, if any and not expired.

    Raises:
        ApiError: 422 ``idempotency_key_reused`` when the key was used for another request.
    """
    row = connection.execute(
        "SELECT request_hash, status, body, created_at FROM idempotency_keys "
        "WHERE company_id = ? AND key = ?",
        (company_id, key),
    ).fetchone()
    if row is None:
        return None
    if row[3] + TTL_US <= now_us:
        connection.execute(
            "DELETE FROM idempotency_keys WHERE company_id = ? AND key = ?", (company_id, key)
        )
        return None
    if row[0] != request_hash:
        raise ApiError(
            422,
            "idempotency_key_reused",
            f"this {HEADER} was already used for a different request in the last 24 hours: "
            "use a new key for a new request",
            [ErrorDetail(HEADER, "idempotency_key_reused", "the key belongs to another request")],
        )
    return StoredResponse(int(row[1]), bytes(row[2]))


def remember(
    connection: sqlite3.Connection,
    *,
    company_id: str,
    key: str,
    request_hash: str,
    response: StoredResponse,
    now_us: int,
) -> None:
    """Store the first response for a key (and purge keys older than 24 hours)."""
    connection.execute(
        "INSERT OR REPLACE INTO idempotency_keys(company_id, key, request_hash, status, body, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (company_id, key, request_hash, response.status, response.body, now_us),
    )
    connection.execute(PURGE_SQL, (company_id, now_us - TTL_US))
