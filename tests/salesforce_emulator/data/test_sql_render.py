"""Pages rendered by SQLite are byte for byte the pages rendered in Python.

``QueryResult.fetch_rest_json``/``fetch_csv_lines`` let SQLite write each record's JSON text or
CSV line, ``fetch_rest_page``/``fetch_csv_chunk`` a whole page of them in one statement step;
``fetch_rest`` + ``orjson`` and ``fetch_csv_rows`` + ``csv.writer`` are the reference.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from typing import TYPE_CHECKING, Any

import orjson
import pytest

from emulators.salesforce import sql_render
from emulators.salesforce.seed import seed_org
from emulators.salesforce.soql import compile_query

if TYPE_CHECKING:
    from pathlib import Path

    from emulators.salesforce.schema import Catalog
    from emulators.salesforce.store import OrgStore, QueryResult

DIALECTS = [(",", "\n"), ("\t", "\r\n"), ("|", "\n"), ("`", "\r\n")]


def python_json(result: QueryResult, start: int, count: int, version: str) -> list[bytes]:
    return [orjson.dumps(r) for r in result.fetch_rest(start, count, api_version=version)]


def python_csv(result: QueryResult, start: int, count: int, delimiter: str, ending: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=ending, quoting=csv.QUOTE_ALL)
    writer.writerows(result.fetch_csv_rows(start, count))
    return buffer.getvalue().encode()


def assert_same_pages(result: QueryResult, *, page: int = 97, version: str = "59.0") -> None:
    """Every page of ``result`` renders the same bytes through SQLite and through Python."""
    assert sql_render.rest_json_sql(result.compiled, version) is not None, "SQLite renders it"
    assert sql_render.rest_page_sql(result.compiled, version) is not None
    for start in range(0, result.total_size, page):
        expected = python_json(result, start, page, version)
        assert result.fetch_rest_json(start, page, api_version=version) == expected
        assert result.fetch_rest_page(start, page, api_version=version) == b",".join(expected)
    if result.bulk_error() is not None:
        return
    for delimiter, ending in DIALECTS:
        for start in range(0, result.total_size, page):
            lines = result.fetch_csv_lines(start, page, delimiter=delimiter, line_ending=ending)
            expected_csv = python_csv(result, start, page, delimiter, ending)
            assert b"".join(lines) == expected_csv
            assert len(lines) == len(result.fetch_csv_rows(start, page))
            chunk, sizes = result.fetch_csv_chunk(
                start, page, delimiter=delimiter, line_ending=ending
            )
            assert chunk == expected_csv
            assert sizes == [len(line) for line in lines]


def select_all(catalog: Catalog, name: str, *, bulk: bool = False) -> str:
    """``SELECT`` every field (every one Bulk can return when ``bulk``) ``FROM name``."""
    return f"SELECT {all_fields(catalog, name, bulk=bulk)} FROM {name}"  # noqa: S608


def all_fields(catalog: Catalog, name: str, *, bulk: bool = False) -> str:
    obj = catalog.get(name)
    assert obj is not None
    fields = [f.name for f in obj.fields if not bulk or (not f.is_compound and f.type != "base64")]
    return ", ".join(fields)


@pytest.fixture
def seeded(store: OrgStore) -> OrgStore:
    seed_org(store, accounts=40, seed=3, batch_size=20, workers=1)
    return store


def test_sqlite_build_renders_like_python(store: OrgStore) -> None:
    assert store.renders_in_sql, "this SQLite should take the fast path the benchmarks measure"


def test_every_object_every_field_same_bytes(seeded: OrgStore, catalog: Catalog) -> None:
    for obj in catalog.objects:
        if not obj.queryable:
            continue
        for include_deleted in (False, True):
            result = seeded.query(select_all(catalog, obj.name), include_deleted=include_deleted)
            assert_same_pages(result)
            if obj.bulk_queryable:
                bulk = seeded.query(
                    select_all(catalog, obj.name, bulk=True), include_deleted=include_deleted
                )
                assert_same_pages(bulk)


def test_relationships_null_parents_and_versions(seeded: OrgStore, catalog: Catalog) -> None:
    account_fields = ", ".join(f"Account.{n}" for n in all_fields(catalog, "Account").split(", "))
    queries = [
        (
            "SELECT Id, Name, Account.Name, Account.BillingAddress, Account.Owner.Name, "
            "Owner.IsActive, CreatedDate FROM Contact ORDER BY LastName, Id"
        ),
        (
            "SELECT Id, Opportunity.Account.Parent.Name, Opportunity.Account.Name, "
            "Product2.Name FROM OpportunityLineItem"
        ),
        "SELECT Id, Name FROM Account WHERE Name LIKE '%a%' ORDER BY Name DESC LIMIT 30 OFFSET 3",
        "SELECT Id, Account.Parent.Name FROM Contact",
        # more than one json_object call for the base record and for a parent record
        f"SELECT {account_fields}, {all_fields(catalog, 'Contact')} FROM Contact",  # noqa: S608
    ]
    for soql in queries:
        assert_same_pages(seeded.query(soql, include_deleted=True), version="62.0")


def test_values_sqlite_cannot_write_fall_back_to_python(store: OrgStore) -> None:
    tricky: list[dict[str, Any]] = [
        {"Name": "Seventeen digits", "AnnualRevenue": 0.1, "Opening_Balance__c": 1e-5},
        {"Name": "Huge", "AnnualRevenue": 1e17, "Credit_Limit__c": 12345678901234.57},
        {"Name": "Tiny", "Opening_Balance__c": 0.00001, "BillingLatitude": 37.774929123456789},
        {"Name": "Negative zero", "AnnualRevenue": -0.0, "Credit_Limit__c": -12.5},
        {"Name": 'Quotes "inside", commas, and\nnew lines\r\n', "Description": "a\x00b"},
        {"Name": "Control \x01\x1f and emoji \U0001f600 and RTL \u05d0\u05d1", "Phone": "NA"},
        {"Name": "Backslash \\ and tab\t", "Website": "null", "Sic": "None"},
    ]
    for values in tricky:
        store.create("Account", values)
    raw = sqlite3.connect(store.db_path, isolation_level=None)
    raw.execute(
        """UPDATE "Account" SET "NumberofLocations__c" = 0.30000000000000004 WHERE "Name" = ?""",
        ("Huge",),
    )
    catalog = store.catalog
    rest = store.query(select_all(catalog, "Account"), include_deleted=False)
    bulk = store.query(select_all(catalog, "Account", bulk=True), include_deleted=False)
    assert_same_pages(rest, page=3)
    assert_same_pages(bulk, page=3)
    sql = sql_render.rest_json_sql(rest.compiled, "59.0")
    assert sql is not None
    rowids = [found[0] for found in raw.execute(rest.compiled.rowid_sql)]
    raw.close()
    rendered = store.rendered_rows(sql, rowids)
    in_python = [text for _, text in rendered if text is None]
    assert len(in_python) == 3, "the rows with 17-digit, huge or tiny doubles go to Python"


def test_python_path_when_sqlite_formats_differ(seeded: OrgStore, catalog: Catalog) -> None:
    seeded._renders_in_sql = False  # what an SQLite build writing other formats gets
    result = seeded.query(select_all(catalog, "Account"), include_deleted=True)
    assert_same_pages(result)
    bulk = seeded.query(select_all(catalog, "Account", bulk=True), include_deleted=True)
    assert_same_pages(bulk)


def test_probe_refuses_a_build_that_writes_doubles_otherwise() -> None:
    connection = sqlite3.connect(":memory:")
    connection.text_factory = bytes
    assert sql_render.sqlite_matches_python(connection)

    def fifteen_digits_always(value: object) -> str:
        return f"{value:.17g}" if isinstance(value, float) else str(value)

    connection.create_function("printf", -1, lambda *args: fifteen_digits_always(args[-1]))
    assert not sql_render.sqlite_matches_python(connection)


def test_count_and_compound_bulk_queries(seeded: OrgStore, catalog: Catalog) -> None:
    count = seeded.query("SELECT COUNT() FROM Account", include_deleted=False)
    assert count.fetch_rest_json(0, 10) == []
    compound = seeded.query("SELECT Id, BillingAddress FROM Account", include_deleted=False)
    with pytest.raises(Exception, match="compound data not supported"):
        compound.fetch_csv_lines(0, 10)
    compiled = compile_query("SELECT Id FROM Account", catalog)
    assert sql_render.csv_line_sql(compiled, ",", "\n") is not None


def test_nul_registry_checks_only_objects_that_hold_nul(store: OrgStore, catalog: Catalog) -> None:
    store.create("Account", {"Name": "Plain"})
    contact_id = store.create("Contact", {"LastName": "Plain"})
    assert store.objects_with_nul_text() == frozenset()
    compiled = compile_query("SELECT Id, Name FROM Account", catalog)
    assert "instr" not in (sql_render.csv_line_sql(compiled, ",", "\n") or "")
    store.update("Contact", contact_id, {"Description": "before\x00after"})
    assert store.objects_with_nul_text() == frozenset({"Contact"})
    with_parent = compile_query("SELECT Id, Description, Account.Name FROM Contact", catalog)
    sql = sql_render.csv_line_sql(with_parent, ",", "\n", store.objects_with_nul_text()) or ""
    assert sql.count("instr") == 1, "only the Contact text column is checked"
    result = store.query("SELECT Id, Description, Account.Name FROM Contact", include_deleted=False)
    assert b"before\x00after" in b"".join(result.fetch_csv_lines(0, 10))
    assert_same_pages(result)


def test_nul_registry_filled_from_a_database_made_before_it(
    tmp_path: Path, catalog: Catalog
) -> None:
    from emulators.salesforce.store import OrgStore  # noqa: PLC0415

    first = OrgStore(tmp_path / "org.sqlite3", catalog)
    first.create("Account", {"Name": "Null\x00inside"})
    first.close()
    raw = sqlite3.connect(tmp_path / "org.sqlite3", isolation_level=None)
    raw.execute('DROP TABLE "_TextWithNul"')
    raw.close()
    reopened = OrgStore(tmp_path / "org.sqlite3", catalog)
    try:
        assert reopened.objects_with_nul_text() == frozenset({"Account"})
    finally:
        reopened.close()


HOSTILE_TEXT = [
    "Quote \" and \\\" escaped quote, comma, 'single'",
    "Back\\slash \\\\ and \\u0041 literal",
    "Control \x01\x07\x08\x0b\x0c\x1b\x1f and DEL \x7f",
    "Lines\nwith\r\nbreaks\rand\ttabs",
    "Emoji \U0001f600\U0001f469\u200d\U0001f4bb and flags \U0001f1eb\U0001f1f7",
    "RTL \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \u202eoverride\u202c",
    "Line separators \u2028 and \u2029, BOM \ufeff, NBSP \u00a0",
    "CJK \u4e2d\u6587 \u65e5\u672c\u8a9e \ud55c\uad6d\uc5b4, accents \u00e9\u00e8\u00ea\u00eb",
    "</script><!-- markup & entities &amp; -->",
    "null",
]


def test_hostile_text_page_rendered_in_one_step_equals_python(store: OrgStore) -> None:
    for number, text in enumerate(HOSTILE_TEXT):
        store.create(
            "Account",
            {
                "Name": f"{number} {text}"[:255],
                "Description": text * 3,
                "BillingStreet": text,
                "BillingCity": text[:40],
                "Website": text[:255],
                "Payment_Terms__c": "Net 30",
                "AnnualRevenue": 1234.5,
            },
        )
    result = store.query(select_all(store.catalog, "Account"), include_deleted=False)
    page = result.fetch_rest_page(0, 100, api_version="59.0")
    sql = sql_render.rest_page_sql(result.compiled, "59.0")
    assert sql is not None
    rendered = store.rendered_page(sql, list(result._rowids))
    assert rendered.complete, "no value here needs Python: SQLite wrote the whole page"
    assert rendered.text == page
    expected = result.fetch_rest(0, 100, api_version="59.0")
    assert page == b",".join(orjson.dumps(record) for record in expected)
    parsed = orjson.loads(b"[" + page + b"]")
    assert parsed == expected
    assert {record["Description"] for record in parsed} == {text * 3 for text in HOSTILE_TEXT}
    bulk = store.query(select_all(store.catalog, "Account", bulk=True), include_deleted=False)
    chunk, sizes = bulk.fetch_csv_chunk(0, 100)
    assert chunk == python_csv(bulk, 0, 100, ",", "\n")
    assert len(sizes) == len(HOSTILE_TEXT)
    rows = list(csv.reader(io.StringIO(chunk.decode(), newline="")))
    assert [row[0] for row in rows] == [record["Id"] for record in expected]
