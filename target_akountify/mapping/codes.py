"""ISO country and currency codes from the names people type ("USA", "Deutschland", "euro").

Backed by pycountry: its ISO 3166 and ISO 4217 tables and their translations. Lookups ignore
case, accents, punctuation and spacing, so "U.S.", "united states" and "UNITED STATES" agree.
"""

from __future__ import annotations

import gettext
import unicodedata
from functools import cache, lru_cache

import pycountry

#: Languages whose country names are recognised, besides English.
COUNTRY_NAME_LANGUAGES: tuple[str, ...] = (
    "de",
    "fr",
    "es",
    "it",
    "nl",
    "pt",
    "pt_BR",
    "sv",
    "da",
    "nb",
    "fi",
    "pl",
    "cs",
    "hu",
    "tr",
    "ru",
    "ja",
    "zh_CN",
)

#: Everyday names and abbreviations that ISO tables do not carry.
COUNTRY_ALIASES: dict[str, str] = {
    "US": "US",
    "USA": "US",
    "U.S.": "US",
    "U.S.A.": "US",
    "America": "US",
    "United States of America": "US",
    "UK": "GB",
    "U.K.": "GB",
    "Great Britain": "GB",
    "Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "Holland": "NL",
    "The Netherlands": "NL",
    "South Korea": "KR",
    "Korea": "KR",
    "North Korea": "KP",
    "Russia": "RU",
    "Czech Republic": "CZ",
    "Czechia": "CZ",
    "Ivory Coast": "CI",
    "Vietnam": "VN",
    "Laos": "LA",
    "Syria": "SY",
    "Iran": "IR",
    "Bolivia": "BO",
    "Venezuela": "VE",
    "Tanzania": "TZ",
    "Moldova": "MD",
    "Macedonia": "MK",
    "Swaziland": "SZ",
    "Burma": "MM",
    "Turkey": "TR",
    "UAE": "AE",
    "U.A.E.": "AE",
    "Emirates": "AE",
    "Vatican": "VA",
    "Palestine": "PS",
    "Taiwan": "TW",
    "Hong Kong": "HK",
    "Macau": "MO",
    "Cape Verde": "CV",
    "East Timor": "TL",
    "Brunei": "BN",
    "Micronesia": "FM",
    "Saint Martin": "MF",
    "Sint Maarten": "SX",
}

#: Currency symbols and names that are unambiguous enough to accept.
CURRENCY_ALIASES: dict[str, str] = {
    "€": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "£": "GBP",
    "pound sterling": "GBP",
    "¥": "JPY",
    "yen": "JPY",
    "us dollar": "USD",
    "us dollars": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "swiss franc": "CHF",
}


def _key(text: str) -> str:
    """Reduce a name to its lookup key: casefolded, no accents, no punctuation, one space."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(
        c for c in folded if not unicodedata.combining(c) and unicodedata.category(c)[0] != "P"
    )
    return " ".join(kept.split())


_NAME_ATTRIBUTES = ("name", "common_name", "official_name")


def _english_names() -> list[tuple[str, str]]:
    """Return (name, alpha-2) for every code, English name and alias."""
    pairs: list[tuple[str, str]] = []
    for country in pycountry.countries:
        code = country.alpha_2
        pairs.extend([(code, code), (country.alpha_3, code)])
        pairs.extend((name, code) for a in _NAME_ATTRIBUTES if (name := getattr(country, a, None)))
    pairs.extend(COUNTRY_ALIASES.items())
    return pairs


def _translated_names(language: str) -> list[tuple[str, str]]:
    """Return (translated name, alpha-2) pairs for one language (empty if not shipped)."""
    try:
        translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return []
    return [
        (translation.gettext(name), country.alpha_2)
        for country in pycountry.countries
        for a in _NAME_ATTRIBUTES
        if (name := getattr(country, a, None))
    ]


@cache
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    pairs = _english_names()
    for language in COUNTRY_NAME_LANGUAGES:
        pairs.extend(_translated_names(language))
    for name, code in pairs:
        index.setdefault(_key(name), code)
    return index


@lru_cache(maxsize=4096)
def country_code(value: str) -> str | None:
    """Return the ISO 3166-1 alpha-2 code for a country name or code, or None if unknown.

    Args:
        value: "United States", "USA", "U.S.", "us", "Deutschland", "Allemagne", "DEU"…

    Returns:
        The upper-case alpha-2 code, or None when the text names no country.
    """
    return _country_index().get(_key(value))


@cache
def _currency_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for currency in pycountry.currencies:
        index.setdefault(_key(currency.alpha_3), currency.alpha_3)
        index.setdefault(_key(currency.name), currency.alpha_3)
    for alias, code in CURRENCY_ALIASES.items():
        index.setdefault(_key(alias) or alias, code)
    return index


@lru_cache(maxsize=1024)
def currency_code(value: str) -> str | None:
    """Return the ISO 4217 code for a currency code, name or symbol, or None if unknown.

    Args:
        value: "usd", "EUR", "Euro", "€", "Pound Sterling"…

    Returns:
        The upper-case three-letter code, or None.
    """
    stripped = value.strip()
    return _currency_index().get(_key(stripped) or stripped)


@cache
def _country_codes() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def _currency_codes() -> frozenset[str]:
    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


def is_country_code(value: str) -> bool:
    """Return True when ``value`` is an assigned ISO 3166-1 alpha-2 code (upper case)."""
    return value in _country_codes()


def is_currency_code(value: str) -> bool:
    """Return True when ``value`` is an ISO 4217 code (upper case)."""
    return value in _currency_codes()
