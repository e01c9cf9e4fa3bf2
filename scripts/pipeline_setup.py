"""The one-time setup of the main job: data, credentials, ``.env`` and the Meltano plugins.

Each step does its work once and is skipped when already done, so rerunning the main job goes
straight to the sync:

* the Salesforce emulator's org is seeded with a realistic org (300 accounts with their
  contacts and opportunities, edge cases included) and gets a connected app and an
  integration user;
* the Akountify emulator gets a company with an API client and a bookkeeper, who has already
  typed a few customers by hand (the first sync links to them instead of creating twins);
* ``.env`` receives the emulators' addresses and those credentials;
* ``meltano install`` runs when a plugin is missing or ``pyproject.toml`` changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import subprocess
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline_apis import AkountifyApi, SalesforceApi
from pipeline_files import read_state, update_env, write_private_json, write_state

from emulators.akountify.launcher import CompanyCredentials, RunningAkountify

if TYPE_CHECKING:
    from pipeline_emulators import EmulatorInfo
    from pipeline_files import ProjectPaths

logger = logging.getLogger(__name__)

DEMO_ACCOUNTS = 300
DEMO_SEED = 1
DEMO_COMPANY = "Demo Books"
PLUGINS = (("extractors", "tap-salesforce-lite"), ("loaders", "target-akountify"))
INSTALL_STAMP = ".pipeline-installed-pyproject-sha256"
#: How the bookkeeper wrote the names of the customers typed by hand.
HAND_TYPED_VARIANTS = (str.upper, str.lower, lambda name: f"{name}, Inc.", str.title)


class SetupError(RuntimeError):
    """A setup step failed: the message says which and what to do."""


def seed_salesforce(paths: ProjectPaths) -> bool:
    """Seed the Salesforce org once; return True when it was seeded now."""
    from emulators.salesforce.launcher import (  # noqa: PLC0415 - Faker is slow to import
        SEED_MARKER,
        EmulatorCommandError,
        seed_data_dir,
    )

    if (paths.salesforce_dir / SEED_MARKER).exists():
        return False
    paths.salesforce_dir.mkdir(parents=True, exist_ok=True)
    try:
        seed_data_dir(paths.salesforce_dir, accounts=DEMO_ACCOUNTS, seed=DEMO_SEED)
    except EmulatorCommandError as exc:
        raise SetupError(str(exc)) from exc
    return True


@dataclass(frozen=True)
class SalesforceCredentials:
    """The connected app's consumer key and secret (the integration user's client credentials)."""

    client_id: str
    client_secret: str
    username: str


def connected_app(paths: ProjectPaths) -> SalesforceCredentials:
    """The connected app of the org (``create-app`` creates it once, then prints it again)."""
    from emulators.salesforce.launcher import EmulatorCommandError, run_cli  # noqa: PLC0415

    try:
        body = json.loads(run_cli("create-app", "--data-dir", str(paths.salesforce_dir), "--json"))
    except EmulatorCommandError as exc:
        raise SetupError(str(exc)) from exc
    return SalesforceCredentials(body["client_id"], body["client_secret"], body["username"])


def akountify_emulator(paths: ProjectPaths, base_url: str) -> RunningAkountify:
    """The running Akountify emulator, with the admin token it keeps in its data folder."""
    token_file = paths.akountify_dir / "admin-token"
    return RunningAkountify(base_url, token_file.read_text().strip(), paths.akountify_dir)


def demo_company(paths: ProjectPaths, emulator: RunningAkountify) -> CompanyCredentials:
    """The demo company, created once through the admin API (credentials kept owner-only)."""
    if not paths.company_file.exists():
        company = emulator.create_company(DEMO_COMPANY)
        write_private_json(paths.company_file, {"name": DEMO_COMPANY, **asdict(company)})
    body = json.loads(paths.company_file.read_text(encoding="utf-8"))
    return CompanyCredentials(
        body["company_id"],
        body["client_id"],
        body["client_secret"],
        body["username"],
        body["password"],
    )


def akountify_api(paths: ProjectPaths, base_url: str) -> AkountifyApi:
    """A client of the demo company (created on first use)."""
    emulator = akountify_emulator(paths, base_url)
    return AkountifyApi(emulator, demo_company(paths, emulator))


def salesforce_api(creds: SalesforceCredentials, info: EmulatorInfo) -> SalesforceApi:
    """A client of the emulated org, logged in with the connected app."""
    return SalesforceApi(info.url, Path(info.ca_file or ""), creds.client_id, creds.client_secret)


def type_customers_by_hand(
    paths: ProjectPaths, salesforce: SalesforceApi, akountify: AkountifyApi
) -> list[dict[str, Any]]:
    """Once: the bookkeeper types a few Salesforce accounts into Akountify, names varied.

    Returns:
        The customers created (empty when done before).
    """
    state = read_state(paths)
    if state.get("hand_typed_customers"):
        return []
    accounts = salesforce.query(
        "SELECT Id, Name, Phone FROM Account WHERE IsDeleted = false ORDER BY CreatedDate LIMIT 200"
    )
    names = Counter(account["Name"] for account in accounts)
    plain = [
        account
        for account in accounts
        if names[account["Name"]] == 1 and re.fullmatch(r"[A-Za-z][A-Za-z ]{5,60}", account["Name"])
    ]
    created = []
    for account, variant in zip(
        plain[:: max(1, len(plain) // 8)], HAND_TYPED_VARIANTS * 2, strict=False
    ):
        data = {
            "display_name": variant(account["Name"]),
            "phone": account.get("Phone"),
            "notes": "Typed in by hand from a paper invoice, before the first sync.",
        }
        created.append(akountify.create_by_hand("customers", data))
    state["hand_typed_customers"] = [record["id"] for record in created]
    write_state(paths, state)
    return created


def write_env(
    paths: ProjectPaths,
    salesforce: EmulatorInfo,
    akountify: EmulatorInfo,
    creds: SalesforceCredentials,
    company: CompanyCredentials,
) -> None:
    """Write the emulators' addresses and credentials into ``.env`` for Meltano."""
    update_env(
        paths,
        {
            "SALESFORCE_EMULATOR_URL": salesforce.url,
            "SALESFORCE_EMULATOR_CA_FILE": salesforce.ca_file,
            "AKOUNTIFY_EMULATOR_URL": akountify.url,
            "TAP_SALESFORCE_LITE_CLIENT_ID": creds.client_id,
            "TAP_SALESFORCE_LITE_CLIENT_SECRET": creds.client_secret,
            "TARGET_AKOUNTIFY_CLIENT_ID": company.client_id,
            "TARGET_AKOUNTIFY_CLIENT_SECRET": company.client_secret,
        },
    )


def meltano_executable() -> Path:
    """The ``meltano`` next to this interpreter (the project's ``.venv``)."""
    return Path(sys.executable).parent / "meltano"


def _install_stamp(paths: ProjectPaths) -> Path:
    return paths.root / ".meltano" / INSTALL_STAMP


def _pyproject_digest(paths: ProjectPaths) -> str:
    pyproject = paths.root / "pyproject.toml"
    data = pyproject.read_bytes() if pyproject.exists() else b""
    return hashlib.sha256(data).hexdigest()


def install_needed(paths: ProjectPaths) -> bool:
    """True when a plugin is not installed, or ``pyproject.toml`` changed since the install."""
    for plugin_type, name in PLUGINS:
        if not (paths.root / ".meltano" / plugin_type / name / "venv").is_dir():
            return True
    stamp = _install_stamp(paths)
    return not stamp.exists() or stamp.read_text().strip() != _pyproject_digest(paths)


def meltano_install(paths: ProjectPaths, log_path: Path) -> None:
    """Run ``meltano install`` (output to ``log_path``) and remember what was installed.

    Raises:
        SetupError: When the install fails (the log's tail is in the message).
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log:
        completed = subprocess.run(
            [str(meltano_executable()), "install"],
            cwd=paths.root,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if completed.returncode != 0:
        tail = "\n".join(log_path.read_text(encoding="utf-8").splitlines()[-20:])
        raise SetupError(f"meltano install failed (full log: {log_path}):\n{tail}")
    _install_stamp(paths).write_text(_pyproject_digest(paths) + "\n", encoding="utf-8")
