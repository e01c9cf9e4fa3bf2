"""Syntax errors: MALFORMED_QUERY texts and the ``ERROR at Row:R:Column:C`` structure.

Expected messages marked "real" are copied from responses of real Salesforce orgs (found in
public bug reports); the others follow the same structure.
"""

from __future__ import annotations

import pytest

from emulators.salesforce.errors import SalesforceApiError
from emulators.salesforce.schema import Catalog, FieldDef, ObjectDef
from emulators.salesforce.soql import compile_query
from emulators.salesforce.soql.messages import positioned_message

from .soql_test_org import CATALOG

WSDL = "Please reference your WSDL or the describe call for the appropriate names."


def error_of(soql: str, catalog: Catalog = CATALOG) -> SalesforceApiError:
    with pytest.raises(SalesforceApiError) as caught:
        compile_query(soql, catalog)
    return caught.value


def caret_message(excerpt: str, caret: int, column: int, text: str, row: int = 1) -> str:
    """A query error message: ``excerpt`` with the caret under ``excerpt[caret]``."""
    return f"\n{excerpt}\n{' ' * caret}^\nERROR at Row:{row}:Column:{column}\n{text}"


def test_real_unexpected_eof_message() -> None:
    # real: "\nSELECT Id FROM Account WHERE\n                            ^\nERROR at Row:1:Column:29
    # \nunexpected token: '<EOF>'"
    error = error_of("SELECT Id FROM Account WHERE")
    assert error.status == 400
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message == (
        "\nSELECT Id FROM Account WHERE\n                            ^\n"
        "ERROR at Row:1:Column:29\nunexpected token: '<EOF>'"
    )
    assert error.body() == [{"message": error.message, "errorCode": "MALFORMED_QUERY"}]


@pytest.mark.parametrize(
    ("soql", "excerpt", "column", "token"),
    [
        ("SELECT Id FRM Account", "SELECT Id FRM Account", 11, "FRM"),
        ("SELECT Id, FROM Account", "SELECT Id, FROM Account", 12, "FROM"),
        ("SELECT FROM Account", "SELECT FROM Account", 8, "FROM"),
        (
            "SELECT Id FROM Account WHERE Name = 'x' ORDER Name",
            "Account WHERE Name = 'x' ORDER Name",
            47,
            "Name",
        ),
        (
            "SELECT Id FROM Account LIMIT 5 WHERE Name = 'x'",
            "SELECT Id FROM Account LIMIT 5 WHERE Name = 'x'",
            32,
            "WHERE",
        ),
        (
            "SELECT Id FROM Account ORDER BY Name NULLS",
            "FROM Account ORDER BY Name NULLS",
            43,
            "<EOF>",
        ),
        (
            "SELECT Id FROM Account WHERE Name IN ()",
            "Id FROM Account WHERE Name IN ()",
            39,
            ")",
        ),
        (
            "SELECT Id FROM Account WHERE Name = Type",
            "Id FROM Account WHERE Name = Type",
            37,
            "Type",
        ),
        ("SELECT Id FROM Account a", "SELECT Id FROM Account a", 24, "a"),
        ("", "", 1, "<EOF>"),
    ],
)
def test_unexpected_tokens(soql: str, excerpt: str, column: int, token: str) -> None:
    error = error_of(soql)
    assert error.status == 400
    assert error.error_code == "MALFORMED_QUERY"
    caret = column - 1 - soql.index(excerpt)
    assert error.message == caret_message(excerpt, caret, column, f"unexpected token: '{token}'")


def test_a_character_no_token_starts_with_is_a_lexer_error() -> None:
    error = error_of("SELECT * FROM Account")
    assert error.message == caret_message(
        "SELECT * FROM Account", 6, 7, "line 1:7 no viable alternative at character '*'"
    )


def test_mixing_and_with_or_needs_parentheses() -> None:
    soql = "SELECT Id FROM Account WHERE Name = 'a' AND Type = 'b' OR Type = 'c'"
    error = error_of(soql)
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message == caret_message(
        "WHERE Name = 'a' AND Type = 'b' OR Type = 'c'", 32, 56, "unexpected token: 'OR'"
    )
    compile_query("SELECT Id FROM Account WHERE (Name = 'a' AND Type = 'b') OR Type = 'c'", CATALOG)


def test_not_needs_parentheses_inside_and_or() -> None:
    error = error_of("SELECT Id FROM Account WHERE Name = 'a' AND NOT Type = 'b'")
    assert error.message.endswith("ERROR at Row:1:Column:45\nunexpected token: 'NOT'")
    error = error_of("SELECT Id FROM Account WHERE NOT Name = 'a' AND Type = 'b'")
    assert error.message.endswith("ERROR at Row:1:Column:45\nunexpected token: 'AND'")
    compile_query("SELECT Id FROM Account WHERE Name = 'a' AND (NOT Type = 'b')", CATALOG)
    compile_query("SELECT Id FROM Account WHERE NOT (Name = 'a' AND Type = 'b')", CATALOG)


def test_reserved_keywords_are_never_names() -> None:
    error = error_of("SELECT Id, Last FROM Account")
    assert error.message.endswith("ERROR at Row:1:Column:12\nunexpected token: 'Last'")
    error = error_of("SELECT Id FROM Account ORDER BY Name ASC NULLS LAST LIMIT 5 LIKE")
    assert error.message.endswith("unexpected token: 'LIKE'")


def test_zone_less_datetime_is_a_lexer_error_at_its_last_character() -> None:
    # real (same shape): "...< 2016-07-31T04:17:54\n<40 spaces>^\nERROR at Row:1:Column:75\n
    # line 1:75 no viable alternative at character '<EOF>'"
    soql = "SELECT Id FROM Account WHERE CreatedDate < 2016-07-31T04:17:54"
    error = error_of(soql)
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message == caret_message(
        "CreatedDate < 2016-07-31T04:17:54",
        32,
        62,
        "line 1:62 no viable alternative at character '<EOF>'",
    )
    error = error_of(soql + " LIMIT 1")
    assert error.message.endswith("line 1:62 no viable alternative at character ' '")


def test_more_than_nine_fraction_digits_is_a_lexer_error() -> None:
    error = error_of("SELECT Id FROM Account WHERE CreatedDate < 2016-07-31T04:17:54.1234567891Z")
    assert error.message.endswith("line 1:72 no viable alternative at character '1'")


@pytest.mark.parametrize(
    ("soql", "ending"),
    [
        ("SELECT Id FROM Account WHERE Name = 'abc", "line 1:40 ... character '<EOF>'"),
        ('SELECT Id FROM Account WHERE Name = "abc"', "line 1:36 ... character '\"'"),
        ("SELECT Id FROM Account WHERE Name = 'a' $", "line 1:40 ... character '$'"),
    ],
)
def test_lexer_errors(soql: str, ending: str) -> None:
    error = error_of(soql)
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith(ending.replace("...", "no viable alternative at"))


def test_errors_on_later_lines_report_their_row_and_column() -> None:
    soql = "SELECT Id\nFROM Account\nWHERE Name = 'a' AND Type = 'b' OR Type = 'c'"
    error = error_of(soql)
    assert error.message == caret_message(
        "WHERE Name = 'a' AND Type = 'b' OR Type = 'c'", 32, 33, "unexpected token: 'OR'", row=3
    )


def test_real_excerpt_of_a_long_select_list() -> None:
    # real: "\nSELECT Id, Dispenser__c, Answer__c, Audit_Question__c\n           ^\n
    # ERROR at Row:1:Column:12\nNo such column 'Dispenser__c' on entity 'Audit_Answer__c'. …"
    answer = ObjectDef(
        name="Audit_Answer__c",
        label="Audit Answer",
        label_plural="Audit Answers",
        key_prefix="a01",
        custom=True,
        fields=(
            FieldDef("Id", "id", "Record ID"),
            FieldDef("Answer__c", "string", "Answer", custom=True),
            FieldDef("Audit_Question__c", "string", "Question", custom=True),
        ),
    )
    error = error_of(
        "SELECT Id, Dispenser__c, Answer__c, Audit_Question__c FROM Audit_Answer__c",
        Catalog((answer,)),
    )
    assert error.error_code == "INVALID_FIELD"
    assert error.message == (
        "\nSELECT Id, Dispenser__c, Answer__c, Audit_Question__c\n           ^\n"
        "ERROR at Row:1:Column:12\nNo such column 'Dispenser__c' on entity 'Audit_Answer__c'. "
        "If you are attempting to use a custom field, be sure to append the '__c' after the "
        "custom field name. " + WSDL
    )


def padded_select(length: int, separator: str) -> str:
    """``SELECT <one long field name><separator>``, exactly ``length`` characters long."""
    fixed = len("SELECT Pad__c") + len(separator)
    return "SELECT Pad" + "d" * (length - fixed) + "__c" + separator


@pytest.mark.parametrize(
    ("excerpt", "caret", "column", "separator"),
    [
        # real: "\nCreatedById,OCE__ActualCap__c,TPI_Product__c,Name,OCE__JobId__c\n<30>^\n
        # ERROR at Row:1:Column:114\n…"
        ("CreatedById,OCE__ActualCap__c,TPI_Product__c,Name,OCE__JobId__c", 30, 114, ","),
        # real: "\nCampaign.Name, Pricebook2.Name, Contact.Name, LastAmountChangedHistory.Id\n
        # <32>^\nERROR at Row:1:Column:1315\n…"
        (
            "Campaign.Name, Pricebook2.Name, Contact.Name, LastAmountChangedHistory.Id",
            32,
            1315,
            ", ",
        ),
        # real excerpt "Account.Phone, Account.Rating, Account.RecordTypeId, Account.ShippingCity"
        # with ERROR at Row:1:Column:486 (the caret line was reflowed in the report)
        (
            "Account.Phone, Account.Rating, Account.RecordTypeId, Account.ShippingCity",
            31,
            486,
            ", ",
        ),
    ],
)
def test_excerpts_of_long_queries_match_real_ones(
    excerpt: str, caret: int, column: int, separator: str
) -> None:
    before = padded_select(column - 1 - caret, separator)
    soql = before + excerpt + separator + "Name, Industry FROM Opportunity"
    message = positioned_message(soql, column - 1, "explanation")
    assert message == f"\n{excerpt}\n{' ' * caret}^\nERROR at Row:1:Column:{column}\nexplanation"
