"""Create a connected app and its integration user, as ``salesforce-emulator create-app`` does.

The app gets a consumer key and secret, a run-as user for the client-credentials flow, an RSA
key pair whose certificate is registered for the JWT bearer flow (the private key is written to
the data folder for the client), and a refresh token for its user, as if the user had approved
the app once.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from emulators.salesforce.directory import ConnectedApp, OrgDirectory, random_text
from emulators.salesforce.tls import write_private_key

if TYPE_CHECKING:
    from collections.abc import Callable

DEFAULT_APP_NAME = "integration"
_APP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
_KEY_SIZE = 2048
_CERT_YEARS = 5


@dataclass(frozen=True)
class AppCredentials:
    """Everything a client needs to log in through one connected app.

    Attributes:
        app_name: The app's name.
        client_id: Consumer key.
        client_secret: Consumer secret.
        username: Integration user's login name.
        password: Integration user's password.
        security_token: Integration user's security token.
        user_id: Integration user's id.
        refresh_token: A refresh token of the user for this app.
        private_key_path: RSA private key whose certificate is registered on the app (JWT).
        certificate_path: That certificate.
    """

    app_name: str
    client_id: str
    client_secret: str
    username: str
    password: str
    security_token: str
    user_id: str
    refresh_token: str
    private_key_path: Path
    certificate_path: Path


def default_username(app_name: str) -> str:
    """The integration user's login name for an app."""
    if app_name == DEFAULT_APP_NAME:
        return "integration@emulator.example.com"
    return f"{app_name.lower()}.integration@emulator.example.com"


def create_app(
    directory: OrgDirectory,
    name: str = DEFAULT_APP_NAME,
    *,
    username: str | None = None,
    user_id_factory: Callable[[str], str | None] | None = None,
) -> AppCredentials:
    """Create the app ``name`` with its integration user, or return it if it exists.

    Args:
        directory: The org's identity data.
        name: App name (letters, digits, ``_ . -``).
        username: The integration user's login name (derived from ``name`` when None).
        user_id_factory: Called with the username to create the user's record in the record
            store and return its id; when None or returning None, the directory mints an id.

    Returns:
        The app's credentials.

    Raises:
        ValueError: If ``name`` is not a valid app name, or ``username`` differs from the user
            of the existing app.
    """
    if not _APP_NAME.match(name):
        raise ValueError(
            f"app name {name!r} is invalid: use 1-80 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    existing = directory.app_by_name(name)
    if existing is not None:
        if username is not None and username.lower() != existing.run_as_username.lower():
            raise ValueError(
                f"app {name!r} already exists with user {existing.run_as_username!r}; "
                "choose another --name to create an app for another user"
            )
        return _credentials(directory, existing)
    login = username or default_username(name)
    user = directory.user(login)
    if user is None:
        user_id = user_id_factory(login) if user_id_factory is not None else None
        user = directory.add_user(login, user_id)
    key_dir = directory.data_dir / "apps" / name
    key_dir.mkdir(parents=True, exist_ok=True)
    key_path = key_dir / "jwt-private-key.pem"
    cert_path = key_dir / "jwt-certificate.pem"
    certificate_pem = _write_key_pair(key_path, cert_path, name)
    app = ConnectedApp(
        name=name,
        client_id="3MVG9" + random_text(80, alphabet=_CLIENT_ID_ALPHABET),
        client_secret=secrets.token_hex(32).upper(),
        run_as_username=user.username,
        certificate_pem=certificate_pem,
        private_key_path=str(key_path),
    )
    directory.add_app(app)
    directory.add_refresh_token(app.client_id, user.username)
    return _credentials(directory, app)


_CLIENT_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"


def _credentials(directory: OrgDirectory, app: ConnectedApp) -> AppCredentials:
    user = directory.user(app.run_as_username)
    if user is None:  # pragma: no cover - the directory writes both together
        raise ValueError(f"app {app.name!r} refers to a missing user {app.run_as_username!r}")
    refresh = directory.first_refresh_token(app.client_id, user.username)
    if refresh is None:
        refresh = directory.add_refresh_token(app.client_id, user.username)
    key_path = Path(app.private_key_path)
    return AppCredentials(
        app_name=app.name,
        client_id=app.client_id,
        client_secret=app.client_secret,
        username=user.username,
        password=user.password,
        security_token=user.security_token,
        user_id=user.user_id,
        refresh_token=refresh,
        private_key_path=key_path,
        certificate_path=key_path.with_name("jwt-certificate.pem"),
    )


def _write_key_pair(key_path: Path, cert_path: Path, app_name: str) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=_KEY_SIZE)
    now = datetime.now(UTC)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Salesforce emulator"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{app_name} JWT signing"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * _CERT_YEARS))
        .sign(key, hashes.SHA256())
    )
    write_private_key(key_path, key)
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_path.write_bytes(pem)
    return pem.decode("ascii")
