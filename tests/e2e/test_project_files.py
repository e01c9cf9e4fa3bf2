"""The Meltano project's files: generated parts current, selection matching the mapping, no
secret in meltano.yml, and the README's two commands."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .harness import REPO

if TYPE_CHECKING:
    from types import ModuleType

MAPPING = REPO / "target_akountify" / "mapping" / "default_mapping.yaml"
#: Fields the tap or the target needs besides the mapped ones: the key, the replication key,
#: deletes, and the filter of invoices (won deals only).
NEEDED = {"Id", "SystemModstamp", "IsDeleted"}


def _plugin_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("plugin_docs", REPO / "scripts/plugin_docs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("plugin_docs", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _meltano() -> dict[str, Any]:
    return dict(yaml.safe_load((REPO / "meltano.yml").read_text(encoding="utf-8")))


def test_meltano_yml_env_example_and_readme_match_the_plugins_about() -> None:
    completed = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "plugin_docs.py"), "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr


def test_the_check_notices_a_stale_settings_table() -> None:
    docs = _plugin_docs()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    tables = docs.generated_tables()
    assert docs.readme_with_tables(readme, tables) == readme
    stale = readme.replace("| client_secret |", "| client_secret_old |", 1)
    assert docs.readme_with_tables(stale, tables) == readme
    (plugin, table), *_ = tables.items()
    assert f"{plugin.begin_marker}\n\n{table}\n{plugin.end_marker}" in readme


def test_selection_is_exactly_what_the_default_mapping_reads() -> None:
    mapping = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))["streams"]
    (tap,) = _meltano()["plugins"]["extractors"]
    selected: dict[str, set[str]] = {}
    for pattern in tap["select"]:
        stream, field = pattern.split(".", 1)
        selected.setdefault(stream, set()).add(field)
    for stream, spec in mapping.items():
        sources = {f["source"] for f in spec["fields"].values() if "source" in f}
        filters = spec.get("filter") or []
        filters = filters if isinstance(filters, list) else [filters]
        wanted = sources | {c["field"] for c in filters} | {spec.get("external_id", "Id")}
        assert selected[stream] == wanted | NEEDED, stream
    assert set(selected) == set(mapping) == set(tap["config"]["objects"])


def _config_values(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = [
        (plugin_type, plugin["name"], plugin.get("config") or {})
        for plugin_type in ("extractors", "loaders")
        for plugin in document["plugins"][plugin_type]
    ]
    for environment in document["environments"]:
        plugins = environment.get("config", {}).get("plugins", {})
        found.extend(
            (plugin_type, plugin["name"], plugin.get("config") or {})
            for plugin_type in ("extractors", "loaders")
            for plugin in plugins.get(plugin_type, [])
        )
    return found


def test_meltano_yml_holds_no_secret_and_the_project_settings_asked_for() -> None:
    document = _meltano()
    sensitive = {
        plugin["name"]: {s["name"] for s in plugin["settings"] if s.get("sensitive")}
        for plugin_type in ("extractors", "loaders")
        for plugin in document["plugins"][plugin_type]
    }
    assert sensitive["tap-salesforce-lite"] >= {"client_secret", "private_key", "password"}
    assert sensitive["target-akountify"] >= {"client_secret"}
    for _, name, config in _config_values(document):
        assert not set(config) & sensitive[name], (name, config)
    assert "version" not in document
    assert document["requires_meltano"].startswith(">=4.4")
    assert document["send_anonymous_usage_stats"] is False
    # Without a project id, Meltano's first command writes one in, reformatting the file.
    assert document["project_id"]
    assert document["default_environment"] == "local"
    assert {e["name"] for e in document["environments"]} == {"local", "prod"}
    (job,) = document["jobs"]
    assert job == {"name": "salesforce-to-akountify",
                   "tasks": ["tap-salesforce-lite target-akountify"]}  # fmt: skip
    (schedule,) = document["schedules"]
    assert schedule["job"] == job["name"]
    assert re.fullmatch(r"\d+ \d+ \* \* \*", schedule["interval"]), "a daily cron schedule"
    for plugin_type in ("extractors", "loaders"):
        for plugin in document["plugins"][plugin_type]:
            assert plugin["pip_url"] == "-e ."
            assert plugin["executable"] == plugin["name"]


def test_prod_points_at_real_endpoints_and_local_at_the_emulators() -> None:
    environments = {e["name"]: e["config"]["plugins"] for e in _meltano()["environments"]}
    local_tap = environments["local"]["extractors"][0]["config"]
    prod_tap = environments["prod"]["extractors"][0]["config"]
    assert local_tap["login_url"] == "${SALESFORCE_EMULATOR_URL}"
    assert prod_tap["login_url"] == "https://login.salesforce.com"
    assert prod_tap["auth_flow"] == "jwt_bearer"
    prod_target = environments["prod"]["loaders"][0]["config"]
    assert prod_target["base_url"].startswith("https://")
    assert "EMULATOR" not in yaml.safe_dump(environments["prod"])


def test_readme_starts_with_exactly_two_single_line_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["python3 scripts/dev.py demo", "python3 scripts/dev.py test"]


def test_guide_names_every_command_of_the_main_job() -> None:
    guide = (REPO / "docs" / "guide.md").read_text(encoding="utf-8")
    for command in ("demo edit", "demo status", "demo stop", "demo reset", "demo show"):
        assert f"python3 scripts/dev.py {command}" in guide, command
    assert Path(REPO / ".env.example").exists()
