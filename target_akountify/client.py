"""The Akountify HTTP client: auth, pacing, concurrency, retries, idempotency keys.

* Auth: OAuth client credentials; the token is renewed before it expires and once on a 401.
* Pacing: :class:`~target_akountify.pacing.RatePacer` from ``X-RateLimit-*``.
* Concurrency: at most ``max_concurrency`` requests in flight (a semaphore).
* Retries (tenacity): 429 waits ``Retry-After``; 5xx, timeouts and dropped connections back off
  exponentially with jitter; a write carries the same ``Idempotency-Key`` on every attempt, a
  key derived from the request's content, so a retry after a dropped connection never applies
  twice.
* Errors: a 4xx other than 401/429 raises :class:`AkountifyError` with Akountify's code,
  message, details and request id; retries exhausted raise :class:`AkountifyUnavailableError`.

Neither the client secret nor any token ever appears in a log line or an error message.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus, urlencode

import msgspec
import urllib3
from singer_sdk.exceptions import FatalAPIError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from target_akountify.pacing import RatePacer
from target_akountify.rejected import decode_json, encode_json

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

LOGGER = logging.getLogger("target_akountify.client")
RETRIABLE_STATUS = frozenset({429, 500, 502, 503, 504})
TOKEN_RENEWAL_MARGIN_SECONDS = 60.0
USER_AGENT = "target-akountify (salesforce-akountify)"


@dataclass
class AkountifyError(Exception):
    """Akountify refused a request (a 4xx that retrying cannot fix).

    Attributes:
        status: HTTP status.
        code: Akountify's error code (``validation_failed``…).
        message: Akountify's message.
        details: Akountify's details (field, code, message, …).
        request_id: Akountify's request id, to quote in a support request.
    """

    status: int
    code: str
    message: str
    details: list[dict[str, Any]] = field(default_factory=list)
    request_id: str | None = None

    def __str__(self) -> str:
        """Return a one-line description (no secrets: Akountify never echoes them)."""
        extra = "; ".join(
            f"{d.get('field') or '-'}: {d.get('code')}: {d.get('message')}" for d in self.details
        )
        request = f" (request {self.request_id})" if self.request_id else ""
        return f"{self.status} {self.code}: {self.message}{request}" + (
            f" [{extra}]" if extra else ""
        )


class AkountifyUnavailableError(FatalAPIError):
    """Akountify could not be reached or kept failing after every retry; the run stops."""


class AuthenticationFailedError(FatalAPIError):
    """The client credentials were refused; the run stops before writing anything."""


class _RetriableError(Exception):
    """An attempt to try again (429, 5xx, connection problem)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass
class ApiResponse:
    """A successful response.

    Attributes:
        status: HTTP status.
        body: Decoded JSON (decimals as Decimal), or None when empty.
        headers: Response headers.
        replayed: True when Akountify answered from its idempotency store.
    """

    status: int
    body: Any
    headers: dict[str, str]
    replayed: bool = False


@dataclass
class ClientOptions:
    """How the client behaves.

    Attributes:
        timeout: Seconds per HTTP request.
        max_concurrency: Requests in flight at once.
        max_retries: Attempts per request.
        backoff_base: First backoff wait, seconds.
        backoff_max: Longest backoff wait, seconds.
    """

    timeout: float = 60.0
    max_concurrency: int = 5
    max_retries: int = 6
    backoff_base: float = 1.0
    backoff_max: float = 60.0


def idempotency_key(method: str, path: str, body: bytes, salt: str = "") -> str:
    """Return the Idempotency-Key of a write: a hash of its salt, method, path and body.

    Every attempt of one request carries the same key, so a retry after a dropped connection
    never applies twice. The salt (the run id and the follow-up round) keeps a *new* request
    with the same content (a record retried in a later run, once its parent exists) from being
    answered with the stored response of the old one; across runs, double writes are prevented
    by reading first and by ``if_version`` (``0`` for creates).
    """
    digest = hashlib.sha256(
        salt.encode() + b"|" + method.encode() + b" " + path.encode() + b"\n" + body
    ).hexdigest()
    return f"ta1-{digest[:60]}"


class AkountifyClient:
    """A thread-safe client of one Akountify company.

    Args:
        base_url: API base URL (``…/v1``).
        client_id: OAuth client id.
        client_secret: OAuth client secret.
        company_id: The company (None: the company of the credentials).
        options: Timeouts, concurrency and retry settings.
        sleep: Sleep function (tests pass one that does not wait).
        clock: Monotonic clock (tests pass a fake one).
    """

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        company_id: str | None = None,
        options: ClientOptions | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Prepare the connection pool; nothing is sent until the first request."""
        self.base_url = base_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._company_id = company_id
        self.options = options or ClientOptions()
        self._sleep = sleep
        self._clock = clock
        self.pacer = RatePacer(clock=clock, sleep=sleep)
        self._slots = threading.BoundedSemaphore(self.options.max_concurrency)
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_lock = threading.Lock()
        self._stats_lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        # urllib3 directly: requests costs ~3x the CPU per request (measured: ~960 µs against
        # ~350 µs), which the target pays on every read and batch while it maps records.
        self._http = urllib3.PoolManager(
            num_pools=2,
            maxsize=self.options.max_concurrency + 2,
            retries=False,
            headers={"User-Agent": USER_AGENT},
        )
        self._timeout = urllib3.Timeout(connect=self.options.timeout, read=self.options.timeout)

    # ------------------------------------------------------------------ auth

    @property
    def company_id(self) -> str:
        """The company written to (known after the first token)."""
        if self._company_id is None:
            self._ensure_token()
        if self._company_id is None:  # pragma: no cover - the token answer always names it
            raise AuthenticationFailedError("Akountify's token answer named no company")
        return self._company_id

    def _ensure_token(self, *, renew: bool = False) -> str:
        with self._token_lock:
            fresh = self._token is not None and self._clock() < self._token_expires
            if fresh and not renew and self._token is not None:
                return self._token
            self._token = self._fetch_token()
            return self._token

    def _fetch_token(self) -> str:
        url = f"{self.base_url}/oauth/token"
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        try:
            for attempt in self._retrying():
                with attempt:
                    response = self._post_token(url, form)
        except _RetriableError as exc:
            raise AkountifyUnavailableError(
                f"cannot get an access token from Akountify at {url} ({exc.reason})"
            ) from exc
        if response.status in {400, 401, 403}:
            raise AuthenticationFailedError(
                f"Akountify refused the client credentials ({response.status} "
                f"{_error_code(response)}): check client_id and client_secret, and that the API "
                f"client is active (base_url {self.base_url})"
            )
        if response.status != 200:  # noqa: PLR2004
            raise AuthenticationFailedError(
                f"Akountify's token endpoint answered {response.status}; "
                f"check base_url ({self.base_url})"
            )
        body = decode_json(response.data)
        expires_in = float(body.get("expires_in", 3600))
        self._token_expires = self._clock() + max(
            expires_in - TOKEN_RENEWAL_MARGIN_SECONDS, expires_in / 2
        )
        company = str(body.get("company_id") or "")
        if self._company_id is None:
            self._company_id = company or None
        return str(body["access_token"])

    def _post_token(self, url: str, form: dict[str, str]) -> urllib3.BaseHTTPResponse:
        self._count("auth")
        try:
            response = self._http.request(
                "POST",
                url,
                body=urlencode(form),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                timeout=self._timeout,
            )
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise _RetriableError(f"{type(exc).__name__} talking to Akountify") from exc
        if response.status in RETRIABLE_STATUS:
            raise _RetriableError(
                f"token endpoint answered {response.status}", _retry_after(response)
            )
        return response

    # ------------------------------------------------------------------ requests

    def _retrying(self) -> Retrying:
        backoff = wait_random_exponential(
            multiplier=self.options.backoff_base, max=self.options.backoff_max
        )

        def wait(state: RetryCallState) -> float:
            outcome = state.outcome
            exc = outcome.exception() if outcome is not None else None
            if isinstance(exc, _RetriableError) and exc.retry_after is not None:
                return exc.retry_after
            return float(backoff(state))

        def log_retry(state: RetryCallState) -> None:
            outcome = state.outcome
            exc = outcome.exception() if outcome is not None else None
            self._count("retries")
            LOGGER.warning(
                "Akountify request failed (%s); attempt %d of %d, retrying in %.1fs",
                exc,
                state.attempt_number,
                self.options.max_retries,
                state.upcoming_sleep,
            )

        return Retrying(
            stop=stop_after_attempt(self.options.max_retries),
            wait=wait,
            retry=retry_if_exception_type(_RetriableError),
            sleep=self._sleep,
            before_sleep=log_retry,
            reraise=True,
        )

    def _count(self, kind: str, n: int = 1) -> None:
        with self._stats_lock:
            self.calls[kind] += n

    def request(
        self,
        method: str,
        path: str,
        *,
        params: list[tuple[str, str]] | None = None,
        body: Any = None,
        kind: str = "read",
        idempotent: bool = True,
        key_salt: str = "",
        encoded: bytes | None = None,
        decode: Callable[[bytes], Any] = decode_json,
    ) -> ApiResponse:
        """Send one request, with pacing, retries and (for writes) an Idempotency-Key.

        Args:
            method: HTTP method.
            path: Path under the base URL (``/companies/…``).
            params: Query parameters (repeated names allowed).
            body: JSON body (Decimals are written as exact numbers).
            kind: Counted under this name (``read``, ``write``, ``other``).
            idempotent: Send an Idempotency-Key on POST/PUT/PATCH.
            key_salt: Mixed into the Idempotency-Key (see :func:`idempotency_key`).
            encoded: The JSON body already encoded (instead of ``body``).
            decode: Decodes a successful response's body.

        Returns:
            The response (status < 400).

        Raises:
            AkountifyError: Akountify refused the request (4xx).
            AkountifyUnavailableError: Every attempt failed (5xx, 429, connection).
        """
        data = encoded if encoded is not None else encode_json(body) if body is not None else None
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if idempotent and method in {"POST", "PUT", "PATCH"}:
            headers["Idempotency-Key"] = idempotency_key(method, path, data or b"", key_salt)
        url = f"{self.base_url}{path}"
        if params:
            url = f"{url}?{query_string(params)}"
        try:
            for attempt in self._retrying():
                with attempt:
                    response = self._send(method, url, data, headers, kind)
        except _RetriableError as exc:
            raise AkountifyUnavailableError(
                f"Akountify kept failing for {method} {path} after "
                f"{self.options.max_retries} attempts ({exc.reason}); nothing after the last "
                "STATE message is acknowledged, so the next run resumes from there"
            ) from exc
        return self._parse(response, method, path, decode)

    def _send(
        self, method: str, url: str, data: bytes | None, headers: dict[str, str], kind: str
    ) -> urllib3.BaseHTTPResponse:
        renewed = False
        while True:
            token = self._ensure_token()
            self.pacer.acquire()
            answered: Mapping[str, str] | None = None
            try:
                with self._slots:
                    self._count(kind)
                    response = self._http.request(
                        method,
                        url,
                        body=data,
                        headers={**headers, "Authorization": f"Bearer {token}"},
                        timeout=self._timeout,
                    )
                answered = response.headers  # case-insensitive
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                raise _RetriableError(f"{type(exc).__name__} talking to Akountify") from exc
            finally:
                self.pacer.release(answered)
            if response.status == 401 and not renewed:  # noqa: PLR2004
                renewed = True
                self._ensure_token(renew=True)
                continue
            if response.status == 429:  # noqa: PLR2004
                self._count("rate_limited")
                wait = _retry_after(response)
                self.pacer.block(wait if wait is not None else 1.0)
                raise _RetriableError("429 rate_limited", wait)
            if response.status in RETRIABLE_STATUS:
                raise _RetriableError(
                    f"{response.status} {_error_code(response)}", _retry_after(response)
                )
            return response

    @staticmethod
    def _parse(
        response: urllib3.BaseHTTPResponse,
        method: str,
        path: str,
        decode: Callable[[bytes], Any],
    ) -> ApiResponse:
        if 300 <= response.status < 400:  # noqa: PLR2004 - redirects are not followed
            location = response.headers.get("Location", "elsewhere")
            raise AkountifyError(
                status=response.status,
                code="redirect",
                message=f"{method} {path} was redirected to {location}: set base_url to the "
                "API's final address (https, host and /v1 path as Akountify gives them)",
                request_id=response.headers.get("X-Request-Id"),
            )
        failed = response.status >= 400  # noqa: PLR2004
        if failed:
            try:
                body = decode_json(response.data) if response.data else None
            except ValueError:  # an error page from a proxy, not Akountify's JSON
                body = None
            error = body.get("error", {}) if isinstance(body, dict) else {}
            raise AkountifyError(
                status=response.status,
                code=str(error.get("code", "http_error")),
                message=str(error.get("message", f"{method} {path} failed")),
                details=list(error.get("details") or []),
                request_id=error.get("request_id") or response.headers.get("X-Request-Id"),
            )
        return ApiResponse(
            status=response.status,
            body=decode(response.data) if response.data else None,
            headers=dict(response.headers),
            replayed=response.headers.get("Idempotent-Replayed") == "true",
        )

    # ------------------------------------------------------------------ endpoints

    def _company_path(self, suffix: str) -> str:
        return f"/companies/{self.company_id}{suffix}"

    def list_by_external_ids(self, entity: str, external_ids: list[str]) -> list[dict[str, Any]]:
        """Return the records (active or archived) with these external ids (≤ 100, one call)."""
        params = [("limit", "100"), *(("external_id", e) for e in external_ids)]
        return list(self._pages(f"/{entity}", params))

    def any_linked(self, entity: str) -> bool:
        """Whether any record of the entity (active or archived) has an external id (one call)."""
        params = [("limit", "1"), ("has_external_id", "true")]
        body = self.request("GET", self._company_path(f"/{entity}"), params=params).body
        return bool(body.get("data"))

    def list_unlinked(self, entity: str) -> Iterator[dict[str, Any]]:
        """Yield every active record without an external id (typed by hand), 200 per call."""
        params = [("limit", "200"), ("has_external_id", "false"), ("status", "active")]
        yield from self._pages(f"/{entity}", params)

    def _pages(self, suffix: str, params: list[tuple[str, str]]) -> Iterator[dict[str, Any]]:
        cursor: str | None = None
        while True:
            page_params = [*params, ("cursor", cursor)] if cursor else params
            body = self.request("GET", self._company_path(suffix), params=page_params).body
            yield from body.get("data", [])
            cursor = body.get("next_cursor")
            if not body.get("has_more") or not cursor:
                return

    def get(self, entity: str, record_id: str) -> dict[str, Any]:
        """Return one record by Akountify id."""
        body = self.request("GET", self._company_path(f"/{entity}/{record_id}")).body
        return dict(body)

    def batch(self, operations: list[dict[str, Any]] | bytes, *, key_salt: str = "") -> ApiResponse:
        """Send one batch (≤ 50 operations) and return the response (``body["results"]``).

        Each result keeps ``op_id``, ``status``, ``result`` and ``error``; the ``record``
        Akountify echoes is not decoded (nothing reads it, and it is most of the body).

        Args:
            operations: The operations, or the batch body already encoded by
                :func:`batch_body`.
            key_salt: Mixed into the Idempotency-Key (see :func:`idempotency_key`).
        """
        if isinstance(operations, bytes):
            body, encoded = None, operations
        else:
            body, encoded = {"operations": operations}, None
        return self.request(
            "POST",
            self._company_path("/batch"),
            body=body,
            encoded=encoded,
            kind="write",
            key_salt=key_salt,
            decode=decode_batch_results,
        )

    def custom_field_definitions(self) -> list[dict[str, Any]]:
        """Return the company's custom field definitions."""
        body = self.request("GET", self._company_path("/custom-field-definitions"), kind="other")
        return list(body.body.get("data", []))

    def create_custom_field_definition(self, definition: dict[str, Any]) -> dict[str, Any]:
        """Create a custom field definition and return it."""
        response = self.request(
            "POST", self._company_path("/custom-field-definitions"), body=definition, kind="other"
        )
        return dict(response.body)

    def post_sync_run(self, body: dict[str, Any]) -> dict[str, Any]:
        """Post a sync run and return it."""
        response = self.request("POST", self._company_path("/sync-runs"), body=body, kind="other")
        return dict(response.body)

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.clear()


class _BatchResult(msgspec.Struct):
    """One operation's result, without the record (see :func:`decode_batch_results`)."""

    op_id: str | None = None
    status: int = 500
    result: str | None = None
    error: dict[str, Any] | None = None


class _BatchResults(msgspec.Struct):
    results: list[_BatchResult] = msgspec.field(default_factory=list)


_BATCH_DECODER = msgspec.json.Decoder(_BatchResults, float_hook=Decimal)


def decode_batch_results(data: bytes) -> dict[str, Any]:
    """Decode a batch response into ``{"results": [{op_id, status, result, error}, …]}``.

    The records echoed in the results are skipped without being built (about 15 µs of CPU per
    operation saved); a body of an unexpected shape is decoded whole instead.
    """
    try:
        decoded = _BATCH_DECODER.decode(data)
    except msgspec.ValidationError:
        body = decode_json(data)
        return body if isinstance(body, dict) else {"results": []}
    except msgspec.DecodeError as exc:
        raise ValueError(f"not valid JSON: {exc}") from exc
    return {"results": [msgspec.structs.asdict(result) for result in decoded.results]}


#: Query values left as they are by ``urlencode`` (letters, digits and ``_.-~``).
_PLAIN_QUERY_VALUE = re.compile(r"[A-Za-z0-9_.~-]*")


def query_string(params: list[tuple[str, str]]) -> str:
    """Return ``urlencode(params)``, without quoting the values that need none.

    A read by external id carries 100 of them: ``urlencode`` quotes each one character by
    character (about 0.4 ms of CPU per read), while Salesforce ids and most external ids are
    plain letters and digits.
    """
    plain = _PLAIN_QUERY_VALUE.fullmatch
    return "&".join(
        f"{n if plain(n) else quote_plus(n)}={v if plain(v) else quote_plus(v)}" for n, v in params
    )


def encode_operation(operation: dict[str, Any]) -> bytes:
    """Encode one batch operation (without ``op_id``) for :func:`batch_body`."""
    encoded = encode_json(operation)
    if not operation or not encoded.startswith(b"{"):
        raise ValueError("a batch operation is a non-empty JSON object")
    return encoded


def batch_body(operations: list[bytes]) -> bytes:
    """Return the body of a batch of operations encoded by :func:`encode_operation`.

    Each gets ``op_id`` = its position, first, so the bytes equal
    ``encode_json({"operations": [{"op_id": "0", **op}, …]})`` without encoding anything twice.
    """
    parts = [b'{"op_id":"%d",%s' % (i, op[1:]) for i, op in enumerate(operations)]
    return b'{"operations":[' + b",".join(parts) + b"]}"


def _retry_after(response: urllib3.BaseHTTPResponse) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _error_code(response: urllib3.BaseHTTPResponse) -> str:
    try:
        body = decode_json(response.data)
    except ValueError:
        return "no JSON body"
    error = body.get("error") if isinstance(body, dict) else None
    return str(error.get("code")) if isinstance(error, dict) else "error"
