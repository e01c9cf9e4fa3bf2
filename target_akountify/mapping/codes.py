"""ISO country and currency codes from the names people type, in any language or script.

Salesforce orgs hold free-text country names ("USA", "Deutschland", "대한민국", "Россия",
"ประเทศไทย") and sometimes currency names ("Euro", "US-Dollar", "₹"). Names are resolved
through :class:`~target_akountify.mapping.names.NameIndex` (normalized keys, ambiguity kept,
tiers built lazily), from well-kept tables:

* tier 0: ISO codes (alpha-2, alpha-3; ISO 4217) and the curated aliases below;
* tier 1: English names: pycountry's names, official and common names (also reordered,
  "Korea, Republic of" → "Republic of Korea") and the English CLDR names shipped by Babel;
  tiers 0 and 1 are read from the table generated from these libraries (``code_tables``);
* tier 2: the CLDR names of every locale Babel ships (territory names; currency names,
  plural forms and symbols);
* tier 3: pycountry's translations (iso-codes) in every language it ships.

A name two codes share within its tier ("Kongo", "$") is ambiguous: it resolves to no code and
the record is rejected naming the candidates. Results are cached per distinct value, so the
record path pays one dictionary read for a value seen before.

pycountry and Babel are imported only when a value misses the first two tiers: a run whose
values are ISO codes or English names never loads them (nor opens the CLDR or translation
tables), and a run pays for the tiers its values reach.
"""

from __future__ import annotations

import gettext
import pickle
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from target_akountify.mapping.code_tables import shipped_tables
from target_akountify.mapping.names import NameIndex, Resolution

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from types import ModuleType

#: Everyday names and abbreviations that the ISO and CLDR tables do not carry.
COUNTRY_ALIASES: dict[str, str] = {
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
    "South Korea": "KR",
    "Korea": "KR",
    "North Korea": "KP",
    "Russia": "RU",
    "Czech Republic": "CZ",
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
}

#: Words meaning "country" that prefix or suffix a name in scripts written without spaces
#: (Thai "ประเทศไทย" is "country Thailand"); tried only when the whole name is unknown.
COUNTRY_WORDS: tuple[str, ...] = ("ประเทศ", "ປະເທດ", "ប្រទេស", "နိုင်ငံ")

#: Currency symbols and names that are unambiguous enough to accept.
CURRENCY_ALIASES: dict[str, str] = {
    "€": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "£": "GBP",
    "pound sterling": "GBP",
    "yen": "JPY",
    "yuan": "CNY",
    "renminbi": "CNY",
    "RMB": "CNY",
    "US$": "USD",
    "us dollar": "USD",
    "us dollars": "USD",
    "swiss franc": "CHF",
    "swiss francs": "CHF",
}

#: Symbols and names several currencies use: they are rejected, naming the candidates.
CURRENCY_AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "$": ("USD", "CAD", "AUD", "NZD", "MXN", "SGD", "HKD"),
    "dollar": ("USD", "CAD", "AUD", "NZD", "SGD", "HKD"),
    "dollars": ("USD", "CAD", "AUD", "NZD", "SGD", "HKD"),
    "¥": ("JPY", "CNY"),
    "kr": ("SEK", "NOK", "DKK", "ISK"),
    "krone": ("NOK", "DKK"),
    "franc": ("CHF", "XOF", "XAF"),
    "francs": ("CHF", "XOF", "XAF"),
    "peso": ("MXN", "ARS", "CLP", "COP", "PHP", "UYU"),
    "pesos": ("MXN", "ARS", "CLP", "COP", "PHP", "UYU"),
    "pound": ("GBP", "EGP"),
    "pounds": ("GBP", "EGP"),
    "rupee": ("INR", "PKR", "LKR", "NPR"),
    "rupees": ("INR", "PKR", "LKR", "NPR"),
}

_NAME_ATTRIBUTES = ("name", "common_name", "official_name")
_ENGLISH = "en"


# ---------------------------------------------------------------------- shared sources


@cache
def pycountry_module() -> ModuleType:
    """Return pycountry, imported on first use (its databases load lazily after that)."""
    import pycountry  # noqa: PLC0415 - deferred: only mappings with codes need it

    return pycountry


@cache
def _localedata() -> ModuleType:
    """Return ``babel.localedata``, imported on first use."""
    from babel import localedata  # noqa: PLC0415 - deferred: only mappings with codes need it

    return localedata


@cache
def _country_codes() -> frozenset[str]:
    return frozenset(shipped_tables()["countries"])


@cache
def _currency_codes() -> frozenset[str]:
    return frozenset(shipped_tables()["currencies"])


def _locale_data(identifier: str) -> dict[str, Any]:
    """Read one locale's own CLDR data from Babel's file, without Babel's cache.

    ``babel.localedata.load`` keeps every locale loaded for the life of the process (about
    150 MB for all of them); only one or two tables are needed here, once.
    """
    path = Path(_localedata().resolve_locale_filename(identifier))
    with path.open("rb") as handle:
        data: dict[str, Any] = pickle.load(handle)  # noqa: S301 - Babel's own package data
    return data


def territory_names(
    data: dict[str, Any], known: frozenset[str] | None = None
) -> Iterator[tuple[str, str]]:
    """Yield (name, alpha-2) for each country a locale's CLDR data names.

    Args:
        data: The locale's CLDR data.
        known: The alpha-2 codes to keep (default: the shipped ISO list).
    """
    codes = known if known is not None else _country_codes()
    for code, name in data.get("territories", {}).items():
        if code in codes and isinstance(name, str):
            yield name, code


def currency_names(
    data: dict[str, Any], known: frozenset[str] | None = None
) -> Iterator[tuple[str, str]]:
    """Yield (name or symbol, code) for each currency a locale's CLDR data names.

    Args:
        data: The locale's CLDR data.
        known: The ISO 4217 codes to keep (default: the shipped ISO list).
    """
    codes = known if known is not None else _currency_codes()
    for table in ("currency_names", "currency_symbols"):
        for code, name in data.get(table, {}).items():
            if code in codes and isinstance(name, str) and name != code:
                yield name, code
    for code, forms in data.get("currency_names_plural", {}).items():
        if code in codes and isinstance(forms, dict):
            yield from ((name, code) for name in forms.values() if isinstance(name, str))


def cldr_pairs(
    identifiers: Iterable[str], extract: Callable[[dict[str, Any]], Iterable[tuple[str, str]]]
) -> set[tuple[str, str]]:
    """Return the distinct (name, code) pairs ``extract`` finds in the locales' CLDR data."""
    pairs: set[tuple[str, str]] = set()
    for identifier in identifiers:
        pairs.update(extract(_locale_data(identifier)))
    return pairs


def english_locales() -> list[str]:
    """``en`` and its regional variants."""
    return [
        i
        for i in _localedata().locale_identifiers()
        if i == _ENGLISH or i.startswith(f"{_ENGLISH}_")
    ]


def _all_locales() -> list[str]:
    """Every locale Babel ships (the root too)."""
    return ["root", *_localedata().locale_identifiers()]


def _pycountry_translations(domain: str) -> Iterator[gettext.NullTranslations]:
    """Yield pycountry's translation catalogue of ``domain`` for every language it ships."""
    root = Path(pycountry_module().LOCALES_DIR)
    for catalogue in sorted(root.glob(f"*/LC_MESSAGES/{domain}.mo")):
        with catalogue.open("rb") as handle:
            yield gettext.GNUTranslations(handle)


# ---------------------------------------------------------------------- countries


def _reordered(name: str) -> str | None:
    """Return "Republic of Korea" for "Korea, Republic of" (None for a name without comma)."""
    head, comma, tail = name.partition(", ")
    return f"{tail} {head}" if comma else None


def country_names_of(country: Any) -> Iterator[str]:
    """Yield a pycountry country's names (name, common, official; also reordered)."""
    for attribute in _NAME_ATTRIBUTES:
        name = getattr(country, attribute, None)
        if name:
            yield name
            if (reordered := _reordered(name)) is not None:
                yield reordered


def _country_tier_codes() -> Iterator[tuple[str, str]]:
    for alpha_2, alpha_3 in shipped_tables()["countries"].items():
        yield alpha_2, alpha_2
        yield alpha_3, alpha_2
    yield from COUNTRY_ALIASES.items()


def _country_tier_english() -> Iterator[tuple[str, str]]:
    """Pycountry's English names and the English CLDR names (shipped: see ``code_tables``)."""
    yield from ((name, code) for name, code in shipped_tables()["country_names"])


def _country_tier_cldr() -> Iterable[tuple[str, str]]:
    return cldr_pairs(_all_locales(), territory_names)


def _country_tier_translations() -> set[tuple[str, str]]:
    english = [
        (name, country.alpha_2)
        for country in pycountry_module().countries
        for attribute in _NAME_ATTRIBUTES
        if (name := getattr(country, attribute, None))
    ]
    return {
        (translation.gettext(name), code)
        for translation in _pycountry_translations("iso3166-1")
        for name, code in english
    }


COUNTRIES = NameIndex(
    [
        _country_tier_codes,
        _country_tier_english,
        _country_tier_cldr,
        _country_tier_translations,
    ]
)


@lru_cache(maxsize=8192)
def resolve_country(value: str) -> Resolution:
    """Resolve a country name or code typed in any language.

    Args:
        value: "United States", "USA", "U.S.", "us", "Deutschland", "대한민국", "DEU"…

    Returns:
        The alpha-2 code, or the candidates of an ambiguous name, or neither (unknown).
    """
    found = COUNTRIES.resolve(value)
    if found.code is not None or found.ambiguous:
        return found
    for word in COUNTRY_WORDS:
        stripped = value.strip().removeprefix(word).removesuffix(word)
        if stripped != value.strip() and stripped:
            return COUNTRIES.resolve(stripped)
    return found


def country_code(value: str) -> str | None:
    """Return the ISO 3166-1 alpha-2 code for a country name or code, or None.

    None means unknown or ambiguous (see :func:`resolve_country` for the candidates).
    """
    return resolve_country(value).code


@cache
def _english_labels() -> dict[str, str]:
    return {str(k): str(v) for k, v in _locale_data(_ENGLISH).get("territories", {}).items()}


def country_label(code: str) -> str:
    """Return the English name of an alpha-2 code ("CD" → "Congo - Kinshasa")."""
    return _english_labels().get(code, code)


# ---------------------------------------------------------------------- currencies


def _currency_tier_codes() -> Iterator[tuple[str, str]]:
    for code in _currency_codes():
        yield code, code
    yield from CURRENCY_ALIASES.items()
    for name, codes in CURRENCY_AMBIGUOUS.items():
        yield from ((name, code) for code in codes)


def _currency_tier_english() -> Iterator[tuple[str, str]]:
    """Pycountry's English names and the English CLDR names (shipped: see ``code_tables``)."""
    yield from ((name, code) for name, code in shipped_tables()["currency_names"])


def _currency_tier_cldr() -> Iterable[tuple[str, str]]:
    return cldr_pairs(_all_locales(), currency_names)


def _currency_tier_translations() -> set[tuple[str, str]]:
    return {
        (translation.gettext(currency.name), currency.alpha_3)
        for translation in _pycountry_translations("iso4217")
        for currency in pycountry_module().currencies
    }


CURRENCIES = NameIndex(
    [
        _currency_tier_codes,
        _currency_tier_english,
        _currency_tier_cldr,
        _currency_tier_translations,
    ]
)


@lru_cache(maxsize=1024)
def resolve_currency(value: str) -> Resolution:
    """Resolve a currency code, name (any language) or symbol.

    Args:
        value: "usd", "EUR", "Euro", "€", "US-Dollar", "₹"…

    Returns:
        The ISO 4217 code, or the candidates of an ambiguous name ("$"), or neither.
    """
    return CURRENCIES.resolve(value)


def currency_code(value: str) -> str | None:
    """Return the ISO 4217 code for a currency code, name or symbol, or None.

    None means unknown or ambiguous (see :func:`resolve_currency` for the candidates).
    """
    return resolve_currency(value).code


# ---------------------------------------------------------------------- code checks


def is_country_code(value: str) -> bool:
    """Return True when ``value`` is an assigned ISO 3166-1 alpha-2 code (upper case)."""
    return value in _country_codes()


def is_currency_code(value: str) -> bool:
    """Return True when ``value`` is an ISO 4217 code (upper case)."""
    return value in _currency_codes()
