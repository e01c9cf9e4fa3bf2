"""The ISO code lists and English names, shipped as a table generated from pycountry and Babel.

Nearly every value a mapping resolves is an ISO code or an English name ("US", "United
States", "USD", "Euro"). Building those two tiers from the libraries costs about 0.1 s at the
first value of a run (importing pycountry and its database, unpickling the CLDR data of the
130 English locales Babel ships) on the path of the first records. The tables below are that
data, computed once from the installed libraries and shipped as ``code_tables.json``; the
test suite checks that the file still equals what the libraries give (regenerate it with
``python -m target_akountify.mapping.code_tables write`` after upgrading either). The other
tiers (every locale's CLDR names, pycountry's translations) are still built from the libraries,
when a value first needs them.

The file holds, sorted so that it diffs well:

* ``countries``: every ISO 3166-1 alpha-2 code and its alpha-3 code;
* ``country_names``: (English name, alpha-2) pairs: pycountry's names, official and common
  names, also reordered ("Korea, Republic of" → "Republic of Korea"), and the territory names
  of every English CLDR locale;
* ``currencies``: every ISO 4217 code;
* ``currency_names``: (English name or symbol, code) pairs: pycountry's names and the currency
  names, symbols and plural forms of every English CLDR locale.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

TABLE_PATH = Path(__file__).with_name("code_tables.json")


@cache
def shipped_tables() -> dict[str, Any]:
    """The tables shipped with the package (read once)."""
    tables: dict[str, Any] = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
    return tables


def live_tables() -> dict[str, Any]:
    """The same tables computed from the installed pycountry and Babel."""
    from target_akountify.mapping import codes  # noqa: PLC0415 - codes uses this module

    pycountry = codes.pycountry_module()
    english = codes.english_locales()
    countries = {country.alpha_2: country.alpha_3 for country in pycountry.countries}
    currencies = frozenset(currency.alpha_3 for currency in pycountry.currencies)
    country_names = {
        (name, country.alpha_2)
        for country in pycountry.countries
        for name in codes.country_names_of(country)
    }
    known_countries = frozenset(countries)
    country_names |= codes.cldr_pairs(
        english, lambda data: codes.territory_names(data, known_countries)
    )
    currency_names = {(currency.name, currency.alpha_3) for currency in pycountry.currencies}
    currency_names |= codes.cldr_pairs(english, lambda data: codes.currency_names(data, currencies))
    return {
        "countries": dict(sorted(countries.items())),
        "country_names": sorted([name, code] for name, code in country_names),
        "currencies": sorted(currencies),
        "currency_names": sorted([name, code] for name, code in currency_names),
    }


def render(tables: dict[str, Any]) -> str:
    """The file's text: one pair per line, so that a library upgrade diffs readably."""
    lines = ["{"]
    keys = list(tables)
    for position, key in enumerate(keys):
        value = tables[key]
        lines.append(f"  {json.dumps(key)}: " + ("[" if isinstance(value, list) else "{"))
        if isinstance(value, dict):
            items = [f"    {json.dumps(k)}: {json.dumps(v)}" for k, v in value.items()]
        else:
            items = [f"    {json.dumps(item, ensure_ascii=False)}" for item in value]
        lines.append(",\n".join(items))
        closing = "]" if isinstance(value, list) else "}"
        lines.append(f"  {closing}" + ("," if position < len(keys) - 1 else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``write`` regenerates the shipped file; ``check`` exits 1 when it is out of date."""
    command = (argv if argv is not None else sys.argv[1:]) or ["check"]
    text = render(live_tables())
    if command == ["write"]:
        TABLE_PATH.write_text(text, encoding="utf-8")
        return 0
    if command == ["check"]:
        current = TABLE_PATH.read_text(encoding="utf-8") if TABLE_PATH.exists() else ""
        if current != text:
            sys.stderr.write(
                f"{TABLE_PATH.name} differs from the installed pycountry/Babel: run "
                "python -m target_akountify.mapping.code_tables write\n"
            )
            return 1
        return 0
    sys.stderr.write("usage: python -m target_akountify.mapping.code_tables [write|check]\n")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
