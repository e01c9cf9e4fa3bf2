"""Companies, their API clients and users, and the bearer tokens they obtain.

Secrets (client secrets, passwords, tokens) are stored only as SHA-256 hashes; the plain
values are returned once, when created, and never logged.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulators.akountify import database
from emulators.akountify.errors import ApiError
from emulators.akountify.ids import new_id, new_secret, secret_hash, secret_matches

if TYPE_CHECKING:
    import sqlite3

    from emulators.akountify.clock import Clock

COMPANY_NAME_MAX = 200
DEFAULT_CLIENT_NAME = "API client"
DEFAULT_USER_NAME = "Bookkeeper"
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Actor:
    """Who makes a request: a company user (hand edits) or an API client (integrations)."""

    type: str
    id: str
    name: str

    def to_json(self) -> dict[str, str]:
        """The ``updated_by`` form."""
        return {"type": self.type, "id": self.id, "name": self.name}


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: the company its token belongs to and the actor.

    ``actor.id`` is also the namespace of the caller's ``sync_metadata``.
    """

    company_id: str
    actor: Actor


@dataclass(frozen=True)
class NewCompany:
    """A freshly created company and its first credentials (shown once)."""

    company_id: str
    name: str
    client_id: str
    client_secret: str
    username: str
    password: str

    def to_json(self) -> dict[str, Any]:
        """The admin endpoint's answer."""
        return {
            "company_id": self.company_id,
            "name": self.name,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "user": {"username": self.username, "password": self.password},
        }


@dataclass(frozen=True)
class Token:
    """A bearer token grant."""

    access_token: str
    expires_in: int
    company_id: str

    def to_json(self) -> dict[str, Any]:
        """The token endpoint's answer."""
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "company_id": self.company_id,
        }


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _SLUG_JUNK.sub("-", ascii_name.lower()).strip("-")[:30] or "company"


def check_company_name(name: Any) -> str:
    """Validate a company name and return it trimmed.

    Raises:
        ApiError: 422 when it is missing, not a string, empty or too long.
    """
    if not isinstance(name, str) or not name.strip():
        raise ApiError(422, "validation_failed", "name is required: give the company a name")
    if len(name) > COMPANY_NAME_MAX:
        raise ApiError(
            422,
            "validation_failed",
            f"name is {len(name)} characters long; the limit is {COMPANY_NAME_MAX}",
        )
    return name.strip()


def create_company(connection: sqlite3.Connection, name: str, clock: Clock) -> NewCompany:
    """Create a company with one API client and one user (in its own write transaction).

    Args:
        connection: The database.
        name: The company's name (validated with :func:`check_company_name`).
        clock: Time source.

    Returns:
        The company and its plain credentials.
    """
    name = check_company_name(name)
    now = clock.now_us()
    company_id = new_id("companies")
    client_id = new_id("api_clients")
    client_secret = new_secret("cs_")
    user_id = new_id("users")
    username = f"bookkeeper-{_slug(name)}-{new_secret('', 3).lower()}"
    password = new_secret("pw_", 18)
    with database.write(connection):
        connection.execute(
            "INSERT INTO companies(id, name, created_at) VALUES (?, ?, ?)", (company_id, name, now)
        )
        connection.execute(
            "INSERT INTO api_clients(id, company_id, name, secret_hash, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (client_id, company_id, DEFAULT_CLIENT_NAME, secret_hash(client_secret), now),
        )
        connection.execute(
            "INSERT INTO users(id, company_id, username, name, password_hash, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (user_id, company_id, username, DEFAULT_USER_NAME, secret_hash(password), now),
        )
    return NewCompany(company_id, name, client_id, client_secret, username, password)


def add_api_client(
    connection: sqlite3.Connection, company_id: str, name: str, clock: Clock
) -> tuple[str, str]:
    """Add another API client to a company (a second integration).

    Returns:
        The client id and its plain secret.

    Raises:
        ApiError: 404 when the company does not exist.
    """
    client_id = new_id("api_clients")
    client_secret = new_secret("cs_")
    with database.write(connection):
        if not company_exists(connection, company_id):
            raise ApiError(404, "not_found", f"company {company_id} does not exist")
        connection.execute(
            "INSERT INTO api_clients(id, company_id, name, secret_hash, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (client_id, company_id, name, secret_hash(client_secret), clock.now_us()),
        )
    return client_id, client_secret


def company_exists(connection: sqlite3.Connection, company_id: str) -> bool:
    """Whether a company with this id exists."""
    row = connection.execute("SELECT 1 FROM companies WHERE id = ?", (company_id,)).fetchone()
    return row is not None


def user_actor(connection: sqlite3.Connection, company_id: str) -> Actor:
    """The first user of a company (the one created with it), as an actor.

    Raises:
        ApiError: 404 when the company does not exist.
    """
    row = connection.execute(
        "SELECT id, name FROM users WHERE company_id = ? ORDER BY created_at, id LIMIT 1",
        (company_id,),
    ).fetchone()
    if row is None:
        raise ApiError(404, "not_found", f"company {company_id} does not exist")
    return Actor("user", row[0], row[1])


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


def _store_token(
    connection: sqlite3.Connection, company_id: str, actor: Actor, ttl: int, clock: Clock
) -> Token:
    token = new_secret("akt_")
    expires_at = clock.now_us() + ttl * 1_000_000
    with database.write(connection):
        connection.execute(
            "INSERT INTO tokens(token_hash, company_id, actor_type, actor_id, actor_name, "
            "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (secret_hash(token), company_id, actor.type, actor.id, actor.name, expires_at),
        )
        connection.execute("DELETE FROM tokens WHERE expires_at < ?", (clock.now_us(),))
    return Token(token, ttl, company_id)


def token_for_client(
    connection: sqlite3.Connection, client_id: str, client_secret: str, ttl: int, clock: Clock
) -> Token:
    """Issue a token for API client credentials (grant ``client_credentials``).

    Raises:
        ApiError: 401 when the client is unknown or the secret does not match.
    """
    row = connection.execute(
        "SELECT company_id, name, secret_hash FROM api_clients WHERE id = ?", (client_id,)
    ).fetchone()
    if row is None or not secret_matches(client_secret, row[2]):
        raise _unauthorized("client_id or client_secret is wrong: check the API client's keys")
    return _store_token(connection, row[0], Actor("api_client", client_id, row[1]), ttl, clock)


def token_for_user(
    connection: sqlite3.Connection, username: str, password: str, ttl: int, clock: Clock
) -> Token:
    """Issue a token for a company user (grant ``password``): writes count as hand edits.

    Raises:
        ApiError: 401 when the user is unknown or the password does not match.
    """
    row = connection.execute(
        "SELECT company_id, id, name, password_hash FROM users WHERE username = ?", (username,)
    ).fetchone()
    if row is None or not secret_matches(password, row[3]):
        raise _unauthorized("username or password is wrong")
    return _store_token(connection, row[0], Actor("user", row[1], row[2]), ttl, clock)


def resolve_token(connection: sqlite3.Connection, token: str) -> tuple[Caller, int] | None:
    """Look a bearer token up.

    Returns:
        The caller and the token's expiry (microseconds), or None when the token is unknown.
    """
    row = connection.execute(
        "SELECT company_id, actor_type, actor_id, actor_name, expires_at FROM tokens "
        "WHERE token_hash = ?",
        (secret_hash(token),),
    ).fetchone()
    if row is None:
        return None
    return Caller(row[0], Actor(row[1], row[2], row[3])), int(row[4])
