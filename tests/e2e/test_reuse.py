"""Scenario 8: the plugins are good Singer citizens: another tap (tap-jsonl from PyPI) feeds
target-akountify, and tap-salesforce-lite feeds another target (target-jsonl from PyPI)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from pathlib import Path

    from .conftest import Books, Org
    from .harness import MeltanoProject

VENDORS = [
    {"vendor_code": "V-001", "company": "Northwind Traders", "email": "ap@northwind.example",
     "city": "Seattle", "country": "USA"},
    {"vendor_code": "V-002", "company": "  Contoso  Pharmaceuticals ", "email": None,
     "city": "Basel", "country": "Switzerland"},
    {"vendor_code": "V-003", "company": "Fabrikam: Fibers", "email": "billing@fabrikam.example",
     "city": "Lyon", "country": "France"},
    {"vendor_code": "V-004", "company": "Tailspin Toys", "email": "not an email",
     "city": "Leeds", "country": "UK"},
]  # fmt: skip
EXPECTED: dict[str, dict[str, Any]] = {
    "V-001": {"display_name": "Northwind Traders", "email": "ap@northwind.example",
              "billing_address": {"city": "Seattle", "country": "US"}},
    "V-002": {"display_name": "Contoso Pharmaceuticals", "email": None,
              "billing_address": {"city": "Basel", "country": "CH"}},
    "V-003": {"display_name": "Fabrikam- Fibers", "email": "billing@fabrikam.example",
              "billing_address": {"city": "Lyon", "country": "FR"}},
}  # fmt: skip
VENDOR_MAPPING = {
    "streams": {
        "vendors": {
            "entity": "customers",
            "external_id": "vendor_code",
            "external_source": "vendor-file",
            "fields": {
                "display_name": {"source": "company", "transforms": ["trim"]},
                "email": {"source": "email", "transforms": ["trim"]},
                "billing_address.city": {"source": "city", "transforms": ["trim"]},
                "billing_address.country": {"source": "country", "transforms": ["country_code"]},
            },
        }
    }
}


def test_another_tap_feeds_target_akountify_with_its_own_mapping(
    project: MeltanoProject, books: Books, tmp_path: Path
) -> None:
    source = tmp_path / "vendors" / "vendors.jsonl"
    source.parent.mkdir()
    source.write_text("".join(json.dumps(v) + "\n" for v in VENDORS), encoding="utf-8")
    mapping = tmp_path / "vendors-mapping.yaml"
    mapping.write_text(yaml.safe_dump(VENDOR_MAPPING), encoding="utf-8")

    result = project.run(
        "tap-jsonl",
        "target-akountify",
        env={
            "TAP_JSONL_PATH": str(source),
            "TAP_JSONL_STREAM_NAME": "vendors",
            "TAP_JSONL_PRIMARY_KEYS": '["vendor_code"]',
            "TARGET_AKOUNTIFY_MAPPING_FILE": str(mapping),
            "TARGET_AKOUNTIFY_SYNC_SOURCE": "vendor-file",
        },
    )

    customers = books.by_external_id("customers")
    assert set(customers) == set(EXPECTED)
    for code, expected in EXPECTED.items():
        customer = customers[code]
        assert customer["external_source"] == "vendor-file"
        assert customer["display_name"] == expected["display_name"]
        assert customer["email"] == expected["email"]
        address = customer["billing_address"]
        assert {k: address[k] for k in ("city", "country")} == expected["billing_address"]
    # The bad email is rejected with its reason, not written and not fatal.
    assert set(project.rejected("vendors")) == {"V-004"}
    assert project.rejected("vendors")["V-004"]["reasons"][0]["field"] == "email"
    counts = result.counts("vendors")
    assert (counts["received"], counts["created"], counts["rejected"]) == (4, 3, 1)
    (sync_run,) = books.all("sync-runs")
    assert sync_run["source"] == "vendor-file"


def _as_number(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    return Decimal(str(value)) if isinstance(value, (int, float, Decimal)) else value


def test_tap_salesforce_lite_feeds_another_target(
    project: MeltanoProject, org: Org, tmp_path: Path
) -> None:
    out = tmp_path / "jsonl"
    out.mkdir()
    project.run(
        "tap-salesforce-lite",
        "target-jsonl",
        env={"TARGET_JSONL_DESTINATION_PATH": str(out), "TARGET_JSONL_DO_TIMESTAMP_FILE": "false"},
    )

    written = {
        path.stem: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for path in out.glob("*.jsonl")
    }
    assert set(written) == {"Account", "Contact", "Opportunity"}
    for stream, records in (
        ("Account", org.accounts()),
        ("Contact", org.contacts()),
        ("Opportunity", org.opportunities()),
    ):
        rows = {row["Id"]: row for row in written[stream]}
        assert len(rows) == len(written[stream]), f"{stream}: a record was written twice"
        assert set(rows) == set(records), stream  # deleted records included (queryAll)
        for record_id, record in records.items():
            row = rows[record_id]
            for name, value in record.items():
                assert _as_number(row[name]) == _as_number(value), (stream, record_id, name)
        # Only the fields meltano.yml selects, plus what incremental sync and deletes need.
        assert "SystemModstamp" in next(iter(rows.values()))
        assert "OwnerId" not in next(iter(rows.values()))
