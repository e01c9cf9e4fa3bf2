"""The Salesforce API client every stream shares: auth, retries, re-auth and the quota guard.

One :class:`SalesforceClient` per tap run. Every call goes through :meth:`SalesforceClient.request`,
which

* logs in lazily with the configured flow and logs in again on ``INVALID_SESSION_ID``, at any
  point of a long run (Bulk result downloads included);
* retries 5xx, ``SERVER_UNAVAILABLE``, connection errors and timeouts with exponential backoff
  and jitter;
* reads ``Sforce-Limit-Info`` from every response and refuses to send a request that would take
  the org's daily usage past ``max_api_usage_percent`` (:class:`StopRequestedError`);
* turns error responses into the tap's one-line errors;
* counts the API calls it made, by kind, for logs and benchmarks.
"""

from __future__ import annotations

import decimal
import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import msgspec
import requests

from tap_salesforce_lite.api_errors import error_for, parse_error
from tap_salesforce_lite.auth import Authenticator
from tap_salesforce_lite.bulk_wait import BulkThroughput
from tap_salesforce_lite.errors import (
    AuthenticationError,
    RetryableRequestError,
    SessionExpiredError,
    StopRequestedError,
    TapSalesforceError,
)
from tap_salesforce_lite.redaction import Redactor
from tap_salesforce_lite.transport import (
    PinnedCASession,
    RetryPolicy,
    is_tls_failure,
    transport_errors,
)

if TYPE_CHECKING:
    from datetime import datetime

    from tap_salesforce_lite.auth import AccessToken
    from tap_salesforce_lite.settings import TapSettings

LOGGER = logging.getLogger(__name__)

#: JSON decoder that keeps every JSON number with a fraction as an exact Decimal.
JSON_DECODER: Final = msgspec.json.Decoder(float_hook=decimal.Decimal)

_LIMIT_INFO = re.compile(r"api-usage=(\d+)/(\d+)")
_HTTP_ERROR: Final = 400
_HTTP_SERVER_ERROR: Final = 500
_HTTP_UNAUTHORIZED: Final = 401
_HTTP_TOO_MANY: Final = 429
_MAX_RELOGINS_PER_REQUEST: Final = 2


@dataclass
class ApiUsage:
    """The org's daily API usage, as the last ``Sforce-Limit-Info`` header reported it.

    Attributes:
        used: Requests used today (None until a response reported it).
        limit: The daily maximum (None until a response reported it).
    """

    used: int | None = None
    limit: int | None = None

    def update(self, header: str | None) -> None:
        """Read ``api-usage=N/M`` from a ``Sforce-Limit-Info`` header value."""
        if not header:
            return
        match = _LIMIT_INFO.search(header)
        if match:
            self.used, self.limit = int(match.group(1)), int(match.group(2))

    def percent(self) -> float | None:
        """Usage in percent of the daily limit, or None when unknown."""
        if self.used is None or not self.limit:
            return None
        return 100.0 * self.used / self.limit

    def would_pass(self, max_percent: float) -> bool:
        """Whether one more request would take usage past ``max_percent`` of the limit."""
        if self.used is None or not self.limit:
            return False
        return (self.used + 1) * 100.0 > max_percent * self.limit


class SalesforceClient:
    """Authenticated, resilient access to one org's REST and Bulk 2.0 APIs."""

    def __init__(self, settings: TapSettings, redactor: Redactor | None = None) -> None:
        """Prepare the client; nothing is sent until the first request.

        Args:
            settings: Validated settings.
            redactor: Shared secret scrubber (one is made from the settings when omitted).
        """
        self.settings = settings
        self.redactor = redactor or Redactor(settings.secret_values())
        self.session = PinnedCASession(settings.ca_bundle)
        self.retry = RetryPolicy(
            max_retries=settings.max_retries,
            initial_delay=settings.retry_initial_delay,
            max_delay=settings.retry_max_delay,
        )
        self.authenticator = Authenticator(settings, self.session, self.retry, self.redactor)
        self.usage = ApiUsage()
        self.calls: Counter[str] = Counter()
        self.bulk_throughput = BulkThroughput()
        self.first_issued_at: datetime | None = None
        self._token: AccessToken | None = None

    # Session

    @property
    def token(self) -> AccessToken:
        """The current access token (logs in on first use)."""
        if self._token is None:
            self._token = self.authenticator.login()
            if self.first_issued_at is None:
                self.first_issued_at = self._token.issued_at
        return self._token

    @property
    def instance_url(self) -> str:
        """Base URL of the org's instance."""
        return self.token.instance_url

    def data_path(self, path: str) -> str:
        """The absolute path of a REST resource, e.g. ``data_path("limits")``."""
        return f"/services/data/v{self.settings.api_version}/{path.lstrip('/')}"

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()

    # Requests

    def request(
        self,
        method: str,
        path: str,
        *,
        doing: str,
        kind: str,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        stream: bool = False,
    ) -> requests.Response:
        """Send one API request with retries, re-authentication and the quota guard.

        Args:
            method: HTTP method.
            path: Absolute path on the instance (``/services/...``) or a full URL on it.
            doing: What the request is for, for messages ("querying Account"); no secrets.
            kind: Call category for the counters ("query", "describe", "bulk" ...).
            params: Query string parameters.
            json_body: JSON request body.
            headers: Extra headers.
            stream: Whether to stream the response body.

        Returns:
            The successful response (status below 400).

        Raises:
            StopRequestedError: The quota guard or REQUEST_LIMIT_EXCEEDED stops the run.
            AuthenticationError: The session was refused again right after a new login.
            RetryableRequestError: Transient failures outlasted every retry.
        """
        relogins = 0
        while True:
            try:
                return self.retry.call(
                    lambda: self._send_once(
                        method,
                        path,
                        doing=doing,
                        kind=kind,
                        params=params,
                        json_body=json_body,
                        headers=headers,
                        stream=stream,
                    ),
                    what=doing,
                )
            except SessionExpiredError:
                if relogins >= _MAX_RELOGINS_PER_REQUEST:
                    raise AuthenticationError(
                        f"Salesforce refused a fresh session ({self.authenticator.flow} flow) "
                        f"while {doing}: check that the integration user is active, has 'API "
                        "Enabled', and that no IP restriction or session policy blocks it"
                    ) from None
                relogins += 1
                LOGGER.info("Session expired while %s; logging in again", doing)
                self._token = None

    def get_json(
        self,
        path: str,
        *,
        doing: str,
        kind: str,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """GET a JSON resource; numbers with fractions come back as exact Decimals."""
        response = self.request("GET", path, doing=doing, kind=kind, params=params, headers=headers)
        return self._decode(response, doing)

    def send_json(self, method: str, path: str, body: Any, *, doing: str, kind: str) -> Any:
        """Send a JSON body (POST/PATCH) and decode the JSON answer (None when empty)."""
        response = self.request(method, path, doing=doing, kind=kind, json_body=body)
        if not response.content:
            return None
        return self._decode(response, doing)

    def _decode(self, response: requests.Response, doing: str) -> Any:
        try:
            return JSON_DECODER.decode(response.content)
        except msgspec.DecodeError:
            raise RetryableRequestError(f"unreadable JSON from Salesforce while {doing}") from None

    def _send_once(
        self,
        method: str,
        path: str,
        *,
        doing: str,
        kind: str,
        params: dict[str, Any] | None,
        json_body: Any,
        headers: dict[str, str] | None,
        stream: bool,
    ) -> requests.Response:
        if self.usage.would_pass(self.settings.max_api_usage_percent):
            raise StopRequestedError(
                f"Stopped before {doing}: the org has used {self.usage.used} of its "
                f"{self.usage.limit} daily API requests ({self.usage.percent():.1f}%), and "
                f"max_api_usage_percent is {self.settings.max_api_usage_percent:g}"
            )
        token = self.token
        url = path if path.startswith("https://") else f"{token.instance_url}{path}"
        all_headers = {"Authorization": f"Bearer {token.access_token}", **(headers or {})}
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                json=json_body,
                headers=all_headers,
                timeout=self.settings.request_timeout,
                stream=stream,
            )
        except requests.RequestException as exc:
            if is_tls_failure(exc):
                raise TapSalesforceError(
                    f"The TLS certificate of {token.instance_url} is not trusted: set ca_bundle "
                    "to the CA certificate that signed it"
                ) from None
            if isinstance(exc, transport_errors()):
                self.calls[kind] += 1
                raise RetryableRequestError(
                    f"connection problem ({exc.__class__.__name__})"
                ) from None
            raise
        self.calls[kind] += 1
        self.usage.update(response.headers.get("Sforce-Limit-Info"))
        status = response.status_code
        if status < _HTTP_ERROR:
            return response
        error = parse_error(response, self.redactor)
        response.close()
        if status >= _HTTP_SERVER_ERROR or status == _HTTP_TOO_MANY:
            raise RetryableRequestError(f"HTTP {status} {error.error_code}".rstrip())
        if status == _HTTP_UNAUTHORIZED:
            raise SessionExpiredError(error.error_code or "HTTP 401")
        raise error_for(error, doing=doing)
