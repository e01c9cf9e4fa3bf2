"""Verify the assertion of the OAuth 2.0 JWT bearer flow.

The client signs ``{"iss": client id, "sub": username, "aud": login URL, "exp": …}`` with RS256
using the private key whose certificate is registered on the connected app. Errors carry
Salesforce's ``error``/``error_description`` pairs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jwt
from cryptography import x509

if TYPE_CHECKING:
    from emulators.salesforce.directory import OrgDirectory

#: Audiences Salesforce accepts besides the emulator's own login URL.
SALESFORCE_AUDIENCES = frozenset({"https://login.salesforce.com", "https://test.salesforce.com"})
#: Clock skew allowed on ``exp``, in seconds.
_LEEWAY_SECONDS = 60


@dataclass(frozen=True)
class OAuthError(Exception):
    """A token-endpoint failure: HTTP 400 ``{"error", "error_description"}``."""

    error: str
    description: str
    status: int = 400

    def body(self) -> dict[str, str]:
        """The JSON body Salesforce sends."""
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True)
class JwtGrant:
    """A verified assertion: the app and the user it asks a token for."""

    client_id: str
    username: str


def verify_assertion(
    assertion: str, directory: OrgDirectory, login_urls: frozenset[str]
) -> JwtGrant:
    """Check an RS256 JWT bearer assertion against the app's registered certificate.

    ``exp`` is checked against the wall clock: the client mints the assertion with its own
    clock, while session lifetimes and record timestamps follow the emulator's clock.

    Args:
        assertion: The compact JWT.
        directory: Where apps and users are registered.
        login_urls: The emulator's own login URLs (any of them is a valid audience).

    Returns:
        The app and user.

    Raises:
        OAuthError: ``invalid_client_id`` for an unknown issuer, ``invalid_grant`` with
            "invalid assertion", "audience is invalid", "expired authorization code" or
            "user hasn't approved this consumer".
    """
    try:
        header = jwt.get_unverified_header(assertion)
        unverified: dict[str, Any] = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise OAuthError("invalid_grant", "invalid assertion") from exc
    if header.get("alg") != "RS256":
        raise OAuthError("invalid_grant", "invalid assertion")
    issuer = unverified.get("iss")
    app = directory.app_by_client_id(issuer) if isinstance(issuer, str) else None
    if app is None:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    public_key = x509.load_pem_x509_certificate(app.certificate_pem.encode()).public_key()
    try:
        claims: dict[str, Any] = jwt.decode(
            assertion,
            key=public_key,  # type: ignore[arg-type]
            algorithms=["RS256"],
            options={"verify_exp": False, "verify_aud": False, "require": ["exp", "sub"]},
        )
    except jwt.PyJWTError as exc:
        raise OAuthError("invalid_grant", "invalid assertion") from exc
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    accepted = login_urls | SALESFORCE_AUDIENCES
    if not any(isinstance(a, str) and a.rstrip("/") in accepted for a in audiences):
        raise OAuthError("invalid_grant", "audience is invalid")
    try:
        expires = float(claims["exp"])
    except (TypeError, ValueError) as exc:
        raise OAuthError("invalid_grant", "invalid assertion") from exc
    if expires + _LEEWAY_SECONDS < time.time():
        raise OAuthError("invalid_grant", "expired authorization code")
    username = claims.get("sub")
    if not isinstance(username, str) or directory.user(username) is None:
        raise OAuthError("invalid_grant", "user hasn't approved this consumer")
    user = directory.user(username)
    if user is None or user.username.lower() != app.run_as_username.lower():
        raise OAuthError("invalid_grant", "user hasn't approved this consumer")
    return JwtGrant(client_id=app.client_id, username=user.username)
