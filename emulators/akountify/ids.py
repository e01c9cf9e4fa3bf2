"""Identifiers and secrets: record ids, company and client ids, tokens and their hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

ID_PREFIXES = {
    "customers": "cus_",
    "contacts": "con_",
    "invoices": "inv_",
    "custom_field_definitions": "cfd_",
    "sync_runs": "run_",
    "companies": "cmp_",
    "api_clients": "cli_",
    "users": "usr_",
}
_ID_CHARS = 20
# Each random byte gives one character from its low 5 bits (256 is a multiple of 32, so every
# character is equally likely): 20 bytes, 100 random bits.
_BASE32_OF_BYTE = bytes(b"abcdefghijklmnopqrstuvwxyz234567"[byte & 31] for byte in range(256))


def new_id(kind: str) -> str:
    """A new identifier: the kind's prefix and 20 lowercase base32 characters (100 bits)."""
    return ID_PREFIXES[kind] + secrets.token_bytes(_ID_CHARS).translate(_BASE32_OF_BYTE).decode()


def new_secret(prefix: str, nbytes: int = 32) -> str:
    """A new random secret (client secret, token, password) with a recognisable prefix."""
    return prefix + secrets.token_urlsafe(nbytes)


def secret_hash(secret: str) -> str:
    """The stored form of a high-entropy secret: its SHA-256 in hex (never the secret)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    """Whether ``secret`` hashes to ``stored_hash`` (constant-time comparison)."""
    return hmac.compare_digest(secret_hash(secret), stored_hash)
