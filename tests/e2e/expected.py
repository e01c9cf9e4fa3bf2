"""What Akountify must hold for a Salesforce record under the default mapping, worked out here.

This is the tests' own statement of the default mapping (target_akountify's
``default_mapping.yaml``, documented field by field), written without the target's code, so
that a wrong transform in the target shows up as a difference. Inputs are records as
Salesforce's REST API returns them; outputs are the fields as Akountify's API renders them.
"""

from __future__ import annotations

import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

#: ISO 3166 alpha-2 code of every way the seeded org writes a country.
COUNTRY_CODES: dict[str, str] = {
    **dict.fromkeys(("United States", "USA", "US", "U.S.A.", "United States of America"), "US"),
    **dict.fromkeys(("United Kingdom", "UK", "GB", "England", "Great Britain"), "GB"),
    **dict.fromkeys(("Australia", "AU"), "AU"),
    **dict.fromkeys(("Netherlands", "The Netherlands", "Nederland", "NL"), "NL"),
    **dict.fromkeys(("France", "FR", "République française"), "FR"),
    **dict.fromkeys(("Germany", "Deutschland", "DE"), "DE"),
    **dict.fromkeys(("Spain", "España", "ES"), "ES"),
    **dict.fromkeys(("Poland", "Polska", "PL"), "PL"),
    **dict.fromkeys(("Brazil", "Brasil", "BR"), "BR"),
    **dict.fromkeys(("Sweden", "Sverige", "SE"), "SE"),
    **dict.fromkeys(("Czech Republic", "Czechia", "Česko", "CZ"), "CZ"),
    **dict.fromkeys(("Italy", "Italia", "IT"), "IT"),
    **dict.fromkeys(("Japan", "日本", "JP"), "JP"),
    **dict.fromkeys(("China", "中国", "CN"), "CN"),
    **dict.fromkeys(("Taiwan", "台灣", "TW"), "TW"),
    **dict.fromkeys(("South Korea", "대한민국", "Korea, Republic of", "KR"), "KR"),
    **dict.fromkeys(("Saudi Arabia", "السعودية", "SA"), "SA"),
    **dict.fromkeys(("Egypt", "مصر", "EG"), "EG"),
    **dict.fromkeys(("Israel", "ישראל", "IL"), "IL"),
    **dict.fromkeys(("Iran", "ایران", "IR"), "IR"),
    **dict.fromkeys(("Russia", "Россия", "RU"), "RU"),
    **dict.fromkeys(("Greece", "Ελλάδα", "GR"), "GR"),
    **dict.fromkeys(("India", "भारत", "IN"), "IN"),
    **dict.fromkeys(("Thailand", "ประเทศไทย", "TH"), "TH"),
    **dict.fromkeys(("Ukraine", "Україна", "UA"), "UA"),
    **dict.fromkeys(("Bulgaria", "България", "BG"), "BG"),
}

#: Akountify's length limits of the mapped text fields (akountify-api.md).
LIMITS = {
    "display_name": 100,
    "phone": 30,
    "line1": 500,
    "line2": 500,
    "city": 255,
    "postal_code": 30,
    "notes": 4000,
    "first_name": 100,
    "last_name": 100,
    "email": 100,
    "mobile": 30,
    "description": 4000,
}


class UnknownCountryError(KeyError):
    """A country spelling the table above does not know: extend the table."""


def clean(
    value: Any, *, multiline: bool = False, trim: bool = True, limit: int | None = None
) -> str | None:
    """Text as it must reach Akountify: NFC, no control characters, within the limit.

    Tab, line feed and carriage return survive only in multi-line fields; ``trim`` (the
    mapping's ``trim`` transform) strips surrounding white space and collapses each line's runs
    of white space into one space; a value cut at the limit loses its trailing spaces; an empty
    result is null.
    """
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value))
    if trim:
        text = "\n".join(" ".join(line.split()) for line in text.strip().splitlines())
    text = "".join(
        char
        for char in text
        if not (
            (unicodedata.category(char) == "Cc" or char in "\u2028\u2029")
            and not (multiline and char in "\t\n\r")
        )
    )
    text = text.strip() if trim else text
    if limit is not None and len(text) > limit:
        text = text[:limit].rstrip()
    return text or None


def country(value: Any) -> str | None:
    """The ISO code of a country as typed in Salesforce (None when empty)."""
    text = clean(value)
    if text is None:
        return None
    try:
        return COUNTRY_CODES[text]
    except KeyError as exc:
        raise UnknownCountryError(f"country spelling {text!r} unknown to tests/e2e") from exc


def street_lines(street: Any) -> tuple[str | None, str | None]:
    """Line 1 is the first non-empty line of a street, line 2 the others joined by ", "."""
    if street is None:
        return None, None
    lines = [line.strip() for line in str(street).splitlines() if line.strip()]
    if not lines:
        return None, None
    rest = ", ".join(lines[1:]) or None
    return clean(lines[0], limit=LIMITS["line1"]), clean(rest, limit=LIMITS["line2"])


def address(record: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    """A billing or shipping address from the compound's components (None when all empty)."""
    line1, line2 = street_lines(record.get(f"{prefix}Street"))
    parts = {
        "line1": line1,
        "line2": line2,
        "city": clean(record.get(f"{prefix}City"), limit=LIMITS["city"]),
        "region": clean(record.get(f"{prefix}State")),
        "postal_code": clean(record.get(f"{prefix}PostalCode"), limit=LIMITS["postal_code"]),
        "country": country(record.get(f"{prefix}Country")),
    }
    return parts if any(v is not None for v in parts.values()) else None


def expected_customer(account: dict[str, Any]) -> dict[str, Any]:
    """The customer of an Account: display name with ':' replaced by '-', addresses, tags."""
    name = clean(account["Name"])
    display_name = None if name is None else clean(name.replace(":", "-"), limit=100)
    industry = clean(account.get("Industry"))
    tags = [part.strip() for part in industry.split(";") if part.strip()] if industry else None
    return {
        "external_id": account["Id"],
        "external_source": "salesforce",
        "display_name": display_name,
        "phone": clean(account.get("Phone"), limit=LIMITS["phone"]),
        "website": clean(account.get("Website")),
        "billing_address": address(account, "Billing"),
        "shipping_address": address(account, "Shipping"),
        "tags": tags,
        "notes": clean(
            account.get("Description"), multiline=True, trim=False, limit=LIMITS["notes"]
        ),
        "currency": None,
    }


def expected_contact(contact: dict[str, Any]) -> dict[str, Any]:
    """The contact of a Contact, its customer referenced by the Account's id."""
    account_id = contact.get("AccountId")
    return {
        "external_id": contact["Id"],
        "external_source": "salesforce",
        "customer": {"external_id": account_id} if account_id else None,
        "first_name": clean(contact.get("FirstName"), limit=LIMITS["first_name"]),
        "last_name": clean(contact.get("LastName"), limit=LIMITS["last_name"]),
        "email": clean(contact.get("Email"), limit=LIMITS["email"]),
        "phone": clean(contact.get("Phone"), limit=LIMITS["phone"]),
        "mobile": clean(contact.get("MobilePhone"), limit=LIMITS["mobile"]),
        "title": clean(contact.get("Title")),
    }


def money(value: Any) -> str | None:
    """A Salesforce currency amount as Akountify renders it: exactly two places, half up."""
    if value is None:
        return None
    return str(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def expected_invoice(opportunity: dict[str, Any]) -> dict[str, Any]:
    """The invoice of a won Opportunity: one line of quantity 1 at the opportunity's amount."""
    amount = money(opportunity.get("Amount"))
    return {
        "external_id": opportunity["Id"],
        "external_source": "salesforce",
        "customer": {"external_id": opportunity["AccountId"]},
        "issue_date": opportunity.get("CloseDate"),
        "lines": [
            {
                "description": clean(opportunity.get("Name"), limit=LIMITS["description"]),
                "quantity": "1",
                "unit_price": amount,
                "amount": amount,
            }
        ],
        "total": amount,
        "memo": clean(opportunity.get("Description"), multiline=True, trim=False),
        "currency": None,
    }


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Field by field, what differs (references compare by external id only)."""
    found = []
    for name, want in expected.items():
        have = actual.get(name)
        if isinstance(want, dict) and set(want) == {"external_id"} and isinstance(have, dict):
            have = {"external_id": have.get("external_id")}
        if want != have:
            found.append(f"{name}: expected {want!r}, Akountify has {have!r}")
    return found
