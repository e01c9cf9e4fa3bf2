"""What the main job prints after a run: the sync report, and where to look next.

Everything comes from the target's JSON report (``output/akountify-sync-report.json``) and from
Akountify's API, so what is printed here is what a person would find there.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from target_akountify.report import COUNTERS

if TYPE_CHECKING:
    from pipeline_apis import AkountifyApi
    from pipeline_files import ProjectPaths

LISTED = 8
DEMO = "python3 scripts/dev.py demo"


def read_report(paths: ProjectPaths) -> dict[str, Any] | None:
    """The last run's JSON report, or None before the first run."""
    try:
        report: dict[str, Any] = json.loads(paths.report_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return report


def table(rows: list[list[str]]) -> str:
    """A fixed-width text table; the first row is the header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def counts_table(report: dict[str, Any]) -> str:
    """The report's counts per stream, then the totals."""
    rows = [["stream", "entity", *COUNTERS]]
    rows.extend(
        [row["stream"], row["entity"], *(str(row.get(name, 0)) for name in COUNTERS)]
        for row in report["streams"]
    )
    rows.append(["TOTAL", "", *(str(report["totals"].get(name, 0)) for name in COUNTERS)])
    return table(rows)


def _one_line(text: Any, limit: int = 160) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def summary(report: dict[str, Any], paths: ProjectPaths) -> str:
    """The sync report as people read it: status, counts, first rejections and conflicts."""
    totals = report["totals"]
    lines = [
        (
            f"Sync report: {report['status']}  (started {report['started_at']}, "
            f"finished {report['finished_at']})"
        ),
        "",
        counts_table(report),
        "",
        (
            "received: records read from Salesforce this run; retried: records rejected by an "
            "earlier run and tried again; skipped: not meant for Akountify (deleted before "
            "ever syncing, or filtered out, such as opportunities that are not won)."
        ),
    ]
    if report.get("error"):
        lines += ["", f"The run failed: {report['error']}"]
    rejections = report.get("rejections", [])
    if report.get("dry_run"):
        lines += [
            "",
            (
                "This was a dry run: nothing was written to Akountify, kept as rejected or "
                "bookmarked; the counts say what a real run would do."
            ),
        ]
    if totals.get("rejected"):
        kept = (
            "would be rejected"
            if report.get("dry_run")
            else f"rejected: kept in {paths.rejected_dir} with the record, the reason and the "
            "fix, and retried on the next run"
        )
        lines += ["", f"{totals['rejected']} record(s) {kept}. The first ones:"]
        for rejection in rejections[:LISTED]:
            field = rejection.get("field")
            message = str(rejection["message"])
            where = f" {field}:" if field and not message.startswith(f"{field}:") else ""
            lines.append(
                f"  {rejection['stream']} {rejection.get('external_id')}{where} "
                f"{_one_line(rejection['message'])}"
            )
            lines.append(f"      fix: {_one_line(rejection['fix'])}")
    conflicts = report.get("conflicts", [])
    if conflicts:
        lines += ["", f"{len(conflicts)} field(s) edited in both systems since the last sync:"]
        lines.extend(
            f"  {c['stream']} {c['external_id']} {c['field']}: Akountify had "
            f"{c.get('akountify_value')!r}, Salesforce says {c.get('source_value')!r} "
            f"-> {c.get('resolution')}"
            for c in conflicts[:LISTED]
        )
    return "\n".join(lines)


def where_to_look(paths: ProjectPaths, akountify_url: str, company_id: str) -> str:
    """Where the results are, and what to try next."""
    rows = [
        ["what", "where"],
        ["customers, contacts, invoices", f"{DEMO} show customers   (or contacts, invoices)"],
        ["the sync log (sync runs)", f"{DEMO} show sync-runs"],
        ["rejected records", f"{paths.rejected_dir}/<Stream>.jsonl"],
        ["this report as JSON", str(paths.report_file)],
        ["Meltano's full output", str(paths.run_log)],
        ["Akountify API", f"{akountify_url}/companies/{company_id}/customers"],
    ]
    return "\n".join(
        [
            "Where to look:",
            table(rows),
            "",
            "Next: change a record in Salesforce and watch it flow through:",
            f"  {DEMO} edit   then   {DEMO}",
            f"Also: {DEMO} status | stop | reset   (docs/guide.md explains every step)",
        ]
    )


def records_table(entity: str, records: list[dict[str, Any]]) -> str:
    """Akountify records as a table of the columns people check first."""
    if entity == "sync-runs":
        rows = [["id", "status", "source", "finished_at", "counts", "rejections"]]
        rows.extend(
            [
                r["id"],
                r["status"],
                str(r.get("source")),
                str(r.get("finished_at")),
                _counts_line(r.get("counts") or {}),
                str(len(r.get("rejections") or [])),
            ]
            for r in records
        )
        return table(rows)
    columns = {
        "customers": ("display_name", "email", "phone", "billing_address"),
        "contacts": ("first_name", "last_name", "email", "customer"),
        "invoices": ("number", "issue_date", "total", "customer"),
    }[entity]
    rows = [["id", "external_id", "status", "version", *columns]]
    for record in records:
        cells = []
        for column in columns:
            value = record.get(column)
            if isinstance(value, dict):
                value = value.get("external_id") or value.get("city") or value.get("id")
            cells.append(_one_line("" if value is None else value, 40))
        rows.append(
            [
                record["id"],
                str(record.get("external_id") or "(typed by hand)"),
                record["status"],
                str(record["version"]),
                *cells,
            ]
        )
    return table(rows)


def _counts_line(counts: dict[str, dict[str, int]]) -> str:
    """A sync run's counts summed over its entities, zeros left out."""
    totals: dict[str, int] = {}
    for per_entity in counts.values():
        for name, value in per_entity.items():
            totals[name] = totals.get(name, 0) + value
    return ", ".join(f"{value} {name}" for name, value in totals.items() if value) or "nothing"


def show(api: AkountifyApi, entity: str, limit: int, query: str | None) -> str:
    """The first ``limit`` records of an entity (or sync runs, newest first)."""
    params: dict[str, Any] = {"q": query} if query else {}
    records = api.list(entity, limit=limit, **params)
    if not records:
        return f"No {entity} yet."
    return records_table(entity, records)
