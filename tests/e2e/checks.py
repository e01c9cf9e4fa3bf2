"""The end-to-end verdict: Akountify, read through its API, against Salesforce, read through its.

Every live Salesforce record the default mapping selects must be exactly one Akountify record
with the mapped values, field by field, or be kept in the rejected store with a stated reason;
nothing else may be in Akountify under an external id; deleted records are absent or archived.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .expected import differences, expected_contact, expected_customer, expected_invoice

if TYPE_CHECKING:
    from collections.abc import Callable

    from .conftest import Books, Org
    from .harness import MeltanoProject


@dataclass
class Verdict:
    """What the comparison found, per entity."""

    landed: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)
    archived: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        """Fail with every problem found."""
        assert not self.problems, f"{len(self.problems)} problem(s):\n" + "\n".join(
            self.problems[:40]
        )


STREAMS: tuple[tuple[str, str], ...] = (
    ("Account", "customers"),
    ("Contact", "contacts"),
    ("Opportunity", "invoices"),
)


def _selected(stream: str, record: dict[str, Any]) -> bool:
    """Whether the default mapping sends a record to Akountify (invoices: won only)."""
    return stream != "Opportunity" or bool(record.get("IsWon"))


def compare(org: Org, books: Books, project: MeltanoProject) -> Verdict:
    """Compare every selected Salesforce record with Akountify and the rejected store."""
    verdict = Verdict()
    sources: dict[str, tuple[dict[str, dict[str, Any]], Callable[..., dict[str, Any]]]] = {
        "Account": (org.accounts(), expected_customer),
        "Contact": (org.contacts(), expected_contact),
        "Opportunity": (org.opportunities(), expected_invoice),
    }
    for stream, entity in STREAMS:
        records, expected_of = sources[stream]
        landed = books.by_external_id(entity)
        rejected = project.rejected(stream)
        counts = {"landed": 0, "rejected": 0, "archived": 0}
        for record_id, record in records.items():
            target = landed.get(record_id)
            if record.get("IsDeleted") or not _selected(stream, record):
                if target is not None and target["status"] != "archived":
                    verdict.problems.append(
                        f"{stream} {record_id} is deleted or not selected in Salesforce, "
                        f"but {entity} {target['id']} is {target['status']}"
                    )
                counts["archived"] += target is not None
                continue
            if target is None:
                entry = rejected.get(record_id)
                if entry is None:
                    verdict.problems.append(
                        f"{stream} {record_id} is neither in Akountify nor in the rejected store"
                    )
                elif not all(r.get("code") and r.get("message") for r in entry["reasons"]):
                    verdict.problems.append(f"{stream} {record_id} rejected without a reason")
                counts["rejected"] += 1
                continue
            if record_id in rejected:
                verdict.problems.append(f"{stream} {record_id} landed but is still rejected")
            found = differences(expected_of(record), target)
            if target["status"] != "active":
                found.append(f"status: expected 'active', Akountify has {target['status']!r}")
            verdict.problems.extend(f"{stream} {record_id} {d}" for d in found)
            counts["landed"] += 1
        extra = set(landed) - set(records)
        verdict.problems.extend(
            f"{entity} with external id {e} has no Salesforce record" for e in sorted(extra)
        )
        verdict.landed[entity] = counts["landed"]
        verdict.rejected[entity] = counts["rejected"]
        verdict.archived[entity] = counts["archived"]
    return verdict


def snapshot(books: Books) -> dict[str, dict[str, tuple[int, str, str]]]:
    """Each record's (version, updated_at, status) by Akountify id, per entity."""
    return {
        entity: {r["id"]: (r["version"], r["updated_at"], r["status"]) for r in books.all(entity)}
        for _, entity in STREAMS
    }


def changed_ids(
    before: dict[str, dict[str, tuple[int, str, str]]],
    after: dict[str, dict[str, tuple[int, str, str]]],
) -> dict[str, set[str]]:
    """Akountify ids created or written between two snapshots, per entity."""
    return {
        entity: {rid for rid, seen in after[entity].items() if before[entity].get(rid) != seen}
        for entity in after
    }
