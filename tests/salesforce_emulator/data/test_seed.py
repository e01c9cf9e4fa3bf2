from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from emulators.common.process import python_module_command
from emulators.salesforce import ids
from emulators.salesforce.catalog import default_catalog
from emulators.salesforce.formats import EMAIL_PATTERN
from emulators.salesforce.seed import SEED_NOW, seed_org
from emulators.salesforce.seed_accounts import ACCOUNT_RATES, BILLING_RATES, SCRIPT_RATES
from emulators.salesforce.seed_pools import NULL_LOOKING_TEXT
from emulators.salesforce.state import org_db_path
from emulators.salesforce.store import OrgStore
from emulators.salesforce.tables import quote

ACCOUNTS = 1_000


def table_digest(db_path: Path) -> dict[str, str]:
    connection = sqlite3.connect(db_path)
    digests = {}
    for obj in default_catalog().objects:
        digest = hashlib.sha256()
        for row in connection.execute(f"SELECT rowid, * FROM {quote(obj.name)} ORDER BY rowid"):  # noqa: S608
            digest.update(repr(row).encode())
        digests[obj.name] = digest.hexdigest()
    connection.close()
    return digests


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    db_path = tmp_path_factory.mktemp("seed") / "org.sqlite3"
    summary = seed_org(db_path, accounts=ACCOUNTS, seed=7, batch_size=300, workers=2)
    return db_path, summary.as_dict()


def test_same_seed_same_data_different_seed_other_data(
    seeded: tuple[Path, dict], tmp_path: Path
) -> None:
    db_path, _ = seeded
    again = tmp_path / "again.sqlite3"
    seed_org(again, accounts=ACCOUNTS, seed=7, batch_size=300, workers=1)
    assert table_digest(again) == table_digest(db_path), "one process or two: the same data"
    other = tmp_path / "other.sqlite3"
    seed_org(other, accounts=ACCOUNTS, seed=8, batch_size=300)
    assert table_digest(other)["Account"] != table_digest(db_path)["Account"]


def test_same_seed_same_data_in_processes_with_other_hash_seeds(tmp_path: Path) -> None:
    """Nothing may follow the order of a set of strings (it changes with PYTHONHASHSEED)."""
    digests = []
    for hash_seed in ("1", "2"):
        data_dir = tmp_path / f"hash-seed-{hash_seed}"
        command = python_module_command(
            "emulators.salesforce", "seed", "--data-dir", str(data_dir), "--accounts", "150"
        )
        subprocess.run(
            [*command, "--seed", "5"],
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            check=True,
            capture_output=True,
        )
        digests.append(table_digest(org_db_path(data_dir)))
    assert digests[0] == digests[1]


def test_summary_counts_match_the_database(seeded: tuple[Path, dict]) -> None:
    db_path, summary = seeded
    connection = sqlite3.connect(db_path)
    for name, count in summary["records"].items():
        assert connection.execute(f"SELECT COUNT(*) FROM {quote(name)}").fetchone()[0] == count  # noqa: S608
        deleted = connection.execute(
            f"SELECT COUNT(*) FROM {quote(name)} WHERE IsDeleted = 1"  # noqa: S608
        ).fetchone()[0]
        assert deleted == summary["deleted"].get(name, 0), name
    connection.close()
    assert summary["records"]["Account"] == ACCOUNTS
    assert 1.05 * ACCOUNTS < summary["records"]["Contact"] < 1.35 * ACCOUNTS
    assert 0.55 * ACCOUNTS < summary["records"]["Opportunity"] < 0.75 * ACCOUNTS
    assert summary["records"]["OpportunityLineItem"] > 0
    assert summary["records"]["User"] >= 5
    assert summary["records"]["Wide_Object__c"] == 200


def test_exact_account_case_proportions(seeded: tuple[Path, dict]) -> None:
    _, summary = seeded
    cases = summary["cases"]
    for case, rate in (*SCRIPT_RATES, *BILLING_RATES, *ACCOUNT_RATES.items()):
        expected = int(rate * ACCOUNTS)
        if case == "shared_systemmodstamp":  # only accounts created before the mass update
            assert expected * 0.95 <= cases[case] <= expected
        else:
            assert cases[case] == expected, case


def test_cases_are_really_in_the_data(seeded: tuple[Path, dict]) -> None:
    db_path, summary = seeded
    cases = summary["cases"]
    c = sqlite3.connect(db_path)

    def count(sql: str, *params: object) -> int:
        return int(c.execute(sql, params).fetchone()[0])

    assert (
        count('SELECT COUNT(*) FROM "Account" WHERE length(Name) > 100')
        == cases["name_over_100_characters"]
    )
    assert count("SELECT COUNT(*) FROM \"Account\" WHERE Name LIKE '%:%'") >= cases["name_colon"]
    assert (
        count(
            'SELECT COUNT(*) FROM "Account" WHERE Name GLOB ?', "*[\t\x0b\u200b\x07\u00a0\x7f\r]*"
        )
        >= cases["name_control_characters"]
    )
    assert (
        count('SELECT COUNT(*) FROM (SELECT Name FROM "Account" GROUP BY Name HAVING COUNT(*) > 1)')
        >= 1
    )
    placeholders = ", ".join("?" for _ in NULL_LOOKING_TEXT)
    assert (
        count(
            f'SELECT COUNT(*) FROM "Account" WHERE Site IN ({placeholders})',  # noqa: S608
            *NULL_LOOKING_TEXT,
        )
        == cases["text_null_looking"]
    )
    assert (
        count(
            'SELECT COUNT(*) FROM "Account" WHERE length(Description) > 1000 '
            "AND Description LIKE '%' || char(10) || '%' AND Description LIKE '%\"%' "
            "AND Description LIKE '%,%'"
        )
        == cases["description_long_multiline"]
    )
    assert count("SELECT COUNT(*) FROM \"Account\" WHERE Industries_Served__c LIKE '%;%'") > 0
    assert (
        count(
            'SELECT COUNT(*) FROM "Account" '
            "WHERE Opening_Balance__c != round(Opening_Balance__c, 2)"
        )
        > 0.8 * cases["currency_many_decimals"]
    )
    stamps = c.execute(
        'SELECT SystemModstamp, COUNT(*) FROM "Account" GROUP BY 1 ORDER BY 2 DESC LIMIT 1'
    ).fetchone()
    assert stamps[1] >= cases["shared_systemmodstamp"]
    assert count('SELECT COUNT(*) FROM "Account" WHERE BillingCountry IS NULL') >= (
        cases["missing_billing_country"] + cases["missing_billing_address"]
    )
    assert (
        count(
            "SELECT COUNT(*) FROM \"Opportunity\" WHERE StageName = 'Closed Won' AND Amount IS NULL"
        )
        == cases["won_without_amount"]
    )
    assert (
        count('SELECT COUNT(*) FROM "Contact" WHERE Email IS NULL')
        == cases["contact_missing_email"]
    )
    emails = [row[0] for row in c.execute('SELECT Email FROM "Contact" WHERE Email IS NOT NULL')]
    assert all(EMAIL_PATTERN.match(email) for email in emails), "Salesforce accepts every email"
    assert sum(".." in e or "_" in e.split("@")[1] or "@-" in e or ".@" in e or "-." in e
               or e.startswith(".")
               for e in emails) >= cases["contact_invalid_email"]  # fmt: skip
    # scripts: CJK, RTL and emoji really appear
    names = [row[0] for row in c.execute('SELECT Name FROM "Account"')]
    assert any("\u4e00" <= ch <= "\u9fff" for name in names for ch in name)
    assert any("\u0590" <= ch <= "\u06ff" for name in names for ch in name)
    assert any(ord(ch) > 0xFFFF for name in names for ch in name)
    # deleted accounts take their children with them
    assert (
        count(
            'SELECT COUNT(*) FROM "Contact" c JOIN "Account" a ON a.Id = c.AccountId '
            "WHERE a.IsDeleted = 1 AND c.IsDeleted = 0"
        )
        == 0
    )
    c.close()


def test_seeded_values_are_valid_salesforce_values(seeded: tuple[Path, dict]) -> None:
    db_path, _ = seeded
    catalog = default_catalog()
    c = sqlite3.connect(db_path)
    now = SEED_NOW.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    for name in ("Account", "Contact", "Opportunity", "OpportunityLineItem", "Project__c"):
        obj = catalog.get(name)
        assert obj is not None
        for (record_id,) in c.execute(f"SELECT Id FROM {quote(name)} LIMIT 300"):  # noqa: S608
            assert ids.is_valid_id(record_id)
            assert record_id.startswith(obj.key_prefix)
        assert (
            c.execute(
                f"SELECT COUNT(*) FROM {quote(name)} WHERE SystemModstamp > ? "  # noqa: S608
                "OR CreatedDate > LastModifiedDate OR LastModifiedDate > SystemModstamp",
                (now,),
            ).fetchone()[0]
            == 0
        ), name
        for field in obj.stored_fields():
            if field.type in {"string", "textarea", "picklist", "email", "phone", "url"}:
                longest = c.execute(
                    f"SELECT MAX(length({quote(field.name)})) FROM {quote(name)}"  # noqa: S608
                ).fetchone()[0]
                assert longest is None or longest <= field.length, (name, field.name)
            if field.type == "picklist" and field.restricted_picklist:
                allowed = {v.value for v in field.picklist_values}
                found = {
                    row[0]
                    for row in c.execute(
                        f"SELECT DISTINCT {quote(field.name)} FROM {quote(name)}"  # noqa: S608
                    )
                }
                assert found - {None} <= allowed, (name, field.name)
            if not field.nillable and field.type != "boolean":
                assert (
                    c.execute(
                        f"SELECT COUNT(*) FROM {quote(name)} WHERE {quote(field.name)} IS NULL"  # noqa: S608
                    ).fetchone()[0]
                    == 0
                ), (name, field.name)
    # no empty strings: Salesforce stores null instead
    for column in ("Name", "Phone", "Description", "BillingCountry", "Site"):
        assert (
            c.execute(
                f"SELECT COUNT(*) FROM \"Account\" WHERE {quote(column)} = ''"  # noqa: S608
            ).fetchone()[0]
            == 0
        )
    c.close()


def test_seeded_store_answers_queries_and_accepts_writes(seeded: tuple[Path, dict]) -> None:
    db_path, _ = seeded
    clock = datetime(2025, 7, 1, tzinfo=UTC)
    store = OrgStore(db_path, default_catalog(), clock=lambda: clock)
    try:
        counts = store.counts()
        result = store.query("SELECT Id, Name, Owner.Name FROM Account", include_deleted=False)
        assert result.total_size == counts["Account"]
        first = result.fetch_rest(0, 5)
        assert first[0]["Owner"]["Name"]
        created = store.create("Account", {"Name": "After the seed"})
        assert created[:3] == "001"
        assert store.counts()["Account"] == counts["Account"] + 1
    finally:
        store.close()


def test_seed_appends_to_an_existing_store(tmp_path: Path) -> None:
    db_path = tmp_path / "org.sqlite3"
    store = OrgStore(db_path, default_catalog(wide_fields=20))  # the store's own catalogue
    existing = store.create("Account", {"Name": "Made by hand"})
    summary = seed_org(store, accounts=60, seed=1, batch_size=20, workers=2)
    assert store.get("Account", existing, ["Name"])["Name"] == "Made by hand"
    assert store.counts()["Account"] == 1 + 60 - summary.deleted.get("Account", 0)
    wide = store.query("SELECT Id, Extended_Attribute_Number_0020_Value__c FROM Wide_Object__c",
                       include_deleted=False)  # fmt: skip
    assert wide.total_size == 60
    after = store.create("Contact", {"LastName": "After", "AccountId": existing})
    assert after > max(
        r["Id"]
        for r in store.query("SELECT Id FROM Contact", include_deleted=True).fetch_rest(0, 500)
        if r["Id"] != after
    ), "new ids come after the seeded ones"
    store.close()


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="accounts must be 0 or more"):
        seed_org(Path("unused.sqlite3"), accounts=-1, seed=1)
    with pytest.raises(ValueError, match="batch_size must be positive"):
        seed_org(Path("unused.sqlite3"), accounts=1, seed=1, batch_size=0)
    with pytest.raises(ValueError, match="workers must be positive"):
        seed_org(Path("unused.sqlite3"), accounts=1, seed=1, workers=0)
