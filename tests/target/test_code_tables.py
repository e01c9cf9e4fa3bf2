"""The shipped ISO code and English name tables equal what pycountry and Babel give."""

from __future__ import annotations

import json
import subprocess
import sys

from target_akountify.mapping import code_tables


def test_the_shipped_tables_equal_the_installed_libraries() -> None:
    live = code_tables.live_tables()
    assert code_tables.shipped_tables() == json.loads(code_tables.render(live))
    assert code_tables.main(["check"]) == 0
    assert len(live["countries"]) >= 249
    assert ["United States", "US"] in live["country_names"]
    assert ["Euro", "EUR"] in live["currency_names"]


def _probe(code: str) -> str:
    """Run ``code`` in a fresh interpreter (nothing imported yet); return what it printed."""
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return completed.stdout.strip()


def test_codes_and_english_names_resolve_without_loading_pycountry_or_babel() -> None:
    probe = (
        "import sys\n"
        "from target_akountify.mapping.codes import country_code, currency_code, "
        "is_country_code, is_currency_code\n"
        "assert country_code('United States') == 'US'\n"
        "assert country_code('DEU') == 'DE'\n"
        "assert country_code('Korea, Republic of') == 'KR'\n"
        "assert currency_code('Euro') == 'EUR'\n"
        "assert is_country_code('FR') and is_currency_code('JPY')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'pycountry', 'babel'}))\n"
    )
    assert _probe(probe) == "[]"


def test_a_name_beyond_english_still_reaches_the_libraries() -> None:
    probe = (
        "import sys\n"
        "from target_akountify.mapping.codes import country_code\n"
        "assert country_code('Deutschland') == 'DE'\n"
        "print('babel' in sys.modules)\n"
    )
    assert _probe(probe) == "True"
