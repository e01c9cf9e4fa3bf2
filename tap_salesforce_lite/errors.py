"""The tap's errors: one line each, naming what failed and the fix, never a secret.

Every error a person can act on derives from :class:`TapSalesforceError`, whose message is the
whole story (the command line prints it as one line, without a traceback). The sync engine uses
the other classes to steer itself: :class:`RetryableRequestError` is retried with backoff,
:class:`SessionExpiredError` triggers a new login, :class:`QueryTimeoutError` narrows the time
window, :class:`StopRequestedError` ends the run cleanly with a final state.
"""

from __future__ import annotations

from singer_sdk.exceptions import FatalAPIError, RetriableAPIError


class TapSalesforceError(FatalAPIError):
    """An error for people: the message says what failed and how to fix it."""


class AuthenticationError(TapSalesforceError):
    """Salesforce refused the login of the configured flow."""


class ObjectNotFoundError(TapSalesforceError):
    """A configured object does not exist or the integration user cannot see it."""


class FieldNotFoundError(TapSalesforceError):
    """A queried field does not exist or the integration user cannot see it."""


class ApiDisabledError(TapSalesforceError):
    """The org's edition or the user's profile does not allow API access."""


class PermissionMissingError(TapSalesforceError):
    """The integration user lacks a permission the sync needs."""


class SalesforceRequestError(TapSalesforceError):
    """Salesforce answered a request with an error the tap cannot work around.

    Attributes:
        status: HTTP status code.
        error_code: Salesforce ``errorCode`` (empty when the body had none).
        api_message: Salesforce's own message text.
    """

    def __init__(self, message: str, *, status: int, error_code: str, api_message: str) -> None:
        """Keep the parts of the API error next to the human message."""
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.api_message = api_message


class QueryTimeoutError(TapSalesforceError):
    """Salesforce answered QUERY_TIMEOUT: the query must cover a narrower time window."""


class InvalidQueryLocatorError(TapSalesforceError):
    """A REST ``nextRecordsUrl`` expired or is unknown: the query must be run again."""


class BulkUnavailableError(TapSalesforceError):
    """Bulk API 2.0 refused the object or the job failed: the stream falls back to REST."""


class RetryableRequestError(RetriableAPIError):
    """A transient failure (5xx, SERVER_UNAVAILABLE, connection error, timeout)."""


class UnreachableError(RetryableRequestError):
    """No connection could be made at all (refused, unknown host): maybe only a wrong URL."""


class SessionExpiredError(RetriableAPIError):
    """Salesforce answered INVALID_SESSION_ID: log in again and repeat the request."""


class StopRequestedError(Exception):
    """The run must stop cleanly now (daily API quota guard or REQUEST_LIMIT_EXCEEDED).

    Not a failure: the streams emit a final state that covers only what was emitted, and the
    next run continues from there.
    """
