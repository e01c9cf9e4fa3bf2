"""``salesforce-emulator``: serve the emulated org, create a connected app, seed data."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from emulators.salesforce.apps import DEFAULT_APP_NAME, AppCredentials, create_app
from emulators.salesforce.directory import OrgDirectory
from emulators.salesforce.faults import FaultSettings
from emulators.salesforce.limits import DEFAULT_DAILY_QUOTA
from emulators.salesforce.settings import (
    DEFAULT_BULK_PAGE_SIZE,
    DEFAULT_TOKEN_LIFETIME_SECONDS,
    MAX_QUERY_BATCH,
    MIN_QUERY_BATCH,
    ServerSettings,
)

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)

ADMIN_TOKEN_ENV = "SALESFORCE_EMULATOR_ADMIN_TOKEN"  # noqa: S105 - a variable name
DATA_DIR_ENV = "SALESFORCE_EMULATOR_DATA_DIR"

_data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=DATA_DIR_ENV,
    default=Path("salesforce-emulator-data"),
    show_default=True,
    help="Folder of the org's SQLite files, TLS certificates and app keys.",
)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at INFO level.")
def main(verbose: bool) -> None:
    """A local HTTPS emulator of Salesforce's REST and Bulk 2.0 APIs."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _parse_fault(values: tuple[str, ...]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for item in values:
        name, sep, raw = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: write NAME=VALUE, e.g. latency_ms=50")
        try:
            value: Any = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        changes[name.strip()] = value
    try:
        FaultSettings().update(changes)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fault") from exc
    return changes


@main.command()
@_data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", type=int, default=8443, show_default=True, help="Port (0: any free).")
@click.option(
    "--token-lifetime",
    type=click.FloatRange(min=1),
    default=DEFAULT_TOKEN_LIFETIME_SECONDS,
    show_default=True,
    help="Access token lifetime in seconds (emulator clock).",
)
@click.option(
    "--daily-quota",
    type=click.IntRange(min=0),
    default=DEFAULT_DAILY_QUOTA,
    show_default=True,
    help="DailyApiRequests: API calls allowed per day before REQUEST_LIMIT_EXCEEDED.",
)
@click.option(
    "--query-page-size",
    type=click.IntRange(MIN_QUERY_BATCH, MAX_QUERY_BATCH),
    default=MAX_QUERY_BATCH,
    show_default=True,
    help="REST query page size when the client sends no batchSize.",
)
@click.option(
    "--bulk-page-size",
    type=click.IntRange(min=1),
    default=DEFAULT_BULK_PAGE_SIZE,
    show_default=True,
    help="Bulk results page size when the client sends no maxRecords.",
)
@click.option(
    "--bulk-polls-in-progress",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="A finished Bulk job still reports InProgress for this many polls.",
)
@click.option(
    "--admin-token",
    envvar=ADMIN_TOKEN_ENV,
    default=None,
    help=f"Secret for /_emulator endpoints (env {ADMIN_TOKEN_ENV}); "
    "generated into DATA_DIR/admin-token when absent.",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="NAME=VALUE",
    help="Turn a fault on, e.g. --fault server_unavailable_rate=0.1 --fault seed=7 "
    "(names: see GET /_emulator/faults).",
)
def serve(  # noqa: PLR0917 - click passes options positionally
    data_dir: Path,
    host: str,
    port: int,
    token_lifetime: float,
    daily_quota: int,
    query_page_size: int,
    bulk_page_size: int,
    bulk_polls_in_progress: int,
    admin_token: str | None,
    faults: tuple[str, ...],
) -> None:
    """Serve the org over HTTPS."""
    from emulators.common.process import free_port  # noqa: PLC0415 - serve-only imports
    from emulators.salesforce import server  # noqa: PLC0415
    from emulators.salesforce.tls import ensure_tls_files  # noqa: PLC0415

    fault_settings = FaultSettings()
    fault_settings.update(_parse_fault(faults))
    token = admin_token or server.load_or_create_admin_token(data_dir)
    settings = ServerSettings(
        data_dir=data_dir,
        admin_token=token,
        host=host,
        port=port or free_port(host),
        token_lifetime_seconds=token_lifetime,
        daily_quota=daily_quota,
        query_page_size=query_page_size,
        bulk_page_size=bulk_page_size,
        bulk_polls_in_progress=bulk_polls_in_progress,
        faults=fault_settings,
    )
    files = ensure_tls_files(data_dir)
    click.echo(f"Salesforce emulator: instance URL {settings.instance_url}")
    click.echo(f"CA file to trust: {files.ca_file.resolve()}")
    if admin_token is None:
        click.echo(f"Admin token file: {server.admin_token_file(data_dir).resolve()}")
    click.echo(f"Data folder: {data_dir.resolve()}")
    server.serve(settings)


def _store_user_factory(data_dir: Path) -> Callable[[str], str | None]:
    """Create the integration user as a User record of the store; None when that fails."""

    def factory(username: str) -> str | None:
        from emulators.salesforce.catalog import default_catalog  # noqa: PLC0415
        from emulators.salesforce.errors import SalesforceApiError  # noqa: PLC0415
        from emulators.salesforce.state import org_db_path  # noqa: PLC0415
        from emulators.salesforce.store import OrgStore  # noqa: PLC0415

        catalog = default_catalog()
        user_object = catalog.get("User")
        if user_object is None:
            return None
        local = username.split("@", 1)[0]
        values: dict[str, Any] = {
            "Username": username,
            "FirstName": "Integration",
            "LastName": "User",
            "Email": username,
            "Alias": local[:8],
            "CommunityNickname": local[:40],
        }
        for field in user_object.fields:
            if field.name in values or field.nillable or not field.createable:
                continue
            if field.picklist_values:
                default = next((p for p in field.picklist_values if p.default_value), None)
                values[field.name] = (default or field.picklist_values[0]).value
        store = OrgStore(org_db_path(data_dir), catalog)
        try:
            return store.create("User", values)
        except SalesforceApiError as exc:
            logger.warning("Could not create the integration user as a User record: %s", exc)
            return None
        finally:
            closer = getattr(store, "close", None)
            if callable(closer):
                closer()

    return factory


def credentials_dict(
    credentials: AppCredentials, instance_url: str | None = None
) -> dict[str, Any]:
    """The credentials as printed by ``create-app --json``."""
    body: dict[str, Any] = {
        "app_name": credentials.app_name,
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "username": credentials.username,
        "password": credentials.password,
        "security_token": credentials.security_token,
        "user_id": credentials.user_id,
        "refresh_token": credentials.refresh_token,
        "private_key_path": str(credentials.private_key_path.resolve()),
        "certificate_path": str(credentials.certificate_path.resolve()),
    }
    if instance_url:
        body["instance_url"] = instance_url
    return body


@main.command("create-app")
@_data_dir_option
@click.option("--name", default=DEFAULT_APP_NAME, show_default=True, help="Connected app name.")
@click.option("--username", default=None, help="Integration user's login name.")
@click.option("--json", "as_json", is_flag=True, help="Print the credentials as one JSON object.")
def create_app_command(data_dir: Path, name: str, username: str | None, as_json: bool) -> None:
    """Create (or show again) a connected app and its integration user.

    Prints the consumer key and secret, the user's username, password and security token, a
    refresh token, and the path of the private key for the JWT bearer flow. Running it again
    with the same --name prints the same credentials.
    """
    directory = OrgDirectory(data_dir)
    try:
        credentials = create_app(
            directory, name, username=username, user_id_factory=_store_user_factory(data_dir)
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    finally:
        directory.close()
    values = credentials_dict(credentials)
    if as_json:
        click.echo(json.dumps(values, indent=2))
        return
    width = max(len(k) for k in values)
    for key, value in values.items():
        click.echo(f"{key.ljust(width)}  {value}")


@main.command()
@_data_dir_option
@click.option("--accounts", type=click.IntRange(min=0), required=True, help="Accounts to create.")
@click.option("--seed", "seed_value", type=int, default=1, show_default=True, help="Random seed.")
def seed(data_dir: Path, accounts: int, seed_value: int) -> None:
    """Write deterministic, realistic data (accounts with their contacts, opportunities …)."""
    from emulators.salesforce.seed import seed_org  # noqa: PLC0415 - Faker is slow to import
    from emulators.salesforce.state import org_db_path  # noqa: PLC0415

    data_dir.mkdir(parents=True, exist_ok=True)
    summary = seed_org(org_db_path(data_dir), accounts=accounts, seed=seed_value)
    click.echo(summary.report(str(data_dir.resolve())))
