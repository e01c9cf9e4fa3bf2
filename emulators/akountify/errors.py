"""The one error type of the Akountify API and its JSON shape.

Every part of the emulator raises :class:`ApiError`; the server renders it as
``{"error": {"code", "message", "request_id", "details": [...]}}`` with the HTTP status.
Batch operations render the same error without ``request_id`` inside their result.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ErrorDetail:
    """One problem with one field of a request.

    Attributes:
        field: The field's path in the request body (``billing_address.country``,
            ``lines[2].unit_price``, ``custom_fields.region``).
        code: A detail code of the contract (``required``, ``too_long``, ``invalid_format`` …).
        message: What is wrong and how to fix it.
        limit: The limit that was passed, for ``too_long`` and ``too_many``.
        extra: Further members of the detail (``existing_id``, ``current_version``).
    """

    field: str
    code: str
    message: str
    limit: int | None = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The detail as the contract renders it."""
        body: dict[str, Any] = {"field": self.field, "code": self.code, "message": self.message}
        if self.limit is not None:
            body["limit"] = self.limit
        body.update(self.extra)
        return body


class ApiError(Exception):
    """An error answered to the client.

    Attributes:
        status: HTTP status code.
        code: Top-level error code (``validation_failed``, ``not_found`` …).
        message: Human-readable summary naming what failed and the fix.
        details: One entry per bad field (may be empty).
        headers: Extra response headers (``Retry-After``).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[ErrorDetail] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Build the error; see the class attributes."""
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers or {}

    def to_json(self) -> dict[str, Any]:
        """The ``error`` object without a request id (the form used inside batch results)."""
        return {
            "code": self.code,
            "message": self.message,
            "details": [detail.to_json() for detail in self.details],
        }

    def body(self, request_id: str) -> dict[str, Any]:
        """The full response body for this error."""
        error = self.to_json()
        return {
            "error": {
                "code": error["code"],
                "message": error["message"],
                "request_id": request_id,
                "details": error["details"],
            }
        }


def validation_error(details: list[ErrorDetail], subject: str) -> ApiError:
    """A 422 for field problems (``invalid_reference`` when every detail is one).

    The top-level code is ``validation_failed`` otherwise.

    Args:
        details: The problems found (at least one).
        subject: What was being validated, for the message (``customer ext-1``).

    Returns:
        The error to raise.
    """
    codes = {detail.code for detail in details}
    fields = ", ".join(dict.fromkeys(detail.field for detail in details))
    if codes == {"invalid_reference"}:
        return ApiError(
            422,
            "invalid_reference",
            f"{subject}: a referenced record does not exist ({fields}); create it first or "
            "fix the reference",
            details,
        )
    return ApiError(
        422,
        "validation_failed",
        f"{subject}: {len(details)} problem(s) in {fields}; see details for each fix",
        details,
    )


def bad_request(message: str, details: list[ErrorDetail] | None = None) -> ApiError:
    """A 400 ``bad_request`` (malformed JSON, parameters or headers)."""
    return ApiError(400, "bad_request", message, details)


def not_found(message: str) -> ApiError:
    """A 404 ``not_found``."""
    return ApiError(404, "not_found", message)
