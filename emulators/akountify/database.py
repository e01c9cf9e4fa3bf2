"""SQLite storage of the emulator: the schema, connections and transactions.

One file ``akountify.sqlite3`` in the data folder, in WAL mode so that readers never block
the writer and a second process (``akountify-emulator create-company`` while the server runs)
can write safely. Every write runs in ``BEGIN IMMEDIATE``: writers are serialized, so no
update is lost and versions strictly increase.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

DB_FILE_NAME = "akountify.sqlite3"
SCHEMA_VERSION = "1"
BUSY_TIMEOUT_MS = 30_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS companies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS api_clients (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY,
    company_id TEXT NOT NULL,
    actor_type TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    company_id TEXT NOT NULL,
    entity TEXT NOT NULL,
    external_id TEXT,
    external_source TEXT,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    fields TEXT NOT NULL,
    custom_fields TEXT NOT NULL,
    sync_metadata TEXT NOT NULL,
    unique_key TEXT,
    search_text TEXT NOT NULL,
    ref_id TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS records_by_external_id
    ON records(company_id, entity, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS records_by_creation ON records(company_id, entity, seq);
CREATE INDEX IF NOT EXISTS records_by_unique_key
    ON records(company_id, entity, unique_key) WHERE unique_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS records_by_update ON records(company_id, entity, updated_at);
CREATE INDEX IF NOT EXISTS records_without_external_id
    ON records(company_id, entity, seq) WHERE external_id IS NULL;
CREATE TABLE IF NOT EXISTS custom_field_definitions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    company_id TEXT NOT NULL,
    entity TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    type TEXT NOT NULL,
    options TEXT,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS custom_field_definitions_by_name
    ON custom_field_definitions(company_id, entity, name_key);
CREATE TABLE IF NOT EXISTS sync_runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    company_id TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sync_runs_by_company ON sync_runs(company_id, seq);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    company_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (company_id, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_keys_by_age ON idempotency_keys(company_id, created_at);
"""


def database_path(data_dir: Path) -> Path:
    """The SQLite file inside a data folder."""
    return Path(data_dir) / DB_FILE_NAME


def connect(data_dir: Path) -> sqlite3.Connection:
    """Open (creating if needed) the emulator database in ``data_dir``.

    The connection is in autocommit mode: callers open transactions with :func:`write` or
    :func:`read`.

    Args:
        data_dir: The data folder; created if missing.

    Returns:
        An open connection with the schema in place.
    """
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(
        database_path(data_dir), isolation_level=None, check_same_thread=False
    )
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA foreign_keys = ON")
    # executescript commits on its own; every statement of the schema is idempotent.
    connection.executescript(_SCHEMA)
    connection.execute(
        "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
    )
    return connection


@contextlib.contextmanager
def write(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction (``BEGIN IMMEDIATE``): committed on success, rolled back on error."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


@contextlib.contextmanager
def read(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A read transaction: one consistent snapshot for all the reads inside."""
    connection.execute("BEGIN")
    try:
        yield connection
    finally:
        connection.execute("COMMIT")


@contextlib.contextmanager
def savepoint(connection: sqlite3.Connection, name: str = "op") -> Iterator[None]:
    """A nested unit inside a transaction: rolled back alone if its block raises."""
    connection.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        connection.execute(f"ROLLBACK TO {name}")
        connection.execute(f"RELEASE {name}")
        raise
    connection.execute(f"RELEASE {name}")
