"""Values the seed combines: Faker pools drawn once per run, word lists, unique names.

Faker is slow per call and a million-account seed needs tens of millions of values, so each
kind of value (surnames, streets, phone numbers …) is drawn from a seeded Faker a few hundred
times per locale, and the seed combines those pools with a seeded ``random.Random``. Company
names are built from three pools (surname x business word x legal form) through a bijection,
so that base names are unique and duplicates appear only where the seed puts them on purpose.
"""

# ruff: noqa: RUF001 - names in many scripts are the point of these pools
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from math import gcd
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from faker import Faker


@dataclass(frozen=True)
class NameFamily:
    """Company names of one language: surnames or towns, business words, legal forms.

    Attributes:
        locales: Faker locales whose surnames and towns make the first part.
        words: Business words in that language.
        forms: Legal forms in that language.
        joiner: What separates the parts (nothing in Chinese and Japanese).
    """

    locales: tuple[str, ...]
    words: tuple[str, ...]
    forms: tuple[str, ...]
    joiner: str = " "


_ENGLISH_WORDS = (
    "Logistics", "Analytics", "Foods", "Partners", "Systems", "Holdings", "Labs", "Energy",
    "Media", "Consulting", "Industries", "Supply", "Health", "Capital", "Robotics", "Textiles",
    "Builders", "Outfitters", "Software", "Freight", "Pharmaceuticals", "Hospitality", "Motors",
    "Instruments", "Packaging", "Dairy", "Aerospace", "Networks", "Brewing", "Studios",
    "Ventures", "Marine", "Mining", "Security", "Solar", "Telecom", "Timber", "Travel", "Water",
)  # fmt: skip

#: Name families of each script group.
SCRIPT_GROUPS: dict[str, tuple[NameFamily, ...]] = {
    "latin": (
        NameFamily(("en_US", "en_GB", "en_AU"), _ENGLISH_WORDS,
                   ("Inc.", "LLC", "Ltd", "Corp.", "Co.", "Group", "PLC", "& Sons")),
        NameFamily(("nl_NL",), _ENGLISH_WORDS, ("B.V.", "N.V.")),
    ),
    "accented": (
        NameFamily(("fr_FR",), ("Électricité", "Brasserie", "Pâtisserie", "Énergies", "Café",
                                "Bâtiment", "Télécom"), ("SA", "SARL", "SAS")),
        NameFamily(("de_DE",), ("Bäckerei", "Kühltechnik", "Maßanfertigung", "Fahrzeugbau",
                                "Lebensmittel", "Gebäudereinigung"), ("GmbH", "AG", "KG")),
        NameFamily(("es_ES",), ("Logística", "Ingeniería", "Distribución", "Tecnologías",
                                "Construcción"), ("S.L.", "S.A.")),
        NameFamily(("pl_PL",), ("Górnictwo", "Usługi", "Budownictwo", "Spożywcze"),
                   ("Sp. z o.o.", "S.A.")),
        NameFamily(("pt_BR",), ("Construções", "Comércio", "Alimentação", "Serviços"),
                   ("Ltda.", "S.A.")),
        NameFamily(("sv_SE",), ("Förvaltning", "Åkeri", "Bygg", "Fastigheter"), ("AB",)),
        NameFamily(("cs_CZ",), ("Přeprava", "Stavebniny", "Strojírna"), ("s.r.o.", "a.s.")),
        NameFamily(("it_IT",), ("Costruzioni", "Caffè", "Società Agricola"), ("S.p.A.", "S.r.l.")),
    ),
    "cjk": (
        NameFamily(("ja_JP",), ("商事", "産業", "物産", "工業", "電機", "建設", "製薬", "物流"),
                   ("株式会社", "合同会社"), ""),
        NameFamily(("zh_CN", "zh_TW"), ("科技", "贸易", "电子", "食品", "物流", "建设"),
                   ("有限公司", "集团"), ""),
        NameFamily(("ko_KR",), ("무역", "전자", "건설", "식품", "물산"), ("주식회사",)),
    ),
    "rtl": (
        NameFamily(("ar_SA", "ar_EG"), ("للتجارة", "للمقاولات", "للتقنية", "للأغذية", "لوجستيات"),
                   ("ش.م.م", "المحدودة")),
        NameFamily(("he_IL",), ("תעשיות", "סחר", "טכנולוגיות", "מזון"), ('בע"מ',)),
        NameFamily(("fa_IR",), ("بازرگانی", "صنایع", "فناوری"), ("گروه", "شرکت")),
    ),
    "other_script": (
        NameFamily(("ru_RU",), ("Логистика", "Торговля", "Технологии", "Строй"), ("ООО", "АО")),
        NameFamily(("uk_UA",), ("Будівництво", "Торгівля"), ("ТОВ",)),
        NameFamily(("el_GR",), ("Εμπόριο", "Τεχνική", "Κατασκευές"), ("Α.Ε.", "Ε.Π.Ε.")),
        NameFamily(("hi_IN",), ("उद्योग", "व्यापार", "टेक्नोलॉजीज"), ("प्राइवेट लिमिटेड",)),
        NameFamily(("th_TH",), ("การค้า", "เทคโนโลยี", "ก่อสร้าง"), ("จำกัด",)),
        NameFamily(("bg_BG",), ("Търговия", "Строителство"), ("ЕООД", "АД")),
    ),
}  # fmt: skip

#: Locales whose addresses carry a state or region.
STATE_LOCALES = frozenset(
    {"en_US", "en_AU", "de_DE", "es_ES", "pt_BR", "it_IT", "cs_CZ", "sv_SE", "hi_IN", "fa_IR"}
)

#: How each locale writes its country, several ways, as people type it into Salesforce.
COUNTRY_SPELLINGS: dict[str, tuple[str, ...]] = {
    "en_US": ("United States", "USA", "US", "U.S.A.", "United States of America"),
    "en_GB": ("United Kingdom", "UK", "GB", "England", "Great Britain"),
    "en_AU": ("Australia", "AU"),
    "nl_NL": ("Netherlands", "The Netherlands", "Nederland", "NL"),
    "fr_FR": ("France", "FR", "République française"),
    "de_DE": ("Germany", "Deutschland", "DE"),
    "es_ES": ("Spain", "España", "ES"),
    "pl_PL": ("Poland", "Polska", "PL"),
    "pt_BR": ("Brazil", "Brasil", "BR"),
    "sv_SE": ("Sweden", "Sverige", "SE"),
    "cs_CZ": ("Czech Republic", "Czechia", "Česko", "CZ"),
    "it_IT": ("Italy", "Italia", "IT"),
    "ja_JP": ("Japan", "日本", "JP"),
    "zh_CN": ("China", "中国", "CN"),
    "zh_TW": ("Taiwan", "台灣", "TW"),
    "ko_KR": ("South Korea", "대한민국", "Korea, Republic of", "KR"),
    "ar_SA": ("Saudi Arabia", "السعودية", "SA"),
    "ar_EG": ("Egypt", "مصر", "EG"),
    "he_IL": ("Israel", "ישראל", "IL"),
    "fa_IR": ("Iran", "ایران", "IR"),
    "ru_RU": ("Russia", "Россия", "RU"),
    "el_GR": ("Greece", "Ελλάδα", "GR"),
    "hi_IN": ("India", "भारत", "IN"),
    "th_TH": ("Thailand", "ประเทศไทย", "TH"),
    "uk_UA": ("Ukraine", "Україна", "UA"),
    "bg_BG": ("Bulgaria", "България", "BG"),
}

EMOJI = ("🚀", "✨", "🍕", "🌍", "💼", "🔧", "☕", "🎉", "🏗️", "👩‍💻", "🇫🇷", "❤️")
#: Characters that break strict text validators: tab, vertical tab, zero-width space, BEL,
#: non-breaking space, DEL, a lone carriage return.
CONTROL_CHARACTERS = ("\t", "\x0b", "\u200b", "\x07", "\u00a0", "\x7f", "\r")
#: Text that naive CSV or JSON handling turns into null.
NULL_LOOKING_TEXT = ("NA", "N/A", "None", "null", "NULL", "nil", "-", "n/a")
#: Real surnames that naive code takes for null.
NULL_LOOKING_SURNAMES = ("Null", "None", "Na", "Nil", "Blank", "Void")
#: Addresses Salesforce accepts but strict email validators refuse.
INVALID_EMAIL_TEMPLATES = (
    "{first}..{last}@{domain}",
    "{first}.{last}@{host}_{tld}.com",
    "{first}@-{domain}",
    "{first}.{last}.@{domain}",
    "{first}@{host}-.{tld}",
    ".{first}@{domain}",
)
JOB_TITLES = (
    "CEO", "CFO", "Controller", "Accounts Payable Clerk", "Head of Finance", "Buyer",
    "Procurement Manager", "Office Manager", "VP Sales", "Operations Director", "Bookkeeper",
    "Treasurer", "Finance Assistant", "IT Manager", "Founder", "Managing Director",
)  # fmt: skip
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example", "corp.example")


@dataclass
class LocalePool:
    """Values drawn from one Faker locale."""

    locale: str
    first_names: list[str]
    last_names: list[str]
    streets: list[str]
    cities: list[str]
    states: list[str | None]
    postcodes: list[str]
    phones: list[str]
    countries: tuple[str, ...]


@dataclass
class Pools:
    """Every value pool of one seed run."""

    locales: dict[str, LocalePool]
    groups: dict[str, list[str]]
    paragraphs: list[str]
    sentences: list[str]
    words: list[str]
    catch_phrases: list[str]
    product_words: list[str]
    name_makers: dict[str, list[UniqueNames]] = field(default_factory=dict)


def _distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


#: Faker provider lists built from a set, so ordered by the process's string hash seed
#: (``PYTHONHASHSEED``): drawn from as they are, the same seed would give other values in
#: another process. They are sorted before drawing.
HASH_ORDERED_PROVIDER_LISTS = ("cities",)


def _stable_provider_lists(faker: Faker) -> None:
    """Sort the provider lists whose order depends on the hash seed (see above)."""
    for provider in faker.get_providers():
        for name in HASH_ORDERED_PROVIDER_LISTS:
            values = getattr(provider, name, None)
            if isinstance(values, list):
                setattr(provider, name, sorted(values))


def _locale_pool(faker: Faker, locale: str, size: int) -> LocalePool:
    def draw(method: str, count: int) -> list[str]:
        provider = getattr(faker, method, None)
        if provider is None:
            return []
        return _distinct([str(provider()) for _ in range(count)])

    states: list[str | None] = [None]
    if locale in STATE_LOCALES:
        states = list(draw("state", size // 4)) or [None]
    streets = [street.replace("\n", " ") for street in draw("street_address", size)]
    return LocalePool(
        locale=locale,
        first_names=draw("first_name", size),
        last_names=draw("last_name", size),
        streets=streets,
        cities=draw("city", size),
        states=states,
        postcodes=draw("postcode", size),
        phones=draw("phone_number", size),
        countries=COUNTRY_SPELLINGS[locale],
    )


def build_pools(seed: int, size: int = 250) -> Pools:
    """Draw every pool from Faker, seeded: the same seed gives the same pools.

    Args:
        seed: The seed of the run.
        size: Values drawn per kind and locale.

    Returns:
        The pools.
    """
    from faker import Faker  # noqa: PLC0415 - Faker takes a while to import

    locales: dict[str, LocalePool] = {}
    groups: dict[str, list[str]] = {}
    pools_makers: dict[str, list[UniqueNames]] = {}
    for group, families in SCRIPT_GROUPS.items():
        groups[group] = [locale for family in families for locale in family.locales]
        for family in families:
            for locale in family.locales:
                faker = Faker(locale)
                _stable_provider_lists(faker)
                faker.seed_instance(seed * 1000 + len(locales))
                locales[locale] = _locale_pool(faker, locale, size)
        pools_makers[group] = [
            UniqueNames(family, _name_stems(family, locales, group), seed) for family in families
        ]
    english = Faker("en_US")
    english.seed_instance(seed * 1000 + 999)
    return Pools(
        locales=locales,
        groups=groups,
        paragraphs=[english.paragraph(nb_sentences=6) for _ in range(size)],
        sentences=[english.sentence(nb_words=10) for _ in range(size)],
        words=_distinct([english.word() for _ in range(size * 2)]),
        catch_phrases=[english.catch_phrase() for _ in range(size)],
        product_words=_distinct([english.word().capitalize() for _ in range(size)]),
        name_makers=pools_makers,
    )


def _name_stems(family: NameFamily, locales: dict[str, LocalePool], group: str) -> list[str]:
    """Surnames and towns of a family's locales (in its own script outside Latin groups)."""
    stems = [
        stem
        for locale in family.locales
        for stem in (*locales[locale].last_names, *locales[locale].cities)
    ]
    if group not in {"latin", "accented"}:
        stems = [stem for stem in stems if not stem.isascii()]
    return _distinct(stems)


class UniqueNames:
    """Company names of one family, all different until the family's name space runs out.

    Name number ``k`` is decomposed in mixed radix (stem, word, legal form) after an affine
    scramble of ``k`` modulo the size of the space, which is a bijection, so the first
    ``size`` names are distinct.
    """

    def __init__(self, family: NameFamily, stems: list[str], seed: int) -> None:
        """Prepare the name space of ``family`` with its stems (surnames and towns)."""
        self.family = family
        self.stems = stems
        self.size = len(stems) * len(family.words) * len(family.forms)
        multiplier = 7_919 + 2 * seed
        while gcd(multiplier, self.size) != 1:
            multiplier += 1
        self._multiplier = multiplier
        self._offset = seed * 104_729 % self.size

    def name(self, number: int) -> str:
        """Name number ``number`` of the family (distinct for numbers below :attr:`size`)."""
        scrambled = (number * self._multiplier + self._offset) % self.size
        scrambled, stem = divmod(scrambled, len(self.stems))
        form, word = divmod(scrambled, len(self.family.words))
        joiner = self.family.joiner
        return joiner.join((self.stems[stem], self.family.words[word], self.family.forms[form]))


@functools.lru_cache(maxsize=65_536)
def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits of ``text`` (accents dropped), for emails and URLs."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed.lower() if char.isascii() and char.isalnum())
