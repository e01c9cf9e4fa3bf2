"""Turn a Salesforce error response into the tap's exception, with a one-line fix.

REST error bodies are a JSON list ``[{"message", "errorCode", "fields"?}]``; Bulk API 2.0 uses
the same shape. The message names what failed and what to do, in one line, without secrets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from tap_salesforce_lite.errors import (
    ApiDisabledError,
    FieldNotFoundError,
    InvalidQueryLocatorError,
    ObjectNotFoundError,
    PermissionMissingError,
    QueryTimeoutError,
    SalesforceRequestError,
    StopRequestedError,
)

if TYPE_CHECKING:
    import requests

    from tap_salesforce_lite.redaction import Redactor

_NO_SUCH_COLUMN = re.compile(r"No such column '([^']+)' on entity '([^']+)'")
_UNSUPPORTED_TYPE = re.compile(r"sObject type '([^']+)' is not supported")

PERMISSION_CODES: Final = frozenset(
    {
        "INSUFFICIENT_ACCESS",
        "INSUFFICIENT_ACCESS_OR_READONLY",
        "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
        "INSUFFICIENT_PRIVILEGES",
        "FUNCTIONALITY_NOT_ENABLED",
        "NOT_AUTHORIZED",
    }
)


@dataclass(frozen=True)
class ApiErrorBody:
    """The first error of a Salesforce error body.

    Attributes:
        status: HTTP status code.
        error_code: ``errorCode`` (or OAuth ``error``), empty when absent.
        message: The message text on one line, empty when absent.
    """

    status: int
    error_code: str
    message: str


def parse_error(response: requests.Response, redactor: Redactor) -> ApiErrorBody:
    """Read the error code and message of a failed response (any body shape).

    Args:
        response: The failed response (its body is read).
        redactor: Cleans the message of secrets.

    Returns:
        The status, code and one-line message.
    """
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    entry: Any = body[0] if isinstance(body, list) and body else body
    code = ""
    message = ""
    if isinstance(entry, dict):
        code = str(entry.get("errorCode") or entry.get("error") or "")
        message = str(entry.get("message") or entry.get("error_description") or "")
    elif not body:
        message = response.text[:300]
    return ApiErrorBody(response.status_code, code, one_line(redactor.redact(message)))


def one_line(text: str) -> str:
    """Collapse whitespace and line breaks so a message stays on one line."""
    return " ".join(text.split())


def error_for(error: ApiErrorBody, *, doing: str) -> Exception:
    """The exception that tells a person what failed while ``doing`` and how to fix it.

    Args:
        error: The parsed error response.
        doing: What the tap was doing, e.g. "querying Account" (no secrets).

    Returns:
        The exception to raise (:class:`StopRequestedError` for an exhausted quota).
    """
    code = error.error_code
    said = f"{code}: {error.message}" if code else error.message or f"HTTP {error.status}"
    if code == "INVALID_FIELD":
        return _field_error(error, said, doing)
    if code == "INVALID_TYPE":
        return _object_error(error, said, doing)
    template = _MESSAGES.get("PERMISSION" if code in PERMISSION_CODES else code)
    if template is not None:
        error_class, text = template
        return error_class(text.format(said=said, doing=doing))
    return SalesforceRequestError(
        f"Salesforce answered HTTP {error.status} while {doing}: {said}",
        status=error.status,
        error_code=code,
        api_message=error.message,
    )


#: Error classes and message templates by errorCode ({said}: Salesforce's text).
_MESSAGES: Final[dict[str, tuple[type[Exception], str]]] = {
    "REQUEST_LIMIT_EXCEEDED": (
        StopRequestedError,
        "Salesforce's daily API request limit is used up ({said}) while {doing}",
    ),
    "API_DISABLED_FOR_ORG": (
        ApiDisabledError,
        (
            "The Salesforce API is not enabled for this org ({said}): API access needs the "
            "Enterprise, Unlimited, Developer or Performance edition (or the API add-on) and a "
            "profile or permission set with 'API Enabled' for the integration user"
        ),
    ),
    "QUERY_TIMEOUT": (
        QueryTimeoutError,
        (
            "Salesforce timed out while {doing} ({said}): objects with a replication key are read "
            "in narrower time windows, others cannot be; select fewer fields of this object"
        ),
    ),
    "INVALID_QUERY_LOCATOR": (
        InvalidQueryLocatorError,
        (
            "The query cursor expired while {doing} ({said}) and reading again kept failing: run "
            "the sync again, it continues from its bookmark"
        ),
    ),
    "PERMISSION": (
        PermissionMissingError,
        (
            "The integration user lacks a permission needed for {doing} ({said}): grant it a "
            "permission set with 'API Enabled' and read access to the object and its fields"
        ),
    ),
}


def _field_error(error: ApiErrorBody, said: str, doing: str) -> FieldNotFoundError:
    match = _NO_SUCH_COLUMN.search(error.message)
    if match:
        field, entity = match.groups()
        return FieldNotFoundError(
            f"Field '{field}' does not exist on {entity}, or the integration user cannot see "
            f"it (field-level security), while {doing}: run discovery again to refresh the "
            f"catalog, deselect {field}, or give the user read access to {entity}.{field}"
        )
    return FieldNotFoundError(
        f"Salesforce rejected a field while {doing} ({said}): run discovery again to refresh "
        "the catalog, deselect the field, or give the integration user read access to it"
    )


def _object_error(error: ApiErrorBody, said: str, doing: str) -> ObjectNotFoundError:
    match = _UNSUPPORTED_TYPE.search(error.message)
    name = match.group(1) if match else "the object"
    return ObjectNotFoundError(
        f"Object {name} does not exist, or the integration user cannot see it, while {doing} "
        f"({said}): check the name in 'objects' (custom objects end in __c) or give the user "
        "read access to the object"
    )
