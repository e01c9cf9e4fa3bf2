"""Log in to Salesforce with the configured flow and return an access token.

Four OAuth 2.0 grants on ``{login_url}/services/oauth2/token`` (client credentials, JWT bearer,
refresh token, username-password) and the partner SOAP ``login`` call for orgs with no connected
app. Failures become one-line :class:`~tap_salesforce_lite.errors.AuthenticationError`s that say
which flow failed, what Salesforce answered and which settings to check; secrets never appear.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, NoReturn
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import requests

from tap_salesforce_lite.errors import (
    AuthenticationError,
    RetryableRequestError,
    UnreachableError,
)
from tap_salesforce_lite.settings import AuthFlow, TapSettings
from tap_salesforce_lite.transport import RetryPolicy, is_tls_failure, transport_errors

if TYPE_CHECKING:
    from tap_salesforce_lite.redaction import Redactor

LOGGER = logging.getLogger(__name__)

JWT_BEARER_GRANT: Final = "urn:ietf:params:oauth:grant-type:jwt-bearer"
JWT_LIFETIME_SECONDS: Final = 180
_SERVER_ERROR: Final = 500
FIRST_LOGIN_MAX_RETRIES: Final = 2
FIRST_LOGIN_MAX_DELAY: Final = 5.0
_PARTNER_NS: Final = "urn:partner.soap.sforce.com"

#: What to check, per flow, when Salesforce refuses the login.
FLOW_HINTS: Final[dict[AuthFlow, str]] = {
    AuthFlow.CLIENT_CREDENTIALS: (
        "check client_id and client_secret (the connected app's consumer key and secret), that "
        "the app enables the client credentials flow with a run-as user, and that login_url is "
        "your My Domain URL"
    ),
    AuthFlow.JWT_BEARER: (
        "check client_id, username (pre-authorized for the connected app), the private key "
        "(it must match the certificate uploaded to the app) and login_url (the JWT audience: "
        "login, test or your My Domain)"
    ),
    AuthFlow.REFRESH_TOKEN: (
        "check client_id, client_secret and refresh_token (it may have been revoked or have "
        "expired: authorize the app again to get a new one)"
    ),
    AuthFlow.PASSWORD: (
        "check client_id, client_secret, username, password and security_token (the tap "
        "appends the token to the password), and that the app allows the username-password flow"
    ),
    AuthFlow.SOAP: (
        "check username, password and security_token (reset it under Settings > Reset My "
        "Security Token), or log in through a connected app with client_credentials or "
        "jwt_bearer"
    ),
}


@dataclass(frozen=True)
class AccessToken:
    """A session with Salesforce.

    Attributes:
        access_token: Bearer token for API calls.
        instance_url: Base URL of the org's instance (``https://host[:port]``).
        issued_at: Server time of issue (from ``issued_at``), or None when unknown.
    """

    access_token: str
    instance_url: str
    issued_at: datetime | None


class Authenticator:
    """Obtains access tokens with one flow; call :meth:`login` again to re-authenticate."""

    def __init__(
        self,
        settings: TapSettings,
        session: requests.Session,
        retry: RetryPolicy,
        redactor: Redactor,
    ) -> None:
        """Prepare the flow.

        Args:
            settings: Validated settings (the flow is already resolved).
            session: The HTTPS session (its CA bundle wins).
            retry: Backoff for transient failures of the token endpoint.
            redactor: Learns every token obtained and cleans messages.
        """
        self._settings = settings
        self._session = session
        self._retry = retry
        self._redactor = redactor
        self.logins = 0

    @property
    def flow(self) -> AuthFlow:
        """The flow in use."""
        return self._settings.auth_flow

    def login(self) -> AccessToken:
        """Log in and return a fresh access token.

        Returns:
            The token, the instance URL to call and the server's issue time.

        Raises:
            AuthenticationError: Salesforce refused the credentials, or could not be reached.
        """
        what = f"Salesforce login ({self.flow})"
        try:
            if self.logins:
                token = self._retry.call(self._login_once, what=what)
            else:
                token = self._first_login(what)
        except UnreachableError as exc:
            raise AuthenticationError(
                f"{self.flow} login: {exc}; check login_url (https://login.salesforce.com for "
                "production, https://test.salesforce.com for a sandbox, or your My Domain URL) "
                "and that this machine can reach it (proxy, firewall, VPN)"
            ) from None
        except RetryableRequestError as exc:
            raise AuthenticationError(
                f"{self.flow} login: Salesforce kept failing ({exc}) through every retry; "
                "it is probably a Salesforce incident (see status.salesforce.com): run again later"
            ) from None
        self._redactor.add(token.access_token)
        self.logins += 1
        LOGGER.info("Logged in to %s with the %s flow", token.instance_url, self.flow)
        return token

    def _first_login(self, what: str) -> AccessToken:
        """Log in for the first time in this run.

        A login_url that nobody answers on is far more often a configuration mistake than a
        passing network fault, so when no connection can be made at all the first login gives
        up after a short budget (2 retries, waits of at most 5 s) with a clear error, instead
        of minutes of backoff. A server that answers but fails (5xx) gets the full budget.
        """
        short = RetryPolicy(
            max_retries=min(self._retry.max_retries, FIRST_LOGIN_MAX_RETRIES),
            initial_delay=self._retry.initial_delay,
            max_delay=min(self._retry.max_delay, FIRST_LOGIN_MAX_DELAY),
        )
        try:
            return short.call(self._login_once, what=what)
        except UnreachableError as exc:
            raise UnreachableError(f"{exc} after {short.max_retries + 1} attempts") from None
        except RetryableRequestError:
            return self._retry.call(self._login_once, what=what)

    def _login_once(self) -> AccessToken:
        if self.flow is AuthFlow.SOAP:
            return self._soap_login()
        return self._token_login(self._grant_form())

    # OAuth 2.0 token endpoint

    def _grant_form(self) -> dict[str, str]:
        settings = self._settings
        flow = self.flow
        if flow is AuthFlow.CLIENT_CREDENTIALS:
            return {
                "grant_type": "client_credentials",
                "client_id": settings.client_id or "",
                "client_secret": settings.client_secret or "",
            }
        if flow is AuthFlow.REFRESH_TOKEN:
            form = {
                "grant_type": "refresh_token",
                "client_id": settings.client_id or "",
                "refresh_token": settings.refresh_token or "",
            }
            if settings.client_secret:
                form["client_secret"] = settings.client_secret
            return form
        if flow is AuthFlow.PASSWORD:
            return {
                "grant_type": "password",
                "client_id": settings.client_id or "",
                "client_secret": settings.client_secret or "",
                "username": settings.username or "",
                "password": (settings.password or "") + (settings.security_token or ""),
            }
        return {"grant_type": JWT_BEARER_GRANT, "assertion": self._jwt_assertion()}

    def _jwt_assertion(self) -> str:
        settings = self._settings
        claims = {
            "iss": settings.client_id,
            "sub": settings.username,
            "aud": settings.login_url,
            "exp": int(time.time()) + JWT_LIFETIME_SECONDS,
        }
        import jwt  # noqa: PLC0415 - only the JWT bearer flow needs PyJWT and cryptography

        try:
            return jwt.encode(claims, settings.private_key or "", algorithm="RS256")
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            raise AuthenticationError(
                "jwt_bearer login: the private key is not a PEM RSA private key "
                f"({exc.__class__.__name__}); set private_key_path to the key whose certificate "
                "is uploaded to the connected app"
            ) from None

    def _token_login(self, form: dict[str, str]) -> AccessToken:
        url = f"{self._settings.login_url}/services/oauth2/token"
        response = self._post(url, data=form, headers={"Accept": "application/json"})
        body = _json_or_none(response)
        if response.status_code >= _SERVER_ERROR:
            raise RetryableRequestError(f"token endpoint answered HTTP {response.status_code}")
        if response.status_code != requests.codes.ok or not isinstance(body, dict):
            error = body.get("error", "") if isinstance(body, dict) else ""
            description = body.get("error_description", "") if isinstance(body, dict) else ""
            said = ": ".join(part for part in (error, description) if part) or (
                f"HTTP {response.status_code}"
            )
            self._refuse(said)
        access_token = str(body.get("access_token") or "")
        if not access_token:
            self._refuse("the token response has no access_token")
        return AccessToken(
            access_token=access_token,
            instance_url=self._instance_url(str(body.get("instance_url") or "")),
            issued_at=_issued_at(body.get("issued_at")),
        )

    # Partner SOAP login

    def _soap_login(self) -> AccessToken:
        settings = self._settings
        url = f"{settings.login_url}/services/Soap/u/{settings.api_version}"
        secret = (settings.password or "") + (settings.security_token or "")
        envelope = (
            '<?xml version="1.0" encoding="utf-8" ?>'
            '<env:Envelope xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" '
            f'xmlns:urn="{_PARTNER_NS}">'
            "<env:Body><urn:login>"
            f"<urn:username>{escape(settings.username or '')}</urn:username>"
            f"<urn:password>{escape(secret)}</urn:password>"
            "</urn:login></env:Body></env:Envelope>"
        )
        response = self._post(
            url,
            data=envelope.encode("utf-8"),
            headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": "login"},
        )
        elements = _xml_elements(response.content)
        if response.status_code != requests.codes.ok:
            code = elements.get("exceptionCode") or elements.get("faultcode") or ""
            message = elements.get("exceptionMessage") or elements.get("faultstring") or ""
            if response.status_code > _SERVER_ERROR or (
                response.status_code == _SERVER_ERROR and not code
            ):
                raise RetryableRequestError(f"SOAP login answered HTTP {response.status_code}")
            self._refuse(": ".join(p for p in (code, message) if p) or "SOAP fault")
        session_id = elements.get("sessionId", "")
        server_url = elements.get("serverUrl", "")
        if not session_id or not server_url:
            self._refuse("the SOAP login response has no sessionId or serverUrl")
        parts = urlsplit(server_url)
        return AccessToken(
            access_token=session_id,
            instance_url=self._instance_url(f"{parts.scheme}://{parts.netloc}"),
            issued_at=None,
        )

    # Shared plumbing

    def _post(self, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self._session.post(url, timeout=self._settings.request_timeout, **kwargs)
        except requests.RequestException as exc:
            if is_tls_failure(exc):
                raise AuthenticationError(
                    f"{self.flow} login: the TLS certificate of {self._settings.login_url} is "
                    "not trusted; set ca_bundle to the CA certificate that signed it"
                ) from None
            if isinstance(exc, requests.ConnectionError) and not isinstance(
                exc, requests.exceptions.ChunkedEncodingError | requests.ConnectTimeout
            ):
                raise UnreachableError(
                    f"cannot reach {self._settings.login_url} ({exc.__class__.__name__})"
                ) from None
            if isinstance(exc, transport_errors()):
                raise RetryableRequestError(
                    f"cannot reach {self._settings.login_url} ({exc.__class__.__name__})"
                ) from None
            raise

    def _instance_url(self, returned: str) -> str:
        if self._settings.instance_url:
            return self._settings.instance_url
        if not returned.startswith("https://"):
            self._refuse(f"the login returned no usable instance_url ({returned!r})")
        return returned.rstrip("/")

    def _refuse(self, said: str) -> NoReturn:
        message = (
            f"{self.flow} login to {self._settings.login_url} refused: "
            f"{self._redactor.redact(said)}; {FLOW_HINTS[self.flow]}"
        )
        raise AuthenticationError(message)


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _issued_at(value: Any) -> datetime | None:
    try:
        millis = int(str(value))
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


def _xml_elements(content: bytes) -> dict[str, str]:
    """Text of every leaf element of a SOAP body, by local name (first occurrence wins)."""
    from defusedxml import ElementTree  # noqa: PLC0415 - only the SOAP login parses XML
    from defusedxml.common import DefusedXmlException  # noqa: PLC0415

    try:
        root = ElementTree.fromstring(content)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        return {}
    found: dict[str, str] = {}
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if local and local not in found and element.text and not len(element):
            found[local] = element.text.strip()
    return found
