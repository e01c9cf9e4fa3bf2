"""Scenario 3: rejected records land on a later run, once fixed in Salesforce or in the mapping."""

from __future__ import annotations

from typing import TYPE_CHECKING

import yaml

from .harness import REPO

if TYPE_CHECKING:
    from pathlib import Path

    from .conftest import Books, Org
    from .harness import MeltanoProject

DEFAULT_MAPPING = REPO / "target_akountify" / "mapping" / "default_mapping.yaml"


def _unit_price(books: Books, external_id: str) -> tuple[str, str]:
    invoice = books.by_external_id("invoices")[external_id]
    return invoice["lines"][0]["unit_price"], invoice["total"]


def test_rejected_records_land_once_fixed_at_the_source_or_in_the_mapping(
    project: MeltanoProject, org: Org, books: Books, tmp_path: Path
) -> None:
    project.run()
    # Won deals without an amount cannot become invoices: rejected for the missing price.
    no_amount = sorted(
        external_id
        for external_id, entry in project.rejected("Opportunity").items()
        if [r["field"] for r in entry["reasons"]] == ["lines.0.unit_price"]
    )
    assert len(no_amount) >= 2, project.rejected("Opportunity")
    fixed_at_source, *fixed_by_mapping = no_amount
    entry = project.rejected("Opportunity")[fixed_at_source]
    assert "Amount" in entry["reasons"][0]["message"]
    assert entry["reasons"][0]["fix"]
    assert set(no_amount).isdisjoint(books.by_external_id("invoices"))

    # 1. Someone fills the amount in Salesforce: the next run lands it.
    org.update("Opportunity", fixed_at_source, {"Amount": 1234.5})
    second = project.run()
    assert _unit_price(books, fixed_at_source) == ("1234.50", "1234.50")
    assert fixed_at_source not in project.rejected("Opportunity")
    assert set(fixed_by_mapping) <= set(project.rejected("Opportunity"))
    assert second.counts("Opportunity")["created"] == 1

    # 2. The others are fixed in the mapping instead: a default price for deals without one.
    mapping = yaml.safe_load(DEFAULT_MAPPING.read_text(encoding="utf-8"))
    mapping["streams"]["Opportunity"]["fields"]["lines.0.unit_price"]["default"] = "0.00"
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    third = project.run(env={"TARGET_AKOUNTIFY_MAPPING_FILE": str(mapping_file)})

    for external_id in fixed_by_mapping:
        assert _unit_price(books, external_id) == ("0.00", "0.00")
    assert set(fixed_by_mapping).isdisjoint(project.rejected("Opportunity"))
    counts = third.counts("Opportunity")
    assert counts["retried"] >= len(fixed_by_mapping)
    assert counts["created"] == len(fixed_by_mapping)
