"""Country and currency names in any language and script become ISO codes (or clear rejections)."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

import pytest

from target_akountify.mapping.codes import (
    COUNTRIES,
    CURRENCIES,
    country_code,
    resolve_country,
    resolve_currency,
)
from target_akountify.mapping.names import NameIndex, Resolution, folded_key, name_key

from .conftest import Api, record_message, run_target, schema_message, singer_lines
from .schemas import ACCOUNT_SCHEMA
from .test_behaviours import rejected_entries
from .test_sync import account

if TYPE_CHECKING:
    from collections.abc import Iterable

Config = dict[str, Any]

COUNTRY_NAMES = [
    ("대한민국", "KR"),
    ("台灣", "TW"),
    ("台湾", "TW"),
    ("ایران", "IR"),
    ("ישראל", "IL"),
    ("Ελλάδα", "GR"),
    ("Россия", "RU"),
    ("ประเทศไทย", "TH"),
    ("ไทย", "TH"),
    ("Deutschland", "DE"),
    ("España", "ES"),
    ("Espana", "ES"),
    ("Côte d'Ivoire", "CI"),
    ("Cote d Ivoire", "CI"),
    ("United States of America", "US"),
    ("USA", "US"),
    ("u.s.a.", "US"),
    ("UK", "GB"),
    ("The Netherlands", "NL"),
    ("Netherlands, The", "NL"),
    ("Republic of Korea", "KR"),
    ("Korea, Republic of", "KR"),
    ("Democratic Republic of the Congo", "CD"),
    ("Österreich", "AT"),
    ("OSTERREICH", "AT"),
    ("日本", "JP"),
    ("中国", "CN"),
    ("المملكة العربية السعودية", "SA"),
    ("भारत", "IN"),
    ("Éire", "IE"),
    ("Türkiye", "TR"),
    ("Turkey", "TR"),
    ("Magyarország", "HU"),
    ("Brasil", "BR"),
    ("DEU", "DE"),
    ("de", "DE"),
    ("  france ", "FR"),
]


@pytest.mark.parametrize(("text", "code"), COUNTRY_NAMES)
def test_country_names_in_any_script_become_alpha2(text: str, code: str) -> None:
    assert country_code(text) == code


@pytest.mark.parametrize("form", ["NFC", "NFD", "NFKC", "NFKD"])
def test_every_unicode_normal_form_of_a_name_is_recognised(form: str) -> None:
    for text in ("대한민국", "España", "Côte d'Ivoire", "Ελλάδα", "ประเทศไทย"):
        assert country_code(unicodedata.normalize(form, text)) is not None, (form, text)  # type: ignore[arg-type]


def test_ambiguous_and_unknown_country_names_resolve_to_no_code() -> None:
    assert resolve_country("Kongo") == Resolution(None, ("CD", "CG"))
    assert resolve_country("Atlantis") == Resolution(None)
    assert resolve_country("...") == Resolution(None)
    assert resolve_country("Congo") == Resolution("CG")  # English name wins over other tiers


def test_currency_names_symbols_and_ambiguity() -> None:
    assert resolve_currency("usd").code == "USD"
    assert resolve_currency("Euro").code == "EUR"
    assert resolve_currency("€").code == "EUR"
    assert resolve_currency("US-Dollar").code == "USD"  # German
    assert resolve_currency("dólar estadounidense").code == "USD"  # Spanish
    assert resolve_currency("₹").code == "INR"
    assert resolve_currency("złoty").code == "PLN"
    assert resolve_currency("$").candidates[:2] == ("AUD", "CAD")
    assert resolve_currency("¥") == Resolution(None, ("CNY", "JPY"))
    assert resolve_currency("doubloons") == Resolution(None)


def test_name_keys_fold_case_punctuation_the_and_accents() -> None:
    assert name_key("Bahamas, The") == name_key("the bahamas") == "bahamas"
    assert name_key("U.S.A.") == name_key("usa")
    assert name_key("R$") == "r$"  # currency symbols are kept
    assert name_key("Guinea-Bissau") == name_key("Guinea Bissau")
    assert folded_key(name_key("Ærø Ørsted Łódź")) == "aeroorstedlodz"
    assert name_key("   ") == ""


def _counting(calls: list[str], label: str, pairs: Iterable[tuple[str, str]]) -> Any:
    def source() -> Iterable[tuple[str, str]]:
        calls.append(label)
        return list(pairs)

    return source


def test_tiers_are_built_lazily_and_earlier_tiers_win() -> None:
    calls: list[str] = []
    index = NameIndex(
        [
            _counting(calls, "codes", [("AA", "AA"), ("Alpha", "AA")]),
            _counting(calls, "english", [("Beta", "BB"), ("Alpha", "BB")]),
            _counting(calls, "others", [("Gamma", "AA"), ("Gamma", "BB"), ("Beta", "AA")]),
        ]
    )
    assert index.tiers_built == 0
    assert index.resolve("alpha") == Resolution("AA")
    assert calls == ["codes"]
    assert index.resolve("BETA") == Resolution("BB")  # the later tier's "Beta" never counts
    assert calls == ["codes", "english"]
    assert index.resolve("gamma") == Resolution(None, ("AA", "BB"))
    assert index.resolve("delta") == Resolution(None)
    assert calls == ["codes", "english", "others"]  # each source read once


def test_codes_and_english_names_never_build_the_multilingual_tiers() -> None:
    fresh = NameIndex(COUNTRIES._sources)
    for text in ("US", "DEU", "United States", "Germany", "U.K.", "Viet Nam"):
        assert fresh.resolve(text).code is not None
    assert fresh.tiers_built == 2


def test_every_tier_builds_and_country_codes_and_aliases_are_never_ambiguous() -> None:
    COUNTRIES.build_all()
    CURRENCIES.build_all()
    assert COUNTRIES.tiers_built == CURRENCIES.tiers_built == 4
    tier = COUNTRIES._tier(0)
    assert not [k for k, r in tier.exact.items() if r.ambiguous]


def accounts(*records: dict[str, Any]) -> str:
    return singer_lines(
        schema_message("Account", ACCOUNT_SCHEMA), *(record_message("Account", r) for r in records)
    )


def test_countries_typed_in_any_language_land_as_iso_codes(target_config: Config, api: Api) -> None:
    names = ["대한민국", "台灣", "ایران", "ישראל", "Ελλάδα", "Россия", "ประเทศไทย", "Deutschland"]
    records = [account(n, BillingCountry=name) for n, name in enumerate(names, start=1)]
    result = run_target(target_config, accounts(*records))
    assert result.counts("Account")["created"] == len(names)
    assert result.counts("Account")["rejected"] == 0
    landed = api.by_external_id("customers")
    assert [landed[r["Id"]]["billing_address"]["country"] for r in records] == [
        "KR",
        "TW",
        "IR",
        "IL",
        "GR",
        "RU",
        "TH",
        "DE",
    ]


def test_ambiguous_and_unknown_countries_are_rejected_with_value_and_fix(
    target_config: Config, api: Api
) -> None:
    result = run_target(
        target_config,
        accounts(account(1, BillingCountry="Kongo"), account(2, ShippingCountry="Atlantis")),
    )
    assert result.counts("Account")["rejected"] == 2
    assert api.records("customers") == []
    entries = {e["external_id"]: e for e in rejected_entries(target_config, "Account")}
    ambiguous = entries["0010001"]["reasons"][0]
    assert ambiguous["field"] == "billing_address.country"
    assert "'Kongo' is ambiguous" in ambiguous["message"]
    assert "CD (Congo - Kinshasa)" in ambiguous["message"]
    assert "BillingCountry" in ambiguous["message"]
    assert "ISO 3166 code" in ambiguous["fix"]
    unknown = entries["0010002"]["reasons"][0]
    assert unknown["field"] == "shipping_address.country"
    assert "'Atlantis' is not a country name" in unknown["message"]
    assert "correct the country at the source" in unknown["fix"]
