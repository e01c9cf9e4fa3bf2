"""``akountify-emulator``: serve the API, create companies, seed hand-typed customers."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

import click
import orjson

from emulators.akountify import accounts, database
from emulators.akountify.clock import Clock
from emulators.akountify.seed import seed_company
from emulators.akountify.settings import (
    DEFAULT_BODY_LIMIT,
    DEFAULT_CONCURRENT_REQUESTS,
    DEFAULT_PORT,
    DEFAULT_REQUESTS_PER_MINUTE,
    DEFAULT_TOKEN_TTL,
    Faults,
    Limits,
    ServeSettings,
)

DEFAULT_DATA_DIR = Path(".data/akountify")
ADMIN_TOKEN_FILE = "admin-token"  # noqa: S105 - a file name, not a secret

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DATA_DIR,
    show_default=True,
    envvar="AKOUNTIFY_DATA_DIR",
    help="Folder of the SQLite database (created if missing).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


@click.group()
def main() -> None:
    """The Akountify API emulator: a local, persistent implementation of the contract."""


def write_admin_token(data_dir: Path, token: str) -> Path:
    """Write the admin token to ``<data_dir>/admin-token`` (owner-only permissions)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / ADMIN_TOKEN_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    return path


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=int, default=DEFAULT_PORT, show_default=True, help="TCP port.")
@data_dir_option
@click.option(
    "--token-ttl",
    type=click.IntRange(min=1),
    default=DEFAULT_TOKEN_TTL,
    show_default=True,
    help="Access token lifetime in seconds.",
)
@click.option(
    "--requests-per-minute",
    type=click.IntRange(min=0),
    default=DEFAULT_REQUESTS_PER_MINUTE,
    show_default=True,
    help="Requests per company per 60 s window (0 = no limit).",
)
@click.option(
    "--concurrent-requests",
    type=click.IntRange(min=0),
    default=DEFAULT_CONCURRENT_REQUESTS,
    show_default=True,
    help="Requests per company in flight at once (0 = no limit).",
)
@click.option("--no-rate-limits", is_flag=True, help="Turn both rate limits off.")
@click.option(
    "--body-limit",
    type=click.IntRange(min=1),
    default=DEFAULT_BODY_LIMIT,
    show_default=True,
    help="Largest request body in bytes.",
)
@click.option(
    "--admin-token",
    envvar="AKOUNTIFY_ADMIN_TOKEN",
    default=None,
    help="Bearer token of /v1/_admin, also read from AKOUNTIFY_ADMIN_TOKEN (generated, printed "
    "and saved when omitted).",
)
@click.option(
    "--seed",
    "fault_seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of the fault-injection RNG.",
)
@click.option(
    "--fault-error-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Fraction answered 500/503.",
)
@click.option(
    "--fault-burst-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Fraction of requests that start a burst of 429s.",
)
@click.option(
    "--fault-burst-length",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Consecutive 429s in a burst.",
)
@click.option(
    "--fault-latency-ms", type=click.IntRange(min=0), default=0, help="Added latency in ms."
)
@click.option(
    "--fault-latency-rate",
    type=click.FloatRange(0, 1),
    default=1.0,
    show_default=True,
    help="Fraction of requests delayed.",
)
@click.option(
    "--fault-drop-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Fraction of connections dropped before processing.",
)
@click.option(
    "--fault-drop-after-write-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Fraction of requests processed, then dropped without an answer.",
)
@click.option(
    "--fault-retry-after",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Retry-After seconds on injected 429/503.",
)
@click.option("--clock-offset", type=float, default=0.0, help="Seconds added to the real time.")
@click.option(
    "--access-log/--no-access-log", default=True, show_default=True, help="Log each request."
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
)
def serve(**options: Any) -> None:
    """Run the API server (Ctrl-C stops it)."""
    import uvicorn  # noqa: PLC0415 - only the server needs it

    from emulators.akountify.app import create_app  # noqa: PLC0415

    limits = Limits(options["requests_per_minute"], options["concurrent_requests"])
    if options["no_rate_limits"]:
        limits = Limits(0, 0)
    faults = Faults(
        seed=options["fault_seed"],
        error_rate=options["fault_error_rate"],
        burst_rate=options["fault_burst_rate"],
        burst_length=options["fault_burst_length"],
        latency_ms=options["fault_latency_ms"],
        latency_rate=options["fault_latency_rate"],
        drop_rate=options["fault_drop_rate"],
        drop_after_write_rate=options["fault_drop_after_write_rate"],
        retry_after=options["fault_retry_after"],
    )
    settings = ServeSettings(
        data_dir=options["data_dir"],
        host=options["host"],
        port=options["port"],
        token_ttl=options["token_ttl"],
        limits=limits,
        body_limit=options["body_limit"],
        faults=faults,
        admin_token=options["admin_token"],
        clock_offset=options["clock_offset"],
        access_log=options["access_log"],
    )
    admin_token = settings.admin_token or secrets.token_urlsafe(24)
    token_file = write_admin_token(settings.data_dir, admin_token)
    logging.basicConfig(
        level=options["log_level"].upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = create_app(settings, admin_token)
    click.echo(f"Akountify emulator: {settings.base_url}  (data folder {settings.data_dir})")
    if settings.admin_token is None:
        click.echo(f"Admin token (also in {token_file}): {admin_token}")
    else:
        click.echo(f"Admin token: as given (also in {token_file})")
    if faults.active:
        click.echo(f"Fault injection on: {orjson.dumps(faults.to_json()).decode()}")
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=options["log_level"],
        access_log=settings.access_log,
        timeout_graceful_shutdown=5,
    )


def _show_company(company: accounts.NewCompany, as_json: bool) -> None:
    if as_json:
        click.echo(orjson.dumps(company.to_json()).decode())
        return
    click.echo(f"company_id:    {company.company_id}")
    click.echo(f"client_id:     {company.client_id}")
    click.echo(f"client_secret: {company.client_secret}")
    click.echo(f"username:      {company.username}")
    click.echo(f"password:      {company.password}")


@main.command("create-company")
@click.argument("name")
@data_dir_option
@json_option
def create_company(name: str, data_dir: Path, as_json: bool) -> None:
    """Create a company with an API client and a user; print their credentials once.

    Works on the data folder directly, whether the server runs or not.
    """
    connection = database.connect(data_dir)
    try:
        company = accounts.create_company(connection, name, Clock())
    except accounts.ApiError as error:
        raise click.BadParameter(error.message, param_hint="NAME") from error
    finally:
        connection.close()
    _show_company(company, as_json)


@main.command()
@data_dir_option
@click.option(
    "--company-id", default=None, help="Company to seed (a new one is created when omitted)."
)
@json_option
def seed(data_dir: Path, company_id: str | None, as_json: bool) -> None:
    """Add customers typed in by hand (no external ids) for duplicate-matching tests."""
    connection = database.connect(data_dir)
    clock = Clock()
    company = None
    try:
        if company_id is None:
            company = accounts.create_company(connection, "Seeded Company", clock)
            company_id = company.company_id
        try:
            created = seed_company(connection, company_id, clock)
        except accounts.ApiError as error:
            raise click.BadParameter(error.message, param_hint="--company-id") from error
    finally:
        connection.close()
    if as_json:
        payload: dict[str, Any] = {"company_id": company_id, "customers": created}
        if company is not None:
            payload["company"] = company.to_json()
        click.echo(orjson.dumps(payload).decode())
        return
    if company is not None:
        _show_company(company, as_json=False)
    click.echo(f"seeded {len(created)} hand-typed customer(s) into {company_id}:")
    for record in created:
        click.echo(f"  {record['id']}  {record['display_name']}")
