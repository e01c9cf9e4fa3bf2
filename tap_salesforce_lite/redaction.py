"""Keep secrets out of every message: configured secrets and the tokens obtained at runtime.

Salesforce's own error texts are passed on to people, and a server could echo what it was sent;
everything the tap writes to a log or an error message goes through :meth:`Redactor.redact`.
"""

from __future__ import annotations

import threading
from urllib.parse import quote, quote_plus

MASK = "***"
_MIN_SECRET_LENGTH = 4


class Redactor:
    """Replaces known secret values (and their URL-encoded forms) with ``***``."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        """Start with the configured secrets.

        Args:
            secrets: Secret values; empty and very short values are ignored.
        """
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Remember another secret (an access token obtained at runtime).

        Args:
            secret: The value; ignored when empty or shorter than four characters.
        """
        if not secret or len(secret) < _MIN_SECRET_LENGTH:
            return
        with self._lock:
            self._secrets.update({secret, quote(secret, safe=""), quote_plus(secret)})
            # PEM keys are multi-line: each long line is a secret on its own.
            self._secrets.update(
                line.strip()
                for line in secret.splitlines()
                if len(line.strip()) >= 16  # noqa: PLR2004
            )

    def redact(self, text: str) -> str:
        """Return ``text`` with every known secret replaced by ``***``.

        Args:
            text: Any text about to be logged or raised.

        Returns:
            The text without secrets.
        """
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text
