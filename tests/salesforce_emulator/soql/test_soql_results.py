"""Compiled queries run against an in-memory SQLite org: what each construct returns.

``Org.rows`` also checks that the paging path (``rowid_sql`` then ``rows_by_rowid_sql``) and
``count_sql`` agree with ``sql`` for every query run here.
"""

# ruff: noqa: S608 - the f-strings here build SOQL queries under test, not SQL
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .soql_test_org import Org


@dataclass
class Data:
    org: Org
    ann: str
    bob: str
    acme: str
    globex: str
    initech: str
    umbrella: str
    deleted: str
    smith: str
    jones: str
    orphan: str


@pytest.fixture
def data(org: Org) -> Data:
    boss = org.insert("User", Name="Boss", Username="boss@example.com")
    ann = org.insert("User", Name="Ann", Username="ann@example.com", ManagerId=boss)
    bob = org.insert("User", Name="Bob", Username="bob@example.com")
    acme = org.insert(
        "Account",
        Name="Acme",
        Type="Customer",
        OwnerId=ann,
        AnnualRevenue=1000.5,
        NumberOfEmployees=10,
        Industries_Served__c="Retail;Energy",
        Customer_Since__c="2019-05-01",
        BillingCity="Paris",
        BillingLatitude=48.85,
        CreatedDate="2024-01-01T00:00:00.000Z",
        SystemModstamp="2024-03-01T10:00:00.000Z",
        Tax_Id__c="50% off_sale",
    )
    globex = org.insert(
        "Account",
        Name="globex",
        Type="Partner",
        OwnerId=bob,
        AnnualRevenue=-5.0,
        NumberOfEmployees=20,
        Industries_Served__c="Energy",
        Customer_Since__c="2021-01-01",
        Active__c=0,
        CreatedDate="2024-01-02T00:00:00.000Z",
        SystemModstamp="2024-03-02T10:00:00.000Z",
        Tax_Id__c="back\\slash",
        ParentId=acme,
    )
    initech = org.insert(
        "Account",
        Name="Initech",
        OwnerId=ann,
        Industries_Served__c="Banking;Retail;Energy",
        CreatedDate="2024-01-03T00:00:00.000Z",
        SystemModstamp="2024-03-03T10:00:00.000Z",
        Tax_Id__c="50 percent",
    )
    umbrella = org.insert(
        "Account",
        Name="Ümbrella 東京",
        OwnerId=bob,
        NumberOfEmployees=30,
        CreatedDate="2024-01-04T00:00:00.000Z",
        SystemModstamp="2024-03-03T10:00:00.000Z",
    )
    deleted = org.insert(
        "Account", Name="Deleted Co", OwnerId=ann, IsDeleted=1, Type="Customer", Active__c=0
    )
    smith = org.insert("Contact", LastName="Smith", FirstName="Jo", AccountId=acme)
    jones = org.insert("Contact", LastName="Jones", AccountId=globex, Email="j@x.com")
    orphan = org.insert("Contact", LastName="Orphan")
    return Data(org, ann, bob, acme, globex, initech, umbrella, deleted, smith, jones, orphan)


def names(data: Data, condition: str, *, include_deleted: bool = False) -> list[str]:
    rows = data.org.rows(
        f"SELECT Name FROM Account WHERE {condition} ORDER BY Name",
        include_deleted=include_deleted,
    )
    return [row["Name"] for row in rows]


def test_select_list_columns_in_canonical_case(data: Data) -> None:
    compiled = data.org.compile("select id, NAME, owner.name, billingaddress from ACCOUNT")
    assert compiled.object.name == "Account"
    assert [c.name for c in compiled.columns] == ["Id", "Name", "Owner.Name", "BillingAddress"]
    assert [c.path for c in compiled.columns] == [
        ("Id",),
        ("Name",),
        ("Owner", "Name"),
        ("BillingAddress",),
    ]
    assert compiled.columns[2].field.name == "Name"
    assert [len(c.sql_aliases) for c in compiled.columns] == [1, 1, 1, 8]
    aliases = [a for c in compiled.columns for a in c.sql_aliases]
    assert len(set(aliases)) == len(aliases)
    assert compiled.base_id_alias not in aliases
    assert not compiled.is_count
    rows = data.org.rows("SELECT Name, BillingAddress FROM Account WHERE Name = 'Acme'")
    assert rows == [
        {"Name": "Acme", "BillingAddress": (None, "Paris", None, None, None, 48.85, None, None)}
    ]


def test_field_qualified_with_its_own_object(data: Data) -> None:
    rows = data.org.rows("SELECT Account.Name FROM Account WHERE Account.Name = 'acme'")
    assert rows == [{"Name": "Acme"}]


def test_relationship_joins_with_missing_parents(data: Data) -> None:
    compiled = data.org.compile(
        "SELECT LastName, Account.Name, Account.Owner.Name, Account.Owner.Manager.Name FROM Contact"
    )
    assert [(j.path, j.object_name) for j in compiled.relationships] == [
        (("Account",), "Account"),
        (("Account", "Owner"), "User"),
        (("Account", "Owner", "Manager"), "User"),
    ]
    rows = data.org.rows(
        "SELECT LastName, Account.Name, Account.Owner.Name, Account.Owner.Manager.Name "
        "FROM Contact ORDER BY LastName"
    )
    assert rows == [
        {
            "LastName": "Jones",
            "Account.Name": "globex",
            "Account.Owner.Name": "Bob",
            "Account.Owner.Manager.Name": None,
            "Account.<id>": data.globex,
            "Account.Owner.<id>": data.bob,
            "Account.Owner.Manager.<id>": None,
        },
        {
            "LastName": "Orphan",
            "Account.Name": None,
            "Account.Owner.Name": None,
            "Account.Owner.Manager.Name": None,
            "Account.<id>": None,
            "Account.Owner.<id>": None,
            "Account.Owner.Manager.<id>": None,
        },
        {
            "LastName": "Smith",
            "Account.Name": "Acme",
            "Account.Owner.Name": "Ann",
            "Account.Owner.Manager.Name": "Boss",
            "Account.<id>": data.acme,
            "Account.Owner.<id>": data.ann,
            "Account.Owner.Manager.<id>": data.org.ids("SELECT Id FROM User WHERE Name = 'Boss'")[
                0
            ],
        },
    ]


def test_filtering_and_sorting_on_parents(data: Data) -> None:
    assert data.org.ids("SELECT Id FROM Contact WHERE Account.Owner.Name = 'ann'") == [data.smith]
    # A contact without an account has a null Account.Name: != includes it, = does not.
    assert data.org.ids(
        "SELECT Id FROM Contact WHERE Account.Name != 'Acme' ORDER BY LastName"
    ) == [data.jones, data.orphan]
    assert data.org.ids("SELECT Id FROM Contact ORDER BY Account.Name DESC") == [
        data.jones,
        data.smith,
        data.orphan,
    ]
    assert data.org.ids("SELECT Id FROM Contact ORDER BY Account.Name") == [
        data.orphan,
        data.smith,
        data.jones,
    ]
    assert data.org.ids("SELECT Id FROM Account WHERE Parent.Name = 'ACME'") == [data.globex]


def test_query_excludes_and_query_all_includes_deleted_rows(data: Data) -> None:
    assert "Deleted Co" not in names(data, "Type = 'Customer'")
    assert names(data, "Type = 'Customer'", include_deleted=True) == ["Acme", "Deleted Co"]
    assert names(data, "IsDeleted = true", include_deleted=True) == ["Deleted Co"]
    assert names(data, "IsDeleted = true") == []
    assert data.org.count("SELECT COUNT() FROM Account") == 4
    assert data.org.count("SELECT COUNT() FROM Account", include_deleted=True) == 5


def test_string_equality_is_case_insensitive_and_ids_are_exact(data: Data) -> None:
    assert names(data, "Name = 'ACME'") == ["Acme"]
    assert names(data, "Name IN ('GLOBEX', 'initech')") == ["globex", "Initech"]
    assert names(data, "Name = 'Ümbrella 東京'") == ["Ümbrella 東京"]
    assert names(data, f"Id = '{data.acme}'") == ["Acme"]
    assert names(data, f"Id != '{data.acme}'") == ["globex", "Initech", "Ümbrella 東京"]
    assert names(data, f"OwnerId = '{data.bob}'") == ["globex", "Ümbrella 東京"]


def test_ids_in_any_form_salesforce_accepts(org: Org) -> None:
    user = org.insert("User", Name="U", Username="u@example.com")
    mixed = org.insert("Account", Id="001Ab000000qXyZIAU", Name="Mixed", OwnerId=user)
    other = org.insert("Account", Id="001ab000000qxyzAAA", Name="Lower", OwnerId=user)

    def found(literal: str) -> list[str]:
        return org.ids(f"SELECT Id FROM Account WHERE Id = '{literal}'")

    # 18 characters: case-insensitive (the checksum records the case).
    assert found("001Ab000000qXyZIAU") == [mixed]
    assert found("001ab000000qxyziau") == [mixed]
    assert found("001AB000000QXYZAAA") == [other]
    # 15 characters: case-sensitive.
    assert found("001Ab000000qXyZ") == [mixed]
    assert found("001ab000000qxyz") == [other]
    assert org.ids(
        "SELECT Id FROM Account WHERE Id IN ('001ab000000qxyziau', '001ab000000qxyz') ORDER BY Id"
    ) == [mixed, other]
    assert org.ids(f"SELECT Id FROM Account WHERE OwnerId = '{user[:15]}'") == [mixed, other]


def test_null_semantics_follow_salesforce(data: Data) -> None:
    # Type: Acme Customer, globex Partner, Initech and Ümbrella null.
    assert names(data, "Type != 'Customer'") == ["globex", "Initech", "Ümbrella 東京"]
    assert names(data, "Type <> 'customer'") == ["globex", "Initech", "Ümbrella 東京"]
    assert names(data, "NOT Type = 'Customer'") == ["globex", "Initech", "Ümbrella 東京"]
    assert names(data, "Type NOT IN ('Customer')") == ["globex", "Initech", "Ümbrella 東京"]
    assert names(data, "Type IN ('Customer', null)") == ["Acme", "Initech", "Ümbrella 東京"]
    assert names(data, "Type NOT IN ('Customer', null)") == ["globex"]
    assert names(data, "Type = null") == ["Initech", "Ümbrella 東京"]
    assert names(data, "Type != null") == ["Acme", "globex"]
    assert names(data, "Type = ''") == ["Initech", "Ümbrella 東京"]
    # Range comparisons never match a null, whatever the bound.
    assert names(data, "AnnualRevenue > -100") == ["Acme", "globex"]
    assert names(data, "AnnualRevenue < null") == []
    assert names(data, "NOT AnnualRevenue > 0") == ["globex", "Initech", "Ümbrella 東京"]


def test_numbers_booleans_and_dates(data: Data) -> None:
    assert names(data, "AnnualRevenue >= 1000.5") == ["Acme"]
    assert names(data, "AnnualRevenue < 0") == ["globex"]
    assert names(data, "NumberOfEmployees IN (10, 30)") == ["Acme", "Ümbrella 東京"]
    assert names(data, "NumberOfEmployees >= 20") == ["globex", "Ümbrella 東京"]
    assert names(data, "Active__c = false") == ["globex"]
    assert names(data, "Active__c != false") == ["Acme", "Initech", "Ümbrella 東京"]
    assert names(data, "Customer_Since__c > 2020-01-01") == ["globex"]
    assert names(data, "Customer_Since__c IN (2019-05-01, 2021-01-01)") == ["Acme", "globex"]


def test_time_literals(org: Org) -> None:
    user = org.insert("User", Name="U", Username="u@example.com")
    early = org.insert("Account", Name="Early", OwnerId=user, Opening_Time__c="08:30:00.000Z")
    late = org.insert("Account", Name="Late", OwnerId=user, Opening_Time__c="10:00:00.000Z")
    assert org.ids("SELECT Id FROM Account WHERE Opening_Time__c < 09:00:00Z") == [early]
    assert org.ids("SELECT Id FROM Account WHERE Opening_Time__c = 10:00:00.0Z") == [late]
    assert org.ids("SELECT Id FROM Account ORDER BY Opening_Time__c DESC") == [late, early]


def test_datetime_literals_with_offsets_compare_in_utc(data: Data) -> None:
    assert names(data, "CreatedDate = 2024-01-01T02:00:00+02:00") == ["Acme"]
    assert names(data, "CreatedDate = 2023-12-31T16:00:00.000-0800") == ["Acme"]
    assert names(data, "CreatedDate > 2024-01-02T00:00:00Z") == ["Initech", "Ümbrella 東京"]
    assert names(data, "CreatedDate >= 2024-01-02T00:00:00Z") == [
        "globex",
        "Initech",
        "Ümbrella 東京",
    ]
    assert names(data, "SystemModstamp < 2024-03-02T10:00:00.001Z") == ["Acme", "globex"]


def test_like(data: Data) -> None:
    assert names(data, "Name LIKE 'a%'") == ["Acme"]
    assert names(data, "Name LIKE '%E%'") == ["Acme", "globex", "Initech", "Ümbrella 東京"]
    assert names(data, "Name LIKE 'glob_x'") == ["globex"]
    assert names(data, "Name LIKE 'glob_'") == []
    assert names(data, "Name LIKE '%東京'") == ["Ümbrella 東京"]
    # Tax ids: "50% off_sale", "back\slash", "50 percent".
    assert names(data, "Tax_Id__c LIKE '50%'") == ["Acme", "Initech"]
    assert names(data, r"Tax_Id__c LIKE '50\%%'") == ["Acme"]
    assert names(data, r"Tax_Id__c LIKE '%off\_sale'") == ["Acme"]
    assert names(data, r"Tax_Id__c LIKE '%off\_%'") == ["Acme"]
    assert names(data, r"Tax_Id__c LIKE 'back\\slash'") == ["globex"]
    assert names(data, r"Tax_Id__c LIKE 'back\\%'") == ["globex"]
    assert names(data, r"Tax_Id__c = 'back\\slash'") == ["globex"]
    assert data.org.ids("SELECT Id FROM Contact WHERE Account.Name LIKE 'ac%'") == [data.smith]
    assert names(data, "NOT Tax_Id__c LIKE '50%'") == ["globex", "Ümbrella 東京"]


def test_nested_boolean_logic(data: Data) -> None:
    assert names(
        data,
        "(Type = 'Customer' OR Type = 'Partner') AND (NumberOfEmployees > 15 OR "
        "(AnnualRevenue > 1000 AND Active__c = true))",
    ) == ["Acme", "globex"]
    assert names(data, "NOT (Type = 'Customer' OR (Type = null AND NumberOfEmployees = null))") == [
        "globex",
        "Ümbrella 東京",
    ]
    assert names(data, "((Name = 'Acme'))") == ["Acme"]
    assert names(data, "Name = 'Acme' OR Name = 'globex' OR Name = 'Initech'") == [
        "Acme",
        "globex",
        "Initech",
    ]


def test_multipicklist_set_semantics(data: Data) -> None:
    # Acme "Retail;Energy", globex "Energy", Initech "Banking;Retail;Energy", Ümbrella null.
    assert names(data, "Industries_Served__c = 'energy;RETAIL'") == ["Acme"]
    assert names(data, "Industries_Served__c = 'Energy'") == ["globex"]
    assert names(data, "Industries_Served__c != 'Energy'") == ["Acme", "Initech", "Ümbrella 東京"]
    assert names(data, "Industries_Served__c IN ('Energy', 'Retail;Energy')") == [
        "Acme",
        "globex",
    ]
    assert names(data, "Industries_Served__c INCLUDES ('Retail')") == ["Acme", "Initech"]
    assert names(data, "Industries_Served__c includes ('Banking;Retail', 'Energy')") == [
        "Acme",
        "globex",
        "Initech",
    ]
    assert names(data, "Industries_Served__c INCLUDES ('Banking;Retail')") == ["Initech"]
    assert names(data, "Industries_Served__c EXCLUDES ('Retail')") == ["globex", "Ümbrella 東京"]
    assert names(data, "Industries_Served__c = null") == ["Ümbrella 東京"]


def test_order_by_defaults_and_nulls(data: Data) -> None:
    def order(clause: str) -> list[str]:
        return [r["Name"] for r in data.org.rows(f"SELECT Name FROM Account ORDER BY {clause}")]

    # Type: Acme Customer, globex Partner, Initech null, Ümbrella null (ties broken by rowid).
    assert order("Type") == ["Initech", "Ümbrella 東京", "Acme", "globex"]
    assert order("Type ASC NULLS FIRST") == ["Initech", "Ümbrella 東京", "Acme", "globex"]
    assert order("Type ASC NULLS LAST") == ["Acme", "globex", "Initech", "Ümbrella 東京"]
    assert order("Type DESC") == ["globex", "Acme", "Initech", "Ümbrella 東京"]
    assert order("Type DESC NULLS LAST") == ["globex", "Acme", "Initech", "Ümbrella 東京"]
    assert order("Type DESC NULLS FIRST") == ["Initech", "Ümbrella 東京", "globex", "Acme"]
    # Text sorts case-insensitively.
    assert order("Name") == ["Acme", "globex", "Initech", "Ümbrella 東京"]
    assert order("Name DESC") == ["Ümbrella 東京", "Initech", "globex", "Acme"]
    # Several keys.
    assert order("SystemModstamp DESC, Name DESC") == ["Ümbrella 東京", "Initech", "globex", "Acme"]
    assert order("AnnualRevenue DESC NULLS FIRST, NumberOfEmployees") == [
        "Initech",
        "Ümbrella 東京",
        "Acme",
        "globex",
    ]


def test_numbers_beyond_sqlite_integers(data: Data) -> None:
    assert names(data, "NumberOfEmployees < 99999999999999999999999") == [
        "Acme",
        "globex",
        "Ümbrella 東京",
    ]
    assert names(data, "NumberOfEmployees > -99999999999999999999999") == [
        "Acme",
        "globex",
        "Ümbrella 東京",
    ]
    assert len(data.org.rows("SELECT Id FROM Account LIMIT 99999999999999999999999")) == 4


def test_limit_and_offset(data: Data) -> None:
    def page(clause: str) -> list[str]:
        return [
            r["Name"] for r in data.org.rows(f"SELECT Name FROM Account ORDER BY Name {clause}")
        ]

    assert page("LIMIT 2") == ["Acme", "globex"]
    assert page("OFFSET 1") == ["globex", "Initech", "Ümbrella 東京"]
    assert page("LIMIT 2 OFFSET 1") == ["globex", "Initech"]
    assert page("LIMIT 2 OFFSET 3") == ["Ümbrella 東京"]
    assert page("LIMIT 0") == []
    assert page("OFFSET 10") == []


def test_count(data: Data) -> None:
    compiled = data.org.compile("SELECT COUNT() FROM Account WHERE OwnerId = '" + data.ann + "'")
    assert compiled.is_count
    assert compiled.columns == ()
    assert data.org.count("SELECT COUNT() FROM Account WHERE OwnerId = '" + data.ann + "'") == 2
    assert data.org.count("select count() from Contact where Account.Name != null") == 2
    assert data.org.count("SELECT COUNT() FROM Account LIMIT 3") == 3
    assert data.org.count("SELECT COUNT() FROM Account LIMIT 3 OFFSET 2") == 2
    assert data.org.count("SELECT COUNT() FROM Account OFFSET 5") == 0


def test_unordered_queries_come_in_scan_order(data: Data) -> None:
    # No order is promised without ORDER BY; a full scan reads rows in insertion order.
    assert data.org.ids("SELECT Id FROM Account") == [
        data.acme,
        data.globex,
        data.initech,
        data.umbrella,
    ]


def test_datetime_bounds(data: Data) -> None:
    bounds = data.org.compile(
        "SELECT Id FROM Account WHERE SystemModstamp >= 2024-01-01T00:00:00Z "
        "AND SystemModstamp < 2024-02-01T01:00:00+01:00 AND SystemModstamp > 2023-12-01T00:00:00Z "
        "AND CreatedDate = 2024-01-05T00:00:00Z AND Name != 'x' ORDER BY SystemModstamp"
    ).datetime_bounds
    assert bounds == {
        "SystemModstamp": ("2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z"),
        "CreatedDate": ("2024-01-05T00:00:00.000Z", "2024-01-05T00:00:00.000Z"),
    }
    assert data.org.compile(
        "SELECT Id FROM Account WHERE LastModifiedDate <= 2024-01-01T00:00:00Z"
    ).datetime_bounds == {"LastModifiedDate": (None, "2024-01-01T00:00:00.000Z")}
    assert data.org.compile(
        "SELECT Id FROM Account WHERE (Name = 'x' AND (CreatedDate > 2024-01-01T00:00:00Z "
        "AND CreatedDate < 2024-01-02T00:00:00Z)) AND NumberOfEmployees > 1"
    ).datetime_bounds == {"CreatedDate": ("2024-01-01T00:00:00.000Z", "2024-01-02T00:00:00.000Z")}
    assert data.org.compile(
        "SELECT Id FROM Contact WHERE Account.CreatedDate > 2024-01-01T00:00:00Z"
    ).datetime_bounds == {"Account.CreatedDate": ("2024-01-01T00:00:00.000Z", None)}
    for not_top_level in (
        "SystemModstamp > 2024-01-01T00:00:00Z OR Name = 'x'",
        "NOT SystemModstamp > 2024-01-01T00:00:00Z",
        "Name = 'x' AND (SystemModstamp > 2024-01-01T00:00:00Z OR Name = 'y')",
        "SystemModstamp != 2024-01-01T00:00:00Z",
        "SystemModstamp = null",
    ):
        soql = f"SELECT Id FROM Account WHERE {not_top_level}"
        assert data.org.compile(soql).datetime_bounds == {}, not_top_level


def test_values_are_parameters_and_identifiers_are_quoted(data: Data) -> None:
    hostile = 'x\'); DROP TABLE "Account"; --'
    soql = "SELECT Name FROM Account WHERE Name = '" + hostile.replace("'", "\\'") + "'"
    compiled = data.org.compile(soql)
    assert hostile in compiled.params
    assert "DROP" not in compiled.sql
    assert data.org.rows(soql) == []
    assert data.org.count("SELECT COUNT() FROM Account") == 4
    assert '"Account" AS "t0"' in compiled.sql
    assert '"t0"."Name"' in compiled.sql


def test_same_params_serve_sql_rowid_and_count_statements(data: Data) -> None:
    compiled = data.org.compile(
        "SELECT Name, Owner.Name FROM Account WHERE Owner.Name = 'Bob' AND NumberOfEmployees > 1 "
        "ORDER BY Name LIMIT 5 OFFSET 1"
    )
    assert compiled.params == ("Bob", 1, 5, 1)
    for statement in (compiled.sql, compiled.rowid_sql, compiled.count_sql):
        assert statement.count("?") == len(compiled.params)
    assert compiled.rows_by_rowid_sql.count("?") == 1
    assert data.org.rows(
        "SELECT Name, Owner.Name FROM Account WHERE Owner.Name = 'Bob' AND NumberOfEmployees > 1 "
        "ORDER BY Name LIMIT 5 OFFSET 1"
    ) == [{"Name": "Ümbrella 東京", "Owner.Name": "Bob", "Owner.<id>": data.bob}]
