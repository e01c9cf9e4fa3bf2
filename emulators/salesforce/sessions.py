"""Access tokens: issue, look up, expire.

A token is valid for the configured lifetime measured on the emulator's clock. The session
faults shorten that (``session_max_age_seconds``) or end a session after a number of requests
(``session_max_requests``). Tokens are persisted in the directory so they survive a restart.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from emulators.salesforce.directory import OrgDirectory, StoredSession, random_text
from emulators.salesforce.errors import SalesforceApiError

if TYPE_CHECKING:
    from emulators.salesforce.clock import ControllableClock
    from emulators.salesforce.faults import FaultSettings

_SESSION_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"


def invalid_session() -> SalesforceApiError:
    """The error Salesforce returns for an expired or unknown access token."""
    return SalesforceApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")


@dataclass
class Session:
    """A live access token.

    Attributes:
        token: The bearer token.
        username: The user it acts as.
        user_id: That user's id.
        client_id: The connected app that obtained it.
        issued_at: Epoch seconds on the emulator's clock.
        requests: Authenticated requests made with it since it was issued or the server started.
    """

    token: str
    username: str
    user_id: str
    client_id: str
    issued_at: float
    requests: int = 0


class SessionRegistry:
    """Issues and checks access tokens.

    Args:
        directory: Where tokens are persisted.
        clock: The emulator's clock.
        lifetime_seconds: How long a token lives.
        faults: The live fault settings (session expiry faults are read on every check).
    """

    def __init__(
        self,
        directory: OrgDirectory,
        clock: ControllableClock,
        lifetime_seconds: float,
        faults: FaultSettings,
    ) -> None:
        """See the class docstring."""
        self._directory = directory
        self._clock = clock
        self.lifetime_seconds = lifetime_seconds
        self.faults = faults
        self._lock = threading.Lock()
        self._sessions = {
            s.token: Session(s.token, s.username, s.user_id, s.client_id, s.issued_at)
            for s in directory.load_sessions()
        }

    def issue(self, username: str, user_id: str, client_id: str) -> Session:
        """Create a token for ``username`` through app ``client_id``."""
        org15 = self._directory.org_id[:15]
        token = f"{org15}!" + random_text(96, alphabet=_SESSION_ID_CHARS)
        session = Session(token, username, user_id, client_id, self._clock.now().timestamp())
        with self._lock:
            self._sessions[token] = session
        self._directory.save_session(
            StoredSession(token, username, user_id, client_id, session.issued_at)
        )
        return session

    def authenticate(self, authorization: str | None) -> Session:
        """Return the session of an ``Authorization: Bearer <token>`` header and count the use.

        Args:
            authorization: The header's value (``OAuth <token>`` is accepted too, as Salesforce
                does).

        Returns:
            The live session.

        Raises:
            SalesforceApiError: 401 INVALID_SESSION_ID when the token is missing, unknown or
                expired.
        """
        token = _bearer_token(authorization)
        if token is None:
            raise invalid_session()
        with self._lock:
            session = self._sessions.get(token)
            if session is None:
                raise invalid_session()
            if self._expired(session):
                del self._sessions[token]
                expired = True
            else:
                session.requests += 1
                expired = False
        if expired:
            self._directory.delete_sessions([token])
            raise invalid_session()
        return session

    def _expired(self, session: Session) -> bool:
        lifetime = self.lifetime_seconds
        if self.faults.session_max_age_seconds > 0:
            lifetime = min(lifetime, self.faults.session_max_age_seconds)
        if self._clock.now().timestamp() - session.issued_at >= lifetime:
            return True
        max_requests = self.faults.session_max_requests
        return max_requests > 0 and session.requests >= max_requests

    def expire_all(self) -> int:
        """End every session now; return how many there were."""
        with self._lock:
            count = len(self._sessions)
            self._sessions.clear()
        self._directory.delete_sessions()
        return count


def _bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() not in {"bearer", "oauth"} or not value.strip():
        return None
    return value.strip()
