"""Run the shell examples of ``docs/akountify-api.md`` and compare them with what it documents.

The guide's conventions, which this module reads:

- a fenced ``sh`` block is a command to run; blocks run in order, in one bash session, so
  variables set in one block are there in the next (``console`` blocks are transcripts and
  are not run);
- the block right after an ``sh`` block documents what it does: ``http`` gives the status line
  of its one request, some response headers and what the command prints (JSON); ``json``
  gives what it prints; ``text`` gives its output lines. Without such a block every request of
  the ``sh`` block must succeed (status below 400).

Documented strings may hold ids, timestamps and request ids of another run, and ``…`` for
"anything": they are compared as patterns. JSON objects must have exactly the documented
members; arrays the documented length.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
STATUS_LINE = re.compile(r"^HTTP/[0-9.]+ (\d{3})\b")
_VARYING = re.compile(
    r"(?P<id>\b(?:cus|con|inv|cfd|run|cmp|cli|usr|req|akt|cs|pw)_[0-9A-Za-z_-]+)"
    r"|(?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)"
    r"|(?P<any>…)"
)
RUN_TIMEOUT_SECONDS = 180

# Replaces the real curl inside the session: records each response (block, status, headers,
# body) in the run folder and prints the body as curl would.
_PRELUDE = r"""
set -euo pipefail
echo 0 > "$GUIDE_RUN/count"
curl() {
  local n
  n=$(( $(cat "$GUIDE_RUN/count") + 1 ))
  echo "$n" > "$GUIDE_RUN/count"
  cp "$GUIDE_RUN/block" "$GUIDE_RUN/$n.block"
  command curl --silent --show-error --dump-header "$GUIDE_RUN/$n.headers" \
    --output "$GUIDE_RUN/$n.body" "$@"
  cat "$GUIDE_RUN/$n.body"
}
"""


@dataclass(frozen=True)
class Block:
    """A fenced block of the guide."""

    language: str
    text: str
    line: int


@dataclass
class Example:
    """An ``sh`` block and the block that documents its result (if any)."""

    command: Block
    documented: Block | None


@dataclass
class Exchange:
    """One HTTP request made by an example, as recorded."""

    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Outcome:
    """What one example did."""

    stdout: str = ""
    exchanges: list[Exchange] = field(default_factory=list)


def blocks(markdown: str) -> list[Block]:
    """Every fenced block of ``markdown``, in order."""
    return [
        Block(match.group(1), match.group(2), markdown.count("\n", 0, match.start()) + 1)
        for match in FENCE.finditer(markdown)
    ]


def examples(markdown: str) -> list[Example]:
    """The ``sh`` blocks of ``markdown`` with the block documenting each."""
    found = blocks(markdown)
    pairs = []
    for index, block in enumerate(found):
        if block.language != "sh":
            continue
        following = found[index + 1] if index + 1 < len(found) else None
        documented = (
            following if following and following.language in {"http", "json", "text"} else None
        )
        pairs.append(Example(block, documented))
    return pairs


def run(
    pairs: list[Example], workdir: Path, substitutions: dict[str, str], env: dict[str, str]
) -> list[Outcome]:
    """Run the examples in one bash session in ``workdir``.

    Args:
        pairs: The examples, in order.
        workdir: Current folder of the session (examples write files there).
        substitutions: Text replaced in every command (the guide's URL and folders).
        env: Extra environment variables.

    Returns:
        One outcome per example.

    Raises:
        AssertionError: When the session fails (with the failing block and bash's output).
    """
    record = workdir / ".guide-run"
    record.mkdir(parents=True, exist_ok=True)
    script = [_PRELUDE]
    for index, pair in enumerate(pairs):
        text = pair.command.text
        for old, new in substitutions.items():
            text = text.replace(old, new)
        script.append(
            f'echo {index} > "$GUIDE_RUN/block"\n{{\n{text}\n}} > "$GUIDE_RUN/out.{index}"\n'
        )
    completed = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=workdir,
        env={**os.environ, **env, "GUIDE_RUN": str(record)},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        failed = int((record / "block").read_text()) if (record / "block").exists() else 0
        raise AssertionError(
            f"the example at line {pairs[failed].command.line} of the guide failed "
            f"(exit {completed.returncode}):\n{completed.stderr[-3000:]}"
        )
    outcomes = [Outcome() for _ in pairs]
    for index, outcome in enumerate(outcomes):
        outcome.stdout = (record / f"out.{index}").read_text(encoding="utf-8")
    for number in range(1, int((record / "count").read_text()) + 1):
        block = int((record / f"{number}.block").read_text())
        outcomes[block].exchanges.append(_exchange(record, number))
    return outcomes


def _exchange(record: Path, number: int) -> Exchange:
    header_text = (record / f"{number}.headers").read_text(encoding="latin-1")
    # With redirects or 100-continue there may be several header sections; the last counts.
    section = re.split(r"\r?\n\r?\n", header_text.strip())[-1]
    lines = section.splitlines()
    match = STATUS_LINE.match(lines[0])
    if match is None:
        raise AssertionError(f"no HTTP status line in {lines[0]!r}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Exchange(int(match.group(1)), headers, (record / f"{number}.body").read_bytes())


def pattern(documented: str) -> re.Pattern[str]:
    """A regular expression of a documented string: varying parts match any value."""
    parts = []
    position = 0
    for match in _VARYING.finditer(documented):
        parts.append(re.escape(documented[position : match.start()]))
        if match.group("id"):
            prefix = match.group("id").split("_", 1)[0]
            parts.append(re.escape(prefix) + r"_[0-9A-Za-z_-]+")
        elif match.group("time"):
            parts.append(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
        else:
            parts.append(".*?")
        position = match.end()
    parts.append(re.escape(documented[position:]))
    return re.compile("".join(parts), re.DOTALL)


def mismatches(documented: Any, actual: Any, where: str = "$") -> list[str]:
    """Every way ``actual`` departs from the ``documented`` JSON value."""
    if isinstance(documented, dict):
        return _object_mismatches(documented, actual, where)
    if isinstance(documented, list):
        return _array_mismatches(documented, actual, where)
    if isinstance(documented, str):
        same = isinstance(actual, str) and pattern(documented).fullmatch(actual) is not None
    else:
        same = documented == actual and type(documented) is type(actual)
    return [] if same else [f"{where}: documented {documented!r}, got {actual!r}"]


def _object_mismatches(documented: dict[str, Any], actual: Any, where: str) -> list[str]:
    if not isinstance(actual, dict):
        return [f"{where}: documented an object, got {actual!r}"]
    problems = []
    if set(documented) != set(actual):
        problems.append(f"{where}: documented members {sorted(documented)}, got {sorted(actual)}")
    for key in documented.keys() & actual.keys():
        problems += mismatches(documented[key], actual[key], f"{where}.{key}")
    return problems


def _array_mismatches(documented: list[Any], actual: Any, where: str) -> list[str]:
    if not isinstance(actual, list) or len(actual) != len(documented):
        return [f"{where}: documented {len(documented)} items, got {actual!r}"]
    return [
        problem
        for index, (doc, act) in enumerate(zip(documented, actual, strict=True))
        for problem in mismatches(doc, act, f"{where}[{index}]")
    ]


def check(example: Example, outcome: Outcome) -> list[str]:
    """Every way the example's outcome departs from what the guide documents."""
    doc = example.documented
    statuses = [exchange.status for exchange in outcome.exchanges]
    if doc is None or doc.language != "http":
        failed = [status for status in statuses if status >= 400]
        problems = [f"requests failed with {failed} and no answer is documented"] if failed else []
        if doc is not None and doc.language == "json":
            problems += _compare_json(doc.text, outcome.stdout)
        if doc is not None and doc.language == "text":
            problems += _compare_text(doc.text, outcome.stdout)
        return problems
    if len(outcome.exchanges) != 1:
        return [f"an http answer documents one request; the block made {len(statuses)}"]
    exchange = outcome.exchanges[0]
    head, _, body = doc.text.partition("\n\n")
    lines = head.strip().splitlines()
    match = STATUS_LINE.match(lines[0])
    if match is None:
        return [f"the http block does not start with a status line: {lines[0]!r}"]
    problems = []
    if int(match.group(1)) != exchange.status:
        problems.append(
            f"documented status {match.group(1)}, got {exchange.status}: "
            f"{exchange.body[:500].decode('utf-8', 'replace')}"
        )
    for line in lines[1:]:
        name, _, value = line.partition(":")
        actual = exchange.headers.get(name.strip().lower())
        if actual is None:
            problems.append(f"documented header {name.strip()} is missing")
        elif name.strip().lower() == "idempotent-replayed" and actual != value.strip():
            problems.append(f"{name.strip()}: documented {value.strip()!r}, got {actual!r}")
    if body.strip():
        problems += _compare_json(body, outcome.stdout)
    return problems


def _compare_json(documented: str, stdout: str) -> list[str]:
    try:
        actual = json.loads(stdout)
    except json.JSONDecodeError:
        return [f"the command did not print JSON: {stdout[:500]!r}"]
    return mismatches(json.loads(documented), actual)


def _compare_text(documented: str, stdout: str) -> list[str]:
    wanted = documented.strip().splitlines()
    got = [line.rstrip("\r") for line in stdout.strip().splitlines()]
    if len(wanted) != len(got):
        return [f"documented {len(wanted)} lines, got {len(got)}: {got!r}"]
    return [
        f"documented line {want!r}, got {line!r}"
        for want, line in zip(wanted, got, strict=True)
        if not pattern(want).fullmatch(line)
    ]
