"""Run the emulator: TLS material, the ASGI app and uvicorn."""

from __future__ import annotations

import logging
import os
import secrets
from typing import TYPE_CHECKING

import uvicorn

from emulators.salesforce.app import build_app
from emulators.salesforce.responses import install_disconnect_log_filter
from emulators.salesforce.tls import ensure_tls_files

if TYPE_CHECKING:
    from pathlib import Path

    from emulators.salesforce.settings import ServerSettings

logger = logging.getLogger(__name__)

ADMIN_TOKEN_FILE = "admin-token"  # noqa: S105 - a file name
#: Request heads up to this size reach the app (so it can answer 414 for long URIs itself).
_MAX_REQUEST_HEAD_BYTES = 1024 * 1024


def admin_token_file(data_dir: Path) -> Path:
    """Where the generated admin token of a data folder is kept."""
    return data_dir / ADMIN_TOKEN_FILE


def load_or_create_admin_token(data_dir: Path) -> str:
    """Return the data folder's admin token, creating it (owner-only file) on first use."""
    path = admin_token_file(data_dir)
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    return token


def serve(settings: ServerSettings) -> None:
    """Start the HTTPS server and block until it is stopped (SIGINT/SIGTERM)."""
    files = ensure_tls_files(settings.data_dir)
    app = build_app(settings)
    install_disconnect_log_filter()
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        ssl_certfile=str(files.cert_file),
        ssl_keyfile=str(files.key_file),
        http="h11",
        h11_max_incomplete_event_size=_MAX_REQUEST_HEAD_BYTES,
        lifespan="on",
        access_log=False,
        log_level="warning",
        timeout_keep_alive=30,
    )
    uvicorn.Server(config).run()
