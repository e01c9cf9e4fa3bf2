"""Every shell example of ``docs/akountify-api.md`` runs, in order, against a started emulator
and gives the documented answer."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from emulators.akountify.launcher import start_akountify_emulator

from . import guide
from .spec import GUIDE_PATH

GUIDE_HOST = "127.0.0.1:8765"
GUIDE_DATA_DIR = "./akountify-data"


def _guide() -> str:
    return GUIDE_PATH.read_text(encoding="utf-8")


def test_the_guide_covers_the_main_operations() -> None:
    pairs = guide.examples(_guide())
    commands = "\n".join(pair.command.text for pair in pairs)
    for needed in (
        "akountify-emulator create-company",
        "/oauth/token",
        "grant_type=password",
        '-X POST "$API/customers"',
        "by-external-id/",
        "?external_id=",
        "/batch",
        "cursor=",
        "If-Match",
        "Idempotency-Key",
        "/custom-field-definitions",
        "/sync-runs",
        "/_admin/",
    ):
        assert needed in commands, f"the guide has no example of {needed}"
    documented = {
        int(pair.documented.text.split()[1])
        for pair in pairs
        if pair.documented and pair.documented.language == "http"
    }
    assert {200, 201, 401, 403, 409, 412, 422} <= documented


@pytest.mark.skipif(
    shutil.which("curl") is None or shutil.which("jq") is None or shutil.which("bash") is None,
    reason="the guide's examples need bash, curl and jq",
)
def test_every_example_of_the_guide_gives_the_documented_answer(tmp_path: Path) -> None:
    pairs = guide.examples(_guide())
    assert len(pairs) >= 20
    data_dir = tmp_path / "akountify-data"
    # The guide's emulator runs with the default limits, as a reader's would.
    with start_akountify_emulator(data_dir, "--no-access-log") as akountify:
        host = akountify.base_url.removeprefix("http://").removesuffix("/v1")
        bin_dir = str(Path(sys.executable).parent)
        outcomes = guide.run(
            pairs,
            tmp_path,
            {GUIDE_HOST: host, GUIDE_DATA_DIR: str(data_dir)},
            {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        )
    problems = [
        f"line {pair.command.line}: {problem}"
        for pair, outcome in zip(pairs, outcomes, strict=True)
        for problem in guide.check(pair, outcome)
    ]
    assert not problems, "\n".join(problems)
    assert sum(len(outcome.exchanges) for outcome in outcomes) >= 25


def test_the_comparison_catches_a_wrong_answer() -> None:
    documented = guide.Example(
        guide.Block("sh", "curl …", 1),
        guide.Block(
            "http",
            'HTTP/1.1 201 Created\nX-Request-Id: req_1\n\n{"id": "cus_abc", "version": 1}',
            2,
        ),
    )
    right = guide.Outcome(
        '{"id": "cus_xyz", "version": 1}',
        [guide.Exchange(201, {"x-request-id": "req_2"}, b"{}")],
    )
    assert guide.check(documented, right) == []
    wrong = guide.Outcome(
        '{"id": "con_xyz", "version": 2, "extra": true}',
        [guide.Exchange(200, {}, b"{}")],
    )
    problems = guide.check(documented, wrong)
    assert len(problems) == 5, problems
    failing = guide.Example(guide.Block("sh", "curl …", 1), None)
    assert guide.check(failing, guide.Outcome("", [guide.Exchange(404, {}, b"")]))
    assert guide.pattern("at … since 2026-01-01T00:00:00.000000Z").fullmatch(
        "at cus_1 since 2027-02-02T01:02:03.456789Z"
    )
