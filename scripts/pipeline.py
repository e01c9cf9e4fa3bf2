"""The main job: Salesforce to Akountify through Meltano, against the two local emulators.

Run it as `python3 scripts/dev.py demo [COMMAND]` (which sets up .venv first):

    demo                  start both emulators if needed (seeded org, connected app, Akountify
                          company, credentials in .env), install the Meltano plugins if needed,
                          run `meltano run salesforce-to-akountify`, print the sync report
    demo --full-refresh   the same, re-reading everything from Salesforce (ignores bookmarks)
    demo --test-sync      a dry run on 5 records per object: nothing written, nothing bookmarked
    demo edit             change an account in Salesforce (or --delete it) for the next run
    demo show ENTITY      what landed in Akountify: customers, contacts, invoices, sync-runs
    demo cheatsheet       the mapping as a one-page Markdown cheat sheet: where to edit what
    demo status           are the emulators running, what did the last run do
    demo stop             stop both emulators (their data stays in .data/)
    demo reset            stop them and delete their data, the sync state and output/
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pipeline_emulators as emulators
import yaml
from pipeline_apis import AkountifyApi, ApiCallError, SalesforceApi
from pipeline_files import (
    MANAGED_ENV_KEYS,
    ProjectPaths,
    read_env,
    read_state,
    update_env,
    write_state,
)
from pipeline_report import read_report, show, summary, where_to_look
from pipeline_setup import (
    SalesforceCredentials,
    SetupError,
    akountify_api,
    connected_app,
    install_needed,
    meltano_executable,
    meltano_install,
    salesforce_api,
    seed_salesforce,
    type_customers_by_hand,
    write_env,
)

from emulators.common.process import EmulatorStartError

ROOT = Path(__file__).resolve().parent.parent
JOB = "salesforce-to-akountify"
STATE_ID_PREFIX = "local:"
TEST_SYNC_RECORDS = 5
SALESFORCE_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")

logger = logging.getLogger("pipeline")


class Context:
    """What every command needs: the project's paths and the running emulators."""

    def __init__(self, paths: ProjectPaths) -> None:
        """Remember the paths."""
        self.paths = paths

    def running(self) -> dict[str, emulators.EmulatorInfo | None]:
        """The emulators started by the main job that still run, by name."""
        state = read_state(self.paths)
        return {
            emulators.SALESFORCE: emulators.running(
                emulators.SALESFORCE, self.paths.salesforce_dir, state.get(emulators.SALESFORCE)
            ),
            emulators.AKOUNTIFY: emulators.running(
                emulators.AKOUNTIFY, self.paths.akountify_dir, state.get(emulators.AKOUNTIFY)
            ),
        }


# "\b" keeps click from rewrapping the command table.
HELP = (__doc__ or "").replace(":\n\n    demo ", ":\n\n\b\n    demo ", 1)


@click.group(invoke_without_command=True, help=HELP)
@click.option("--full-refresh", is_flag=True, help="Ignore the bookmarks: re-read everything.")
@click.option(
    "--test-sync",
    is_flag=True,
    help=f"Dry run on {TEST_SYNC_RECORDS} records per object (writes nothing, keeps no state).",
)
@click.option(
    "--project-root",
    type=click.Path(file_okay=False, path_type=Path),
    default=ROOT,
    show_default=True,
    help="The Meltano project (where meltano.yml is).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The emulators' data (default: PROJECT_ROOT/.data).",
)
@click.pass_context
def cli(
    ctx: click.Context, full_refresh: bool, test_sync: bool, project_root: Path, data_dir: Path
) -> None:
    """Run the main job unless a command is given."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    ctx.obj = Context(ProjectPaths.for_root(project_root, data_dir))
    if ctx.invoked_subcommand is None:
        try:
            code = run_job(ctx.obj, full_refresh=full_refresh, test_sync=test_sync)
        except (SetupError, ApiCallError, EmulatorStartError) as exc:
            raise click.ClickException(str(exc)) from exc
        ctx.exit(code)


@dataclass(frozen=True)
class Running:
    """Both emulators, running, and the credentials the job uses on them."""

    salesforce: emulators.EmulatorInfo
    akountify: emulators.EmulatorInfo
    creds: SalesforceCredentials
    paths: ProjectPaths

    def salesforce_api(self) -> SalesforceApi:
        """The emulated Salesforce, logged in with the connected app."""
        return salesforce_api(self.creds, self.salesforce)

    def akountify_api(self) -> AkountifyApi:
        """The demo company in the emulated Akountify."""
        return akountify_api(self.paths, self.akountify.url)


def ensure_emulators(context: Context) -> Running:
    """Start whatever is not running (seeding and creating credentials first); update .env."""
    paths = context.paths
    state = read_state(paths)
    running = context.running()
    salesforce = running[emulators.SALESFORCE]
    if salesforce is None:
        if seed_salesforce(paths):
            click.echo(f"Seeded the Salesforce emulator's org in {paths.salesforce_dir}")
        creds = connected_app(paths)
        salesforce = emulators.start_salesforce(paths, state.get(emulators.SALESFORCE))
        click.echo(f"Started the Salesforce emulator at {salesforce.url}")
    else:
        creds = _salesforce_credentials(paths)
    akountify = running[emulators.AKOUNTIFY]
    if akountify is None:
        akountify = emulators.start_akountify(paths, state.get(emulators.AKOUNTIFY))
        click.echo(f"Started the Akountify emulator at {akountify.url}")
    company = akountify_api(paths, akountify.url).company
    state = read_state(paths)
    state.update(
        {
            emulators.SALESFORCE: salesforce.to_json(),
            emulators.AKOUNTIFY: akountify.to_json(),
            "company_id": company.company_id,
        }
    )
    write_state(paths, state)
    write_env(paths, salesforce, akountify, creds, company)
    return Running(salesforce, akountify, creds, paths)


def _salesforce_credentials(paths: ProjectPaths) -> SalesforceCredentials:
    env = read_env(paths)
    if env.get("TAP_SALESFORCE_LITE_CLIENT_ID") and env.get("TAP_SALESFORCE_LITE_CLIENT_SECRET"):
        return SalesforceCredentials(
            env["TAP_SALESFORCE_LITE_CLIENT_ID"], env["TAP_SALESFORCE_LITE_CLIENT_SECRET"], ""
        )
    return connected_app(paths)


def run_job(context: Context, *, full_refresh: bool, test_sync: bool) -> int:
    """The main job from start to report; return the exit code of ``meltano run``."""
    paths = context.paths
    started = time.monotonic()
    setup = ensure_emulators(context)
    akountify = setup.akountify_api()
    hand_typed = type_customers_by_hand(paths, setup.salesforce_api(), akountify)
    if hand_typed:
        click.echo(
            f"The bookkeeper had already typed {len(hand_typed)} customers into Akountify by "
            "hand: the first sync links them instead of creating twins"
        )
    if install_needed(paths):
        click.echo("Installing the Meltano plugins (meltano install)…")
        meltano_install(paths, paths.output_dir / "meltano-install.log")
    code = meltano_run(paths, full_refresh=full_refresh, test_sync=test_sync)
    report = read_report(paths)
    click.echo("")
    if code != 0:
        click.echo(_log_tail(paths.run_log), err=True)
        click.echo(f"meltano run failed (exit code {code}); full log: {paths.run_log}", err=True)
    if report is not None and (code == 0 or report.get("status") == "failed"):
        click.echo(summary(report, paths))
        click.echo("")
    click.echo(where_to_look(paths, setup.akountify.url, akountify.company.company_id))
    click.echo(f"\n(main job took {time.monotonic() - started:.0f} s)")
    return code


def meltano_run(paths: ProjectPaths, *, full_refresh: bool, test_sync: bool) -> int:
    """``meltano run salesforce-to-akountify`` in the project, its output into the run log."""
    argv = [str(meltano_executable()), "run", JOB]
    if full_refresh:
        argv.append("--full-refresh")
    env = dict(os.environ)
    if test_sync:
        env["TAP_SALESFORCE_LITE_MAX_RECORDS_PER_STREAM"] = str(TEST_SYNC_RECORDS)
        env["TARGET_AKOUNTIFY_DRY_RUN"] = "true"
        argv += ["--state-id-suffix", "test-sync"]
    paths.output_dir.mkdir(parents=True, exist_ok=True)
    what = "a test sync (dry run)" if test_sync else "the sync"
    click.echo(f"Running {what}: meltano {' '.join(argv[1:])}   (log: {paths.run_log})")
    with paths.run_log.open("w", encoding="utf-8") as log:
        completed = subprocess.run(
            argv, cwd=paths.root, stdout=log, stderr=subprocess.STDOUT, env=env, check=False
        )
    return completed.returncode


def _log_tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


@cli.command()
@click.option("--account", "account_id", default=None, help="Account Id (default: one synced).")
@click.option("--field", default="Phone", show_default=True, help="The field to change.")
@click.option("--value", default=None, help="The new value (default: a new phone number).")
@click.option("--delete", is_flag=True, help="Delete the account instead (it gets archived).")
@click.pass_obj
def edit(
    context: Context, account_id: str | None, field: str, value: str | None, delete: bool
) -> None:
    """Change an account in the emulated Salesforce, so the next run shows it flowing through."""
    setup = ensure_emulators(context)
    salesforce = setup.salesforce_api()
    akountify = setup.akountify_api()
    try:
        if account_id is None:
            synced = akountify.list("customers", limit=1, has_external_id="true", status="active")
            if not synced:
                raise click.ClickException(
                    "No account has reached Akountify yet: run `python3 scripts/dev.py demo` first"
                )
            account_id = str(synced[0]["external_id"])
        if not SALESFORCE_ID.fullmatch(account_id) or not FIELD_NAME.fullmatch(field):
            raise click.ClickException(
                "--account takes a 15 or 18 character Salesforce id and --field a field API name"
            )
        soql = f"SELECT Id, Name, {field} FROM Account WHERE Id = '{account_id}'"  # noqa: S608
        before = salesforce.query(soql)
        if not before:
            raise click.ClickException(f"Salesforce has no account {account_id}")
        name = before[0]["Name"]
        if delete:
            salesforce.delete("Account", account_id)
            click.echo(f"Deleted account {account_id} ({name}) in Salesforce.")
            expect = "its customer archived (archived 1)"
        else:
            new_value = value if value is not None else f"+1 555 {random.randint(100, 999)} 0100"
            salesforce.update("Account", account_id, {field: new_value})
            click.echo(
                f"Changed account {account_id} ({name}) in Salesforce: {field} "
                f"{before[0].get(field)!r} -> {new_value!r}"
            )
            expect = "it updated (updated 1)"
    except ApiCallError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Now run `python3 scripts/dev.py demo`: the report shows {expect}, and")
    click.echo(f"`python3 scripts/dev.py demo show customers --search '{name}'` shows the result.")


@cli.command("show")
@click.argument("entity", type=click.Choice(["customers", "contacts", "invoices", "sync-runs"]))
@click.option("--limit", default=20, show_default=True, help="How many records.")
@click.option("--search", default=None, help="Only records whose name (or number) contains this.")
@click.pass_obj
def show_command(context: Context, entity: str, limit: int, search: str | None) -> None:
    """Show what landed in Akountify (read through its API, as the sync's API client)."""
    akountify = context.running()[emulators.AKOUNTIFY]
    if akountify is None or not context.paths.company_file.exists():
        raise click.ClickException("Akountify is not running: run `python3 scripts/dev.py demo`")
    try:
        click.echo(show(akountify_api(context.paths, akountify.url), entity, limit, search))
    except ApiCallError as exc:
        raise click.ClickException(str(exc)) from exc


@cli.command()
@click.pass_obj
def cheatsheet(context: Context) -> None:
    """Print the mapping target-akountify uses in this project as a Markdown cheat sheet."""
    config = mapping_config(context.paths)
    context.paths.output_dir.mkdir(parents=True, exist_ok=True)
    config_file = context.paths.output_dir / "cheatsheet-config.json"
    config_file.write_text(json.dumps(config), encoding="utf-8")
    command = Path(sys.executable).parent / "target-akountify-cheatsheet"
    completed = subprocess.run(
        [str(command), "--config", str(config_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    config_file.unlink()
    if completed.returncode != 0:
        raise click.ClickException(completed.stderr.strip() or completed.stdout.strip())
    click.echo(completed.stdout, nl=False)


def mapping_config(paths: ProjectPaths) -> dict[str, Any]:
    """The target's ``mapping``/``mapping_file`` from meltano.yml (or the environment)."""
    document = yaml.safe_load((paths.root / "meltano.yml").read_text(encoding="utf-8"))
    loader = next(p for p in document["plugins"]["loaders"] if p["name"] == "target-akountify")
    config = {k: v for k, v in (loader.get("config") or {}).items() if k.startswith("mapping")}
    if os.environ.get("TARGET_AKOUNTIFY_MAPPING_FILE"):
        config = {"mapping_file": os.environ["TARGET_AKOUNTIFY_MAPPING_FILE"]}
    if isinstance(config.get("mapping_file"), str):
        config["mapping_file"] = config["mapping_file"].replace(
            "${MELTANO_PROJECT_ROOT}", str(paths.root)
        )
    return config


@cli.command()
@click.pass_obj
def status(context: Context) -> None:
    """Say whether the emulators run, and what the last sync did."""
    for name, info in context.running().items():
        where = f"running at {info.url} (pid {info.pid})" if info else "not running"
        click.echo(f"{name} emulator: {where}")
    click.echo(f"data: {context.paths.data_dir}")
    report = read_report(context.paths)
    if report is None:
        click.echo("No sync yet: run `python3 scripts/dev.py demo`.")
        return
    totals = report["totals"]
    click.echo(
        f"last sync: {report['status']}, finished {report['finished_at']}: "
        + ", ".join(f"{totals[name]} {name}" for name in totals if totals[name])
    )
    click.echo(f"report: {context.paths.report_file}")


@cli.command()
@click.pass_obj
def stop(context: Context) -> None:
    """Stop both emulators; their data stays for the next run."""
    _stop_all(context)


def _stop_all(context: Context) -> None:
    state = read_state(context.paths)
    for name, data_dir in (
        (emulators.SALESFORCE, context.paths.salesforce_dir),
        (emulators.AKOUNTIFY, context.paths.akountify_dir),
    ):
        recorded = state.get(name)
        if recorded and emulators.stop(emulators.EmulatorInfo.from_json(name, recorded), data_dir):
            click.echo(f"Stopped the {name} emulator (pid {recorded['pid']}).")
        else:
            click.echo(f"The {name} emulator was not running.")


@cli.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def reset(context: Context, yes: bool) -> None:
    """Stop the emulators and delete their data, the local sync state and output/."""
    paths = context.paths
    if not yes:
        click.confirm(
            f"Delete {paths.data_dir}, {paths.output_dir} and the local sync state?", abort=True
        )
    _stop_all(context)
    for folder in (paths.data_dir, paths.output_dir):
        shutil.rmtree(folder, ignore_errors=True)
    update_env(paths, dict.fromkeys(MANAGED_ENV_KEYS))
    cleared = clear_local_state(paths)
    click.echo(
        f"Deleted {paths.data_dir} and {paths.output_dir}; cleared {cleared} local state id(s). "
        "The next `python3 scripts/dev.py demo` starts from scratch."
    )


def clear_local_state(paths: ProjectPaths) -> int:
    """Clear Meltano's state of the ``local`` environment's jobs; return how many ids."""
    meltano = str(meltano_executable())
    if not (paths.root / ".meltano").is_dir():
        return 0
    listed = subprocess.run(
        [meltano, "state", "list", "--pattern", f"{STATE_ID_PREFIX}*"],
        cwd=paths.root,
        capture_output=True,
        text=True,
        check=False,
    )
    state_ids = [line.strip() for line in listed.stdout.splitlines() if line.strip()]
    for state_id in state_ids:
        subprocess.run(
            [meltano, "state", "clear", "--force", state_id],
            cwd=paths.root,
            capture_output=True,
            check=True,
        )
    return len(state_ids)


if __name__ == "__main__":
    cli()
