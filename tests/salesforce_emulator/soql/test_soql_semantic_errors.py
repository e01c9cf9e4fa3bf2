"""Errors found against the catalog: unknown objects and fields, wrong value types, operators.

The explanation texts are Salesforce's own (INVALID_FIELD "No such column …", "Didn't
understand relationship …", INVALID_TYPE "sObject type … is not supported …", "value of filter
criterion for field … must be of type …", "field … can not be filtered/sorted in a query call",
"invalid ID field: …", "invalid operator on id field", "duplicate field selected: …",
"Maximum SOQL offset allowed is 2000"), collected from real responses quoted in public reports.
"""

# ruff: noqa: S608 - the f-strings here build SOQL queries under test, not SQL
from __future__ import annotations

import pytest

from emulators.salesforce.errors import SalesforceApiError
from emulators.salesforce.soql import compile_query

from .soql_test_org import CATALOG

WSDL = "Please reference your WSDL or the describe call for the appropriate names."
CUSTOM_FIELD_HINT = (
    "If you are attempting to use a custom field, be sure to append the '__c' after the custom "
    "field name. " + WSDL
)
RELATIONSHIP_HINT = (
    "If you are attempting to use a custom relationship, be sure to append the '__r' after the "
    "custom relationship name. " + WSDL
)

INCLUDES_ONLY_ON_MULTIPICKLISTS = "includes or excludes operator only valid on multipicklist field"


def error_of(soql: str) -> SalesforceApiError:
    with pytest.raises(SalesforceApiError) as caught:
        compile_query(soql, CATALOG)
    assert caught.value.status == 400
    return caught.value


def positioned(soql: str, position: int, text: str) -> str:
    """The message of an error at ``position`` of a query short enough to be shown whole."""
    return f"\n{soql}\n{' ' * position}^\nERROR at Row:1:Column:{position + 1}\n{text}"


def ends_at(position: int, text: str) -> str:
    """The end of the message of an error at ``position`` (any excerpt)."""
    return f"^\nERROR at Row:1:Column:{position + 1}\n{text}"


def test_unknown_object() -> None:
    error = error_of("SELECT Id FROM Foo")
    assert error.error_code == "INVALID_TYPE"
    assert error.message == positioned(
        "SELECT Id FROM Foo",
        15,
        "sObject type 'Foo' is not supported. If you are attempting to use a custom object, be "
        "sure to append the '__c' after the entity name. " + WSDL,
    )


def test_object_that_cannot_be_queried() -> None:
    error = error_of("SELECT Id FROM AuditTrail")
    assert error.error_code == "INVALID_TYPE_FOR_OPERATION"
    assert error.message == "entity type AuditTrail does not support query"


@pytest.mark.parametrize(
    ("soql", "position", "column", "entity"),
    [
        ("SELECT Id, Foo FROM Account", 11, "Foo", "Account"),
        ("select id, foo from account", 11, "foo", "Account"),
        ("SELECT Id FROM Account WHERE Foo__c = 'x'", 29, "Foo__c", "Account"),
        ("SELECT Id FROM Account ORDER BY Nme", 32, "Nme", "Account"),
        ("SELECT Account.Foo FROM Contact", 7, "Foo", "Account"),
        ("SELECT Account.Owner.Nickname FROM Contact", 7, "Nickname", "User"),
        ("SELECT Account FROM Contact", 7, "Account", "Contact"),
        ("SELECT COUNT() FROM Contact WHERE Account.Rating = 'Hot'", 34, "Rating", "Account"),
    ],
)
def test_no_such_column(soql: str, position: int, column: str, entity: str) -> None:
    error = error_of(soql)
    assert error.error_code == "INVALID_FIELD"
    assert error.message == positioned(
        soql, position, f"No such column '{column}' on entity '{entity}'. {CUSTOM_FIELD_HINT}"
    )


def test_the_first_error_in_clause_order_is_reported() -> None:
    assert "'Foo'" in error_of("SELECT Foo FROM Account WHERE Bar = 1 ORDER BY Baz").message
    assert "'Bar'" in error_of("SELECT Id FROM Account WHERE Bar = 1 ORDER BY Baz").message
    assert "'Baz'" in error_of("SELECT Id FROM Account WHERE Name = 'x' ORDER BY Baz").message
    assert "'Nope'" in error_of("SELECT Foo FROM Nope WHERE Bar = 1").message


@pytest.mark.parametrize(
    ("soql", "position", "relationship"),
    [
        ("SELECT Foo.Name FROM Contact", 7, "Foo"),
        ("SELECT Account__r.Name FROM Contact", 7, "Account__r"),
        ("SELECT AccountId.Name FROM Contact", 7, "AccountId"),
        ("SELECT Name.First FROM Account", 7, "Name"),
        ("SELECT Account.Boss.Name FROM Contact", 7, "Boss"),
        ("SELECT Id FROM Contact WHERE Acount.Name = 'x'", 29, "Acount"),
        ("SELECT Id FROM Contact ORDER BY Owner.Name", 32, "Owner"),
    ],
)
def test_unknown_relationship(soql: str, position: int, relationship: str) -> None:
    error = error_of(soql)
    assert error.error_code == "INVALID_FIELD"
    assert error.message == positioned(
        soql,
        position,
        f"Didn't understand relationship '{relationship}' in field path. {RELATIONSHIP_HINT}",
    )


@pytest.mark.parametrize(
    ("soql", "name"),
    [
        ("SELECT Id, Name, name FROM Account", "Name"),
        ("SELECT Account.Name, account.NAME FROM Contact", "Account.Name"),
        ("SELECT Name, Account.Name FROM Account", "Name"),
    ],
)
def test_duplicate_fields(soql: str, name: str) -> None:
    error = error_of(soql)
    assert error.error_code == "INVALID_FIELD"
    assert error.message == f"duplicate field selected: {name}"
    assert error.body() == [
        {"message": f"duplicate field selected: {name}", "errorCode": "INVALID_FIELD"}
    ]


@pytest.mark.parametrize(
    ("condition", "field", "type_name", "quoted"),
    [
        ("Name = 5", "Name", "string", True),
        ("Type IN ('Customer', 3)", "Type", "string", True),
        ("Industries_Served__c = true", "Industries_Served__c", "string", True),
        ("Tax_Id__c LIKE null", "Tax_Id__c", "string", True),
        ("NumberOfEmployees = '5'", "NumberOfEmployees", "integer", False),
        ("Score__c > 2024-01-01", "Score__c", "long", False),
        ("AnnualRevenue >= '100'", "AnnualRevenue", "double", False),
        ("Rating__c = true", "Rating__c", "double", False),
        ("Ratio__c < '0.5'", "Ratio__c", "double", False),
        ("Active__c = 'true'", "Active__c", "boolean", False),
        ("Active__c = 1", "Active__c", "boolean", False),
        ("CreatedDate > '2024-01-01T00:00:00Z'", "CreatedDate", "dateTime", False),
        ("SystemModstamp >= 2024-01-01", "SystemModstamp", "dateTime", False),
        ("LastModifiedDate < 1700000000", "LastModifiedDate", "dateTime", False),
        ("Customer_Since__c = '2024-01-01'", "Customer_Since__c", "date", False),
        ("Customer_Since__c > 2024-01-01T00:00:00Z", "Customer_Since__c", "date", False),
        ("Opening_Time__c = '10:00:00.000Z'", "Opening_Time__c", "time", False),
        ("Opening_Time__c > 2024-01-01T10:00:00Z", "Opening_Time__c", "time", False),
        ("CreatedDate < 10:00:00Z", "CreatedDate", "dateTime", False),
        ("Id = 5", "Id", "id", True),
        ("OwnerId IN ('005000000000001AAA', true)", "OwnerId", "id", True),
    ],
)
def test_filter_values_of_the_wrong_type(
    condition: str, field: str, type_name: str, quoted: bool
) -> None:
    soql = f"SELECT Id FROM Account WHERE {condition}"
    error = error_of(soql)
    assert error.error_code == "INVALID_FIELD"
    should = "should" if quoted else "should not"
    text = (
        f"value of filter criterion for field '{field}' must be of type {type_name} and "
        f"{should} be enclosed in quotes"
    )
    assert error.message.endswith(f"\n{text}")
    # The caret points at the offending value.
    bad_value = condition.rsplit(" ", 1)[-1].strip("()")
    position = soql.rindex(bad_value)
    assert f"ERROR at Row:1:Column:{position + 1}\n" in error.message


def test_real_quoted_datetime_message() -> None:
    # real text: "value of filter criterion for field 'CreatedDate' must be of type dateTime and
    # should not be enclosed in quotes"
    soql = "SELECT Id FROM Account WHERE CreatedDate > '2024-01-01T00:00:00Z'"
    assert error_of(soql).message == (
        "\nFROM Account WHERE CreatedDate > '2024-01-01T00:00:00Z'\n"
        "                                 ^\nERROR at Row:1:Column:44\n"
        "value of filter criterion for field 'CreatedDate' must be of type dateTime and should "
        "not be enclosed in quotes"
    )


@pytest.mark.parametrize(
    ("condition", "value"),
    [
        ("Id = 'abc'", "abc"),
        ("OwnerId IN ('005000000000001AAA', 'nope')", "nope"),
        ("Id = '001000000000001AAAA'", "001000000000001AAAA"),
        # An 18-character id whose checksum marks a digit as an uppercase letter.
        ("ParentId = '001000000000001ZZZ'", "001000000000001ZZZ"),
    ],
)
def test_invalid_ids(condition: str, value: str) -> None:
    soql = f"SELECT Id FROM Account WHERE {condition}"
    error = error_of(soql)
    assert error.error_code == "INVALID_QUERY_FILTER_OPERATOR"
    position = soql.rindex(f"'{value}'")
    assert error.message.endswith(ends_at(position, f"invalid ID field: {value}"))


@pytest.mark.parametrize(
    ("condition", "text"),
    [
        ("Id LIKE '001%'", "invalid operator on id field"),
        ("OwnerId LIKE '005%'", "invalid operator on id field"),
        ("NumberOfEmployees LIKE '1%'", "invalid operator on integer field"),
        ("Industries_Served__c < 'B'", "invalid operator on multipicklist field"),
        ("Industries_Served__c LIKE 'B%'", "invalid operator on multipicklist field"),
        ("Type INCLUDES ('Customer')", INCLUDES_ONLY_ON_MULTIPICKLISTS),
        ("Name EXCLUDES ('x')", INCLUDES_ONLY_ON_MULTIPICKLISTS),
    ],
)  # fmt: skip
def test_operators_the_field_type_does_not_allow(condition: str, text: str) -> None:
    soql = f"SELECT Id FROM Account WHERE {condition}"
    error = error_of(soql)
    assert error.error_code == "INVALID_QUERY_FILTER_OPERATOR"
    assert error.message.endswith(f"ERROR at Row:1:Column:30\n{text}")


@pytest.mark.parametrize(
    ("soql", "field", "verb"),
    [
        ("SELECT Id FROM Account WHERE Description = 'x'", "Description", "filtered"),
        ("SELECT Id FROM Account WHERE BillingAddress != null", "BillingAddress", "filtered"),
        ("SELECT Id FROM Contact WHERE Account.Description LIKE 'x%'", "Description", "filtered"),
        ("SELECT Id FROM Account ORDER BY Description", "Description", "sorted"),
        ("SELECT Id FROM Account ORDER BY BillingAddress", "BillingAddress", "sorted"),
        ("SELECT Id FROM Account ORDER BY Industries_Served__c", "Industries_Served__c", "sorted"),
    ],
)
def test_fields_that_cannot_be_filtered_or_sorted(soql: str, field: str, verb: str) -> None:
    error = error_of(soql)
    assert error.error_code == "INVALID_FIELD"
    position = soql.index("WHERE ") + 6 if verb == "filtered" else soql.index("BY ") + 3
    assert error.message.endswith(
        f"ERROR at Row:1:Column:{position + 1}\nfield '{field}' can not be {verb} in a query call"
    )


def test_like_only_escapes_are_refused_outside_like() -> None:
    soql = r"SELECT Id FROM Account WHERE Name = '50\% off'"
    error = error_of(soql)
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith(
        ends_at(
            soql.index("\\"),
            r"Invalid string literal '50\% off'. Illegal character sequence '\%' in string "
            "literal.",
        )
    )
    compile_query(r"SELECT Id FROM Account WHERE Name LIKE '50\% off'", CATALOG)


def test_unknown_escapes_are_refused() -> None:
    soql = r"SELECT Id FROM Account WHERE Name = 'a\qb'"
    error = error_of(soql)
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith(
        ends_at(
            soql.index("\\"),
            r"Invalid string literal 'a\qb'. Illegal character sequence '\q' in string literal.",
        )
    )


def test_impossible_times_are_refused() -> None:
    error = error_of("SELECT Id FROM Account WHERE Opening_Time__c = 24:00:00Z")
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith("ERROR at Row:1:Column:48\nInvalid time: 24:00:00Z")


def test_impossible_dates_are_refused() -> None:
    error = error_of("SELECT Id FROM Account WHERE Customer_Since__c = 2023-02-29")
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith("ERROR at Row:1:Column:50\nInvalid date: 2023-02-29")
    error = error_of("SELECT Id FROM Account WHERE CreatedDate = 2023-02-28T25:00:00Z")
    assert error.message.endswith("\nInvalid datetime: 2023-02-28T25:00:00Z")


def test_offset_above_2000() -> None:
    compile_query("SELECT Id FROM Account OFFSET 2000", CATALOG)
    error = error_of("SELECT Id FROM Account LIMIT 10 OFFSET 2001")
    assert error.error_code == "NUMBER_OUTSIDE_VALID_RANGE"
    assert error.message == "Maximum SOQL offset allowed is 2000"


@pytest.mark.parametrize(("clause", "token"), [("LIMIT -1", "-1"), ("LIMIT 1.5", "1.5")])
def test_limit_must_be_a_non_negative_integer(clause: str, token: str) -> None:
    soql = f"SELECT Id FROM Account {clause}"
    error = error_of(soql)
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message == positioned(soql, soql.index(token), f"unexpected token: '{token}'")


def test_count_cannot_be_ordered() -> None:
    soql = "SELECT COUNT() FROM Account ORDER BY Name"
    error = error_of(soql)
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith(ends_at(37, "Ordered field must be grouped or aggregated: Name"))


def test_count_of_a_field_is_refused_plainly() -> None:
    error = error_of("SELECT COUNT(Id) FROM Account")
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith(
        "ERROR at Row:1:Column:14\nCOUNT(field) aggregate queries are not supported by this "
        "emulator; use COUNT()"
    )
