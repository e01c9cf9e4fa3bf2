"""The org's identity data: org id, connected apps, users, refresh tokens and sessions.

Kept in ``auth.sqlite3`` in the data folder (separate from the record store), readable by the
owner only. Like Salesforce, the emulator can show a connected app's consumer secret again, so
``create-app`` is idempotent and prints the same credentials on every run.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import string
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from emulators.salesforce.ids import make_id

if TYPE_CHECKING:
    from pathlib import Path

AUTH_DB_NAME = "auth.sqlite3"
_ALNUM = string.ascii_letters + string.digits
#: Sequence range for user ids minted by the directory when the record store has no User row.
_DIRECTORY_USER_SEQUENCE_BASE = 62**8

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY COLLATE NOCASE,
    user_id TEXT NOT NULL,
    password TEXT NOT NULL,
    security_token TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS apps (
    name TEXT PRIMARY KEY,
    client_id TEXT NOT NULL UNIQUE,
    client_secret TEXT NOT NULL,
    run_as_username TEXT NOT NULL,
    certificate_pem TEXT NOT NULL,
    private_key_path TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    username TEXT NOT NULL,
    issued_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    issued_at REAL NOT NULL
);
"""

_APP_COLUMNS = "name, client_id, client_secret, run_as_username, certificate_pem, private_key_path"
_APP_BY_NAME = f"SELECT {_APP_COLUMNS} FROM apps WHERE name = ?"  # noqa: S608 - constant
_APP_BY_CLIENT_ID = f"SELECT {_APP_COLUMNS} FROM apps WHERE client_id = ?"  # noqa: S608 - constant


@dataclass(frozen=True)
class User:
    """An API user of the org.

    Attributes:
        username: Login name (an email-like string).
        user_id: The 18-character ``005`` id.
        password: The password (without the security token).
        security_token: The token appended to the password on untrusted networks.
    """

    username: str
    user_id: str
    password: str
    security_token: str


@dataclass(frozen=True)
class ConnectedApp:
    """An OAuth client of the org.

    Attributes:
        name: The app's name.
        client_id: Consumer key.
        client_secret: Consumer secret.
        run_as_username: The user that client-credentials tokens act as.
        certificate_pem: The certificate registered for the JWT bearer flow.
        private_key_path: Where the matching private key was written.
    """

    name: str
    client_id: str
    client_secret: str
    run_as_username: str
    certificate_pem: str
    private_key_path: str


@dataclass(frozen=True)
class StoredSession:
    """A persisted access token: who it acts for and when (epoch seconds) it was issued."""

    token: str
    username: str
    user_id: str
    client_id: str
    issued_at: float


class OrgDirectory:
    """Reads and writes the identity data of one data folder.

    Safe to share between threads: every statement runs under one lock.
    """

    def __init__(self, data_dir: Path) -> None:
        """Open (creating if needed) ``auth.sqlite3`` in ``data_dir``."""
        data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = data_dir
        path = data_dir / AUTH_DB_NAME
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
            os.close(fd)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.executescript(_SCHEMA)
        self.org_id = self._meta_get("org_id") or self._create_org_id()

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    # -- meta ----------------------------------------------------------------------------
    def _meta_get(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def meta_get(self, key: str) -> str | None:
        """Return a stored setting (``None`` when absent)."""
        return self._meta_get(key)

    def meta_set(self, key: str, value: str) -> None:
        """Store a setting."""
        with self._lock:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def _create_org_id(self) -> str:
        org_id = make_id("00D", secrets.randbelow(62**6) + 1)
        self.meta_set("org_id", org_id)
        return org_id

    # -- users ---------------------------------------------------------------------------
    def add_user(self, username: str, user_id: str | None = None) -> User:
        """Create a user with a fresh password and security token (or return the existing one).

        Args:
            username: The login name.
            user_id: The user's record id; minted in a reserved range when None.

        Returns:
            The user.
        """
        existing = self.user(username)
        if existing is not None:
            return existing
        if user_id is None:
            with self._lock:
                count = self._db.execute("SELECT COUNT(*) FROM users").fetchone()[0]
            user_id = make_id("005", _DIRECTORY_USER_SEQUENCE_BASE + int(count) + 1)
        user = User(
            username=username,
            user_id=user_id,
            password=random_text(16),
            security_token=random_text(24),
        )
        with self._lock:
            self._db.execute(
                "INSERT INTO users (username, user_id, password, security_token, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (user.username, user.user_id, user.password, user.security_token, _now_text()),
            )
        return user

    def user(self, username: str) -> User | None:
        """Return the user called ``username`` (case-insensitive), or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT username, user_id, password, security_token FROM users WHERE username = ?",
                (username,),
            ).fetchone()
        return None if row is None else User(*row)

    # -- apps ----------------------------------------------------------------------------
    def add_app(self, app: ConnectedApp) -> None:
        """Register a connected app."""
        with self._lock:
            self._db.execute(
                "INSERT INTO apps (name, client_id, client_secret, run_as_username, "
                "certificate_pem, private_key_path, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    app.name,
                    app.client_id,
                    app.client_secret,
                    app.run_as_username,
                    app.certificate_pem,
                    app.private_key_path,
                    _now_text(),
                ),
            )

    def app_by_name(self, name: str) -> ConnectedApp | None:
        """Return the app called ``name``, or None."""
        return self._app_where("name", name)

    def app_by_client_id(self, client_id: str) -> ConnectedApp | None:
        """Return the app whose consumer key is ``client_id``, or None."""
        return self._app_where("client_id", client_id)

    def _app_where(self, column: str, value: str) -> ConnectedApp | None:
        sql = _APP_BY_NAME if column == "name" else _APP_BY_CLIENT_ID
        with self._lock:
            row = self._db.execute(sql, (value,)).fetchone()
        return None if row is None else ConnectedApp(*row)

    # -- refresh tokens ------------------------------------------------------------------
    def add_refresh_token(self, client_id: str, username: str) -> str:
        """Issue a refresh token for ``username`` through app ``client_id`` and return it."""
        token = "5Aep" + random_text(83, alphabet=_ALNUM + "._")
        with self._lock:
            self._db.execute(
                "INSERT INTO refresh_tokens (token, client_id, username, issued_at) "
                "VALUES (?, ?, ?, ?)",
                (token, client_id, username, _now_text()),
            )
        return token

    def refresh_token_owner(self, token: str) -> tuple[str, str] | None:
        """Return ``(client_id, username)`` of a refresh token, or None if unknown."""
        with self._lock:
            row = self._db.execute(
                "SELECT client_id, username FROM refresh_tokens WHERE token = ?", (token,)
            ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def first_refresh_token(self, client_id: str, username: str) -> str | None:
        """Return the oldest refresh token of a user and app, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT token FROM refresh_tokens WHERE client_id = ? AND username = ? "
                "ORDER BY rowid LIMIT 1",
                (client_id, username),
            ).fetchone()
        return None if row is None else str(row[0])

    # -- sessions ------------------------------------------------------------------------
    def save_session(self, session: StoredSession) -> None:
        """Persist an access token so it survives a restart."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO sessions (token, username, user_id, client_id, "
                "issued_at) VALUES (?, ?, ?, ?, ?)",
                (
                    session.token,
                    session.username,
                    session.user_id,
                    session.client_id,
                    session.issued_at,
                ),
            )

    def delete_sessions(self, tokens: list[str] | None = None) -> None:
        """Forget the given access tokens (all of them when ``tokens`` is None)."""
        with self._lock:
            if tokens is None:
                self._db.execute("DELETE FROM sessions")
            else:
                self._db.executemany("DELETE FROM sessions WHERE token = ?", [(t,) for t in tokens])

    def load_sessions(self) -> list[StoredSession]:
        """Every persisted access token."""
        with self._lock:
            rows: list[Any] = self._db.execute(
                "SELECT token, username, user_id, client_id, issued_at FROM sessions"
            ).fetchall()
        return [StoredSession(*row) for row in rows]


def random_text(length: int, alphabet: str = _ALNUM) -> str:
    """Return ``length`` cryptographically random characters from ``alphabet``."""
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _now_text() -> str:
    return datetime.now(UTC).isoformat()
