# ruff: noqa: PLR2004 - the probabilities and sizes of the seeded data are its specification
"""Seed accounts, batch by batch, each with its contacts, opportunities and line items.

A million accounts bring about four million rows, so rows are tuples assembled from a few
values computed per record (ids, names, timestamps, emails, the troublesome cases) and from
*variants*: tuples of a record's independent fields (firmographics, an address of a locale, a
contact's profile …) drawn once per run from the Faker pools; a record takes one variant of
each kind at random. The cases that break real syncs are applied in exact proportions: a run
of N accounts gets ``floor(rate * N)`` accounts of each case (see ``seed.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from emulators.salesforce import derived
from emulators.salesforce.seed_context import NULL
from emulators.salesforce.seed_pools import (
    CONTROL_CHARACTERS,
    EMOJI,
    INVALID_EMAIL_TEMPLATES,
    JOB_TITLES,
    NULL_LOOKING_SURNAMES,
    NULL_LOOKING_TEXT,
    ascii_slug,
)
from emulators.salesforce.seed_reference import email_domain
from emulators.salesforce.seed_support import MS_PER_DAY, CaseQuota, exclusive_positions
from emulators.salesforce.standard_objects import (
    ACCOUNT_TYPES,
    INDUSTRIES,
    INDUSTRIES_SERVED,
    LEAD_SOURCES,
    OPPORTUNITY_STAGES,
    PAYMENT_TERMS,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from emulators.salesforce.seed_context import SeedContext
    from emulators.salesforce.seed_pools import LocalePool

#: Mutually exclusive name scripts of accounts (the rest are plain Latin names).
SCRIPT_RATES: tuple[tuple[str, float], ...] = (
    ("name_accented", 0.08),
    ("name_cjk", 0.03),
    ("name_rtl", 0.02),
    ("name_other_script", 0.02),
)
#: Mutually exclusive billing address cases.
BILLING_RATES: tuple[tuple[str, float], ...] = (
    ("missing_billing_country", 0.05),
    ("missing_billing_address", 0.02),
)
#: Independent account cases and their proportions of all accounts.
ACCOUNT_RATES: dict[str, float] = {
    "name_emoji": 0.01,
    "name_colon": 0.01,
    "name_control_characters": 0.005,
    "name_over_100_characters": 0.005,
    "name_duplicate": 0.02,
    "text_null_looking": 0.01,
    "description_long_multiline": 0.05,
    "industries_multi_select": 0.30,
    "currency_many_decimals": 0.10,
    "shared_systemmodstamp": 0.05,
    "account_soft_deleted": 0.01,
}
#: Contact cases, as proportions of all contacts.
CONTACT_RATES: dict[str, float] = {
    "contact_invalid_email": 0.02,
    "contact_missing_email": 0.10,
    "contact_null_looking_surname": 0.005,
    "contact_soft_deleted": 0.01,
}
#: Opportunity outcomes and cases, as proportions of all opportunities.
OPPORTUNITY_RATES: dict[str, float] = {
    "opportunity_won": 0.25,
    "opportunity_lost": 0.15,
    "opportunity_soft_deleted": 0.01,
}
#: Share of won opportunities that have no Amount (Akountify cannot invoice them).
WON_WITHOUT_AMOUNT_RATE = 0.10
#: Share of won opportunities with an amount whose amount comes from line items.
WON_WITH_LINE_ITEMS_RATE = 0.5
#: Contacts per account: 0, 1, 2 or 3 with these weights (1.2 on average).
CONTACTS_PER_ACCOUNT = (0.20, 0.45, 0.30, 0.05)
#: Opportunities per account: 0, 1 or 2 with these weights (0.65 on average).
OPPORTUNITIES_PER_ACCOUNT = (0.45, 0.45, 0.10)
#: Variants drawn per kind (per locale for addresses and phones).
VARIANTS = 4096
LOCALE_VARIANTS = 256
CASCADE_CASE = "cascade_soft_deleted_children"

_GROUP_OF_CASE = {
    "name_accented": "accented",
    "name_cjk": "cjk",
    "name_rtl": "rtl",
    "name_other_script": "other_script",
}
_OPEN_STAGES = tuple(stage[0] for stage in OPPORTUNITY_STAGES if not stage[3])
_STAGE_PROBABILITY = {stage[0]: float(stage[1]) for stage in OPPORTUNITY_STAGES}
_SHARED_STAMP_DAYS_AGO = 7
_SUFFIXES = ("Street", "City", "State", "PostalCode", "Country", "Latitude", "Longitude",
             "GeocodeAccuracy")  # fmt: skip

ACCOUNT_KEYS = (
    "Id", "IsDeleted", "Name", "ParentId", "AccountNumber", "Site", "Website", "Description",
    "OwnerId", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById",
    "SystemModstamp", "LastActivityDate", "Tax_Id__c", "Industries_Served__c",
    "Opening_Balance__c", "ERP_Customer_Number__c", "Bank_Account__c", "Customer_Since__c",
)  # fmt: skip
ACCOUNT_PROFILE_KEYS = (
    "Type", "Industry", "AnnualRevenue", "NumberOfEmployees", "Ownership", "Rating",
    "AccountSource", "Payment_Terms__c", "Credit_Limit__c", "CustomerPriority__c", "SLA__c",
    "Active__c", "NumberofLocations__c", "Headquarters__Latitude__s",
    "Headquarters__Longitude__s",
)  # fmt: skip
ACCOUNT_PLACE_KEYS = (
    *(f"Billing{suffix}" for suffix in _SUFFIXES),
    *(f"Shipping{suffix}" for suffix in _SUFFIXES),
    "Phone",
    "Fax",
    "Billing_Summary__c",
)
CONTACT_KEYS = (
    "Id", "IsDeleted", "AccountId", "LastName", "FirstName", "Name", "Email", "OwnerId",
    "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp",
    *(f"Mailing{suffix}" for suffix in _SUFFIXES), "Phone", "MobilePhone",
)  # fmt: skip
CONTACT_PROFILE_KEYS = (
    "Salutation", "Title", "Department", "LeadSource", "Birthdate", "Description",
    "HasOptedOutOfEmail", "DoNotCall", "Level__c",
)  # fmt: skip
OPPORTUNITY_KEYS = (
    "Id", "IsDeleted", "AccountId", "Name", "StageName", "Amount", "Probability",
    "ExpectedRevenue", "CloseDate", "OwnerId", "CreatedDate", "CreatedById", "LastModifiedDate",
    "LastModifiedById", "SystemModstamp", "Pricebook2Id", "HasOpportunityLineItem",
    "IsClosed", "IsWon", "ForecastCategory", "ForecastCategoryName",
    "FiscalYear", "FiscalQuarter", "Fiscal",
)  # fmt: skip
OPPORTUNITY_PROFILE_KEYS = ("Type", "NextStep", "LeadSource")
_NO_ADDRESS = (NULL,) * 8
_DELETED, _NAME, _ACCOUNT_NUMBER, _SITE, _DESCRIPTION = (
    ACCOUNT_KEYS.index(key) for key in ("IsDeleted", "Name", "AccountNumber", "Site", "Description")
)
_CREATED, _MODIFIED, _STAMP = (
    ACCOUNT_KEYS.index(key) for key in ("CreatedDate", "LastModifiedDate", "SystemModstamp")
)
_TAX_ID, _INDUSTRIES, _OPENING_BALANCE = (
    ACCOUNT_KEYS.index(key) for key in ("Tax_Id__c", "Industries_Served__c", "Opening_Balance__c")
)
_STAGE_TUPLES = {
    stage[0]: tuple(derived.stage_fields(stage[0]).values()) for stage in OPPORTUNITY_STAGES
}


@dataclass
class AccountInfo:
    """What the children of one seeded account need to know about it."""

    account_id: str
    name: str
    owner_id: str
    locale: str
    created_ms: int
    deleted_ms: int | None
    billing: tuple[Any, ...]
    domain: str


@dataclass
class _BatchCases:
    """Which positions of a batch get which case."""

    scripts: dict[int, str]
    billing: dict[int, str]
    sets: dict[str, set[int]]
    special: set[int] = field(default_factory=set)
    names: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.special = set().union(*self.sets.values())

    def has(self, case: str, position: int) -> bool:
        return position in self.sets[case]


def _maybe(draw: Callable[[], Any], rate: float, random: Callable[[], float]) -> Any:
    """``draw()`` with probability ``rate``, else null."""
    return draw() if random() < rate else NULL


def _name_ordinals(start: int) -> dict[str, int]:
    """How many accounts of each script group come before account ``start`` of the run.

    Script groups are assigned with exact quotas, so the counts follow from ``start`` alone.
    """
    ordinals = {_GROUP_OF_CASE[case]: int(rate * start) for case, rate in SCRIPT_RATES}
    ordinals["latin"] = start - sum(ordinals.values())
    return ordinals


#: Most children one account can have, per object: the id sequences reserved per account.
CHILDREN_PER_ACCOUNT = {
    "Account": 1,
    "Contact": len(CONTACTS_PER_ACCOUNT) - 1,
    "Opportunity": len(OPPORTUNITIES_PER_ACCOUNT) - 1,
    "OpportunityLineItem": (len(OPPORTUNITIES_PER_ACCOUNT) - 1) * 3,
}


class AccountSeeder:
    """Writes accounts and their children, one batch at a time."""

    def __init__(self, ctx: SeedContext) -> None:
        """Draw the variants (from ``ctx.rng``) and prepare the quotas of the run.

        Every process of a run builds the seeder from the same pools and a generator seeded
        the same way, so they all hold the same variants.
        """
        self.ctx = ctx
        self.account_quota = {case: CaseQuota(rate) for case, rate in ACCOUNT_RATES.items()}
        self.contact_quota = {case: CaseQuota(rate) for case, rate in CONTACT_RATES.items()}
        self.shared_stamp_ms = ctx.now_ms - _SHARED_STAMP_DAYS_AGO * MS_PER_DAY
        self.slot = (ctx.now_ms - ctx.start_ms) / max(ctx.total_accounts, 1)
        self.fiscal: dict[str, tuple[Any, ...]] = {}
        ctx.layout("Account").bind((*ACCOUNT_KEYS, *ACCOUNT_PROFILE_KEYS, *ACCOUNT_PLACE_KEYS))
        ctx.layout("Contact").bind((*CONTACT_KEYS, *CONTACT_PROFILE_KEYS))
        ctx.layout("Opportunity").bind((*OPPORTUNITY_KEYS, *OPPORTUNITY_PROFILE_KEYS))
        self.account_profiles = [self._account_profile() for _ in range(VARIANTS)]
        self.places = {
            locale: {
                case: [self._place(pool, case) for _ in range(LOCALE_VARIANTS)]
                for case in ("", "missing_billing_country", "missing_billing_address")
            }
            for locale, pool in ctx.pools.locales.items()
        }
        self.phones = {
            locale: [self._phone_pair(pool) for _ in range(LOCALE_VARIANTS)]
            for locale, pool in ctx.pools.locales.items()
        }
        self.contact_profiles = [self._contact_profile() for _ in range(VARIANTS)]
        self.people = {
            locale: [self._person(pool) for _ in range(LOCALE_VARIANTS * 4)]
            for locale, pool in ctx.pools.locales.items()
        }
        self.opportunity_profiles = [self._opportunity_profile() for _ in range(VARIANTS // 4)]
        random = ctx.rng.random
        self.amounts = [
            round(int(math.exp(random() * 8 + 5)) + random(), 2) for _ in range(VARIANTS)
        ]

    # ------------------------------------------------------------------ variants

    def _account_profile(self) -> tuple[Any, ...]:
        ctx = self.ctx
        random = ctx.rng.random
        pick = ctx.pick
        located = random() < 0.1
        return (
            _maybe(lambda: pick(ACCOUNT_TYPES), 0.9, random),
            _maybe(lambda: pick(INDUSTRIES), 0.8, random),
            _maybe(lambda: float(round(math.exp(random() * 12 + 10), -3)), 0.6, random),
            _maybe(lambda: int(math.exp(random() * 9)), 0.7, random),
            _maybe(lambda: pick(("Public", "Private", "Subsidiary", "Other")), 0.5, random),
            _maybe(lambda: pick(("Hot", "Warm", "Cold")), 0.4, random),
            _maybe(lambda: pick(LEAD_SOURCES), 0.5, random),
            _maybe(lambda: pick(PAYMENT_TERMS), 0.7, random),
            _maybe(lambda: round(int(random() * 5_000_000) / 100, 2), 0.5, random),
            _maybe(lambda: pick(("High", "Low", "Medium")), 0.3, random),
            _maybe(lambda: pick(("Gold", "Silver", "Platinum", "Bronze")), 0.3, random),
            _maybe(lambda: pick(("No", "Yes")), 0.5, random),
            _maybe(lambda: float(int(random() * 50)), 0.2, random),
            round(random() * 120 - 60, 6) if located else NULL,
            round(random() * 360 - 180, 6) if located else NULL,
        )

    def _address(self, pool: LocalePool) -> tuple[Any, ...]:
        ctx = self.ctx
        random = ctx.rng.random
        geocoded = random() < 0.3
        return (
            ctx.pick(pool.streets),
            ctx.pick(pool.cities),
            ctx.pick(pool.states) or NULL,
            ctx.pick(pool.postcodes),
            ctx.pick(pool.countries),
            round(random() * 120 - 60, 6) if geocoded else NULL,
            round(random() * 360 - 180, 6) if geocoded else NULL,
            ctx.pick(("Address", "Street", "Zip", "City")) if geocoded else NULL,
        )

    def _place(self, pool: LocalePool, case: str) -> tuple[Any, ...]:
        """Billing and shipping addresses, phone, fax and the billing summary formula."""
        ctx = self.ctx
        billing = self._address(pool)
        if case == "missing_billing_address":
            billing = _NO_ADDRESS
        elif case == "missing_billing_country":
            billing = (*billing[:4], NULL, *billing[5:])
        roll = ctx.rng.random()
        shipping = billing if roll < 0.4 else self._address(pool) if roll < 0.6 else _NO_ADDRESS
        summary = derived.billing_summary(billing[1] or None, billing[4] or None)
        return (
            *billing,
            *shipping,
            _maybe(lambda: ctx.pick(pool.phones), 0.85, ctx.rng.random),
            _maybe(lambda: ctx.pick(pool.phones), 0.15, ctx.rng.random),
            summary or NULL,
        )

    def _phone_pair(self, pool: LocalePool) -> tuple[Any, Any]:
        """A contact's (Phone, MobilePhone) in the locale's format."""
        ctx = self.ctx
        return (
            _maybe(lambda: ctx.pick(pool.phones), 0.6, ctx.rng.random),
            _maybe(lambda: ctx.pick(pool.phones), 0.4, ctx.rng.random),
        )

    def _contact_profile(self) -> tuple[Any, ...]:
        ctx = self.ctx
        random = ctx.rng.random
        pick = ctx.pick
        birth = ctx.start_ms - int(random() * 20_000 + 7_000) * MS_PER_DAY
        return (
            _maybe(lambda: pick(("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")), 0.3, random),
            _maybe(lambda: pick(JOB_TITLES), 0.6, random),
            _maybe(lambda: pick(("Finance", "Accounting", "Purchasing", "IT")), 0.3, random),
            _maybe(lambda: pick(LEAD_SOURCES), 0.4, random),
            _maybe(lambda: ctx.stamps.date(birth), 0.1, random),
            _maybe(lambda: pick(ctx.pools.sentences), 0.1, random),
            int(random() < 0.05),
            int(random() < 0.03),
            _maybe(lambda: pick(("Secondary", "Tertiary", "Primary")), 0.3, random),
        )

    def _opportunity_profile(self) -> tuple[Any, ...]:
        ctx = self.ctx
        random = ctx.rng.random
        return (
            _maybe(lambda: ctx.pick(("Existing Customer - Upgrade", "New Customer")), 0.6, random),
            _maybe(lambda: ctx.pick(ctx.pools.sentences)[:255], 0.3, random),
            _maybe(lambda: ctx.pick(LEAD_SOURCES), 0.4, random),
        )

    # ------------------------------------------------------------------ accounts

    def seed_batch(self, start: int, end: int) -> list[AccountInfo]:
        """Write accounts ``start`` to ``end`` (run indexes) with their children.

        A batch depends on nothing but the run's constants, ``start`` and ``end``, the
        generator ``ctx.rng`` and the id sequences reserved for it, so batches can be written
        in any order and by several processes.
        """
        ctx = self.ctx
        rng = ctx.rng
        batch = _BatchCases(
            exclusive_positions(rng, start, end, SCRIPT_RATES),
            exclusive_positions(rng, start, end, BILLING_RATES),
            {case: quota.positions(rng, start, end) for case, quota in self.account_quota.items()},
        )
        batch.names = self._batch_names(start, end, batch)
        first_sequence, account_ids = ctx.reserve("Account", end - start)
        rows: list[tuple[Any, ...]] = []
        infos: list[AccountInfo] = []
        for position, account_id in enumerate(account_ids):
            row, info = self._account(first_sequence + position, position, start + position,
                                      account_id, batch)  # fmt: skip
            rows.append(row)
            infos.append(info)
        ctx.write("Account", rows)
        self._contacts(infos)
        self._opportunities(infos)
        return infos

    def _batch_names(self, start: int, end: int, batch: _BatchCases) -> list[tuple[str, str]]:
        """(Name, locale) of every account of a batch, with the name cases applied."""
        ctx = self.ctx
        counts = ctx.counts.cases
        ordinals = _name_ordinals(start)
        names: list[tuple[str, str]] = []
        random = ctx.rng.random
        special = batch.special
        scripts = batch.scripts
        makers_of = ctx.pools.name_makers
        for position in range(end - start):
            script = scripts.get(position)
            group = "latin"
            if script:
                counts[script] += 1
                group = _GROUP_OF_CASE[script]
            ordinal = ordinals[group]
            ordinals[group] = ordinal + 1
            makers = makers_of[group]
            maker = makers[ordinal % len(makers)]
            name = maker.name(ordinal // len(makers))
            if position in special:
                name = self._decorate(name, position, batch)
            locales = maker.family.locales
            names.append((name, locales[int(random() * len(locales))]))
        duplicates = batch.sets["name_duplicate"]
        sources = [position for position in range(end - start) if position not in duplicates]
        for position in sorted(duplicates):
            if sources:
                counts["name_duplicate"] += 1
                source = ctx.pick(sources)
                names[position] = (names[source][0], names[position][1])
        return names

    def _decorate(self, name: str, position: int, batch: _BatchCases) -> str:
        """Apply the name cases of ``position`` (emoji, colon, control character, length)."""
        for case, decorate in (
            ("name_emoji", self._with_emoji),
            ("name_colon", self._with_colon),
            ("name_control_characters", self._with_control_character),
            ("name_over_100_characters", self._over_100_characters),
        ):
            if batch.has(case, position):
                name = decorate(name)
                self.ctx.counts.cases[case] += 1
        return name

    def _with_emoji(self, name: str) -> str:
        return f"{name} {self.ctx.pick(EMOJI)}"

    def _with_colon(self, name: str) -> str:
        return f"{name}: {self.ctx.pick(('Billing', 'EMEA', 'Head Office', 'Do not use'))}"

    def _with_control_character(self, name: str) -> str:
        cut = len(name) // 2
        return name[:cut] + self.ctx.pick(CONTROL_CHARACTERS) + name[cut:]

    def _over_100_characters(self, name: str) -> str:
        while len(name) <= 100:
            name = f"{name} - {self.ctx.pick(self.ctx.pools.catch_phrases)}"
        return name[:255]

    def _account(
        self, sequence: int, position: int, index: int, account_id: str, batch: _BatchCases
    ) -> tuple[tuple[Any, ...], AccountInfo]:
        """One account row (the common path; :meth:`_account_cases` adds the cases)."""
        ctx = self.ctx
        random = ctx.rng.random
        stamps = ctx.stamps
        now = ctx.now_ms
        name, locale = batch.names[position]
        sentences = ctx.pools.sentences
        created = ctx.start_ms + int((index + random()) * self.slot)
        modified = created if random() < 0.4 else created + int(random() * (now - created))
        stamp = modified if random() >= 0.05 else modified + int(random() * (now - modified))
        billing_case = batch.billing.get(position, "")
        if billing_case:
            ctx.counts.cases[billing_case] += 1
        places = self.places[locale][billing_case]
        place = places[int(random() * len(places))]
        owners = ctx.active_user_ids
        owner = owners[int(random() * len(owners))]
        domain = email_domain(ctx, name)
        country = locale[-2:]
        fixed: list[Any] = [
            account_id, 0, name,
            ctx.id_makers["Account"](sequence - 1 - int(random() * sequence // 2))
            if sequence > 1 and random() < 0.05 else NULL,
            f"CD{100000 + index}" if random() < 0.6 else NULL,
            NULL,
            f"https://www.{domain}" if random() < 0.7 else NULL,
            sentences[int(random() * len(sentences))] if random() < 0.4 else NULL,
            owner, created, owner, modified, owner, stamp,
            stamps.date(modified) if random() < 0.3 else NULL,
            f"{country}{int(random() * 10**10):010d}" if random() < 0.6 else NULL,
            NULL,
            round(int(random() * 10_000_000) / 100, 2) if random() < 0.4 else NULL,
            f"ERP-{index + 1:08d}" if random() < 0.5 else NULL,
            f"{country}{int(random() * 10**16):016d}" if random() < 0.3 else NULL,
            stamps.date(created - int(random() * 3650) * MS_PER_DAY) if random() < 0.5 else NULL,
        ]  # fmt: skip
        deleted_ms = None
        if position in batch.special:
            deleted_ms = self._account_cases(fixed, position, batch)
        fixed[_CREATED] = stamps.datetime(created)
        fixed[_MODIFIED] = stamps.datetime(fixed[_MODIFIED])
        fixed[_STAMP] = stamps.datetime(fixed[_STAMP])
        profiles = self.account_profiles
        row = (sequence, *fixed, *profiles[int(random() * len(profiles))], *place)
        info = AccountInfo(account_id, name, owner, locale, created, deleted_ms, place[:8], domain)
        return row, info

    def _account_cases(self, fixed: list[Any], position: int, batch: _BatchCases) -> int | None:
        """Apply the cases of ``position`` to an account's fixed values; its deletion time."""
        ctx = self.ctx
        counts = ctx.counts.cases
        if batch.has("text_null_looking", position):
            counts["text_null_looking"] += 1
            for slot in (_ACCOUNT_NUMBER, _SITE, _TAX_ID):
                fixed[slot] = ctx.pick(NULL_LOOKING_TEXT)
        if batch.has("description_long_multiline", position):
            counts["description_long_multiline"] += 1
            fixed[_DESCRIPTION] = self._long_description()
        if batch.has("industries_multi_select", position):
            counts["industries_multi_select"] += 1
            chosen = ctx.rng.sample(range(len(INDUSTRIES_SERVED)), 1 + int(ctx.rng.random() * 4))
            fixed[_INDUSTRIES] = ";".join(INDUSTRIES_SERVED[i] for i in sorted(chosen))
        if batch.has("currency_many_decimals", position):
            counts["currency_many_decimals"] += 1
            fixed[_OPENING_BALANCE] = round(ctx.rng.random() * 100_000, 6)
        return self._account_lifecycle_cases(fixed, position, batch)

    def _account_lifecycle_cases(
        self, fixed: list[Any], position: int, batch: _BatchCases
    ) -> int | None:
        """The shared-SystemModstamp and deletion cases; the deletion time, if deleted.

        A deleted account's SystemModstamp is its deletion time, so it cannot also share the
        mass update's stamp: the shared case is counted only where it really applies.
        """
        ctx = self.ctx
        if batch.has("account_soft_deleted", position):
            stamp = fixed[_STAMP]
            deleted_ms: int = stamp + int(ctx.rng.random() * (ctx.now_ms - stamp))
            fixed[_MODIFIED] = fixed[_STAMP] = deleted_ms
            fixed[_DELETED] = 1
            ctx.counts.cases["account_soft_deleted"] += 1
            return deleted_ms
        if batch.has("shared_systemmodstamp", position) and fixed[_CREATED] < self.shared_stamp_ms:
            fixed[_MODIFIED] = fixed[_STAMP] = self.shared_stamp_ms
            ctx.counts.cases["shared_systemmodstamp"] += 1
        return None

    def _long_description(self) -> str:
        """1 to 4 KB of text over several lines (LF, some CRLF), with quotes and commas."""
        ctx = self.ctx
        lines = [f'Customer said "{ctx.pick(ctx.pools.sentences)}", then, twice, "again".']
        target = 1_000 + int(ctx.rng.random() * 3_000)
        size = len(lines[0])
        while size < target:
            paragraph = ctx.pick(ctx.pools.paragraphs)
            roll = ctx.rng.random()
            if roll < 0.3:
                paragraph = f'He said "{paragraph}", then left, quietly.'
            elif roll < 0.5:
                paragraph = f"Notes, part {len(lines) + 1}: {paragraph}\r"
            lines.append(paragraph)
            size += len(paragraph) + 1
        return "\n".join(lines)

    # ------------------------------------------------------------------ contacts

    def _person(self, pool: LocalePool) -> tuple[str, str, str, str]:
        """(LastName, FirstName, Name, email local part) of a person of the locale."""
        ctx = self.ctx
        first = ctx.pick(pool.first_names) if ctx.rng.random() < 0.97 else NULL
        last = ctx.pick(pool.last_names)
        name = f"{first} {last}" if first else last
        local = f"{ascii_slug(first) or 'contact'}.{ascii_slug(last) or 'person'}"
        return last, first, name, local

    def _contacts(self, accounts: list[AccountInfo]) -> None:
        ctx = self.ctx
        random = ctx.rng.random
        datetime = ctx.stamps.datetime
        now = ctx.now_ms
        per_account = ctx.rng.choices(range(4), weights=CONTACTS_PER_ACCOUNT, k=len(accounts))
        total = sum(per_account)
        cases = {
            case: quota.positions(ctx.rng, 0, total) for case, quota in self.contact_quota.items()
        }
        special = set().union(*cases.values())
        first_sequence, contact_ids = ctx.reserve("Contact", total)
        profiles = self.contact_profiles
        profile_count = len(profiles)
        rows: list[tuple[Any, ...]] = []
        for account, count in zip(accounts, per_account, strict=True):
            people = self.people[account.locale]
            people_count = len(people)
            phones = self.phones[account.locale]
            phone_count = len(phones)
            owner = account.owner_id
            account_id = account.account_id
            domain = account.domain
            billing = account.billing
            created_ms = account.created_ms
            for _ in range(count):
                position = len(rows)
                last, first, name, local = people[int(random() * people_count)]
                email = f"{local}@{domain}"
                created = created_ms + int(random() * (now - created_ms) * 0.2)
                modified = created if random() < 0.5 else created + int(random() * (now - created))
                deleted = 0
                if position in special or account.deleted_ms is not None:
                    last, name, email, modified, deleted = self._contact_case(
                        position, cases, account, (last, first, name, email), modified
                    )
                modified_text = datetime(modified)
                rows.append(
                    (
                        first_sequence + position, contact_ids[position], deleted, account_id,
                        last, first, name, email, owner, datetime(created), owner, modified_text,
                        owner, modified_text, *(billing if random() < 0.5 else _NO_ADDRESS),
                        *phones[int(random() * phone_count)],
                        *profiles[int(random() * profile_count)],
                    )
                )  # fmt: skip
        ctx.write("Contact", rows)

    def _contact_case(
        self,
        position: int,
        cases: dict[str, set[int]],
        account: AccountInfo,
        person: tuple[str, str, str, str],
        modified: int,
    ) -> tuple[str, str, str, int, int]:
        """Apply the contact cases of ``position``: (LastName, Name, Email, modified, deleted)."""
        ctx = self.ctx
        counts = ctx.counts.cases
        last, first, name, email = person
        if position in cases["contact_null_looking_surname"]:
            counts["contact_null_looking_surname"] += 1
            last = ctx.pick(NULL_LOOKING_SURNAMES)
            name = f"{first} {last}" if first else last
        if position in cases["contact_missing_email"]:
            counts["contact_missing_email"] += 1
            email = NULL
        elif position in cases["contact_invalid_email"]:
            counts["contact_invalid_email"] += 1
            email = self._invalid_email(first, last, account.domain)
        deleted = 0
        if account.deleted_ms is not None:
            modified = max(modified, account.deleted_ms)
            deleted = 1
            counts[CASCADE_CASE] += 1
        elif position in cases["contact_soft_deleted"]:
            modified += int(ctx.rng.random() * (ctx.now_ms - modified))
            deleted = 1
            counts["contact_soft_deleted"] += 1
        return last, name, email, modified, deleted

    def _invalid_email(self, first: str, last: str, domain: str) -> str:
        host, _, tld = domain.partition(".")
        return self.ctx.pick(INVALID_EMAIL_TEMPLATES).format(
            first=ascii_slug(first) or "contact",
            last=ascii_slug(last) or "person",
            domain=domain,
            host=host,
            tld=tld or "example",
        )

    # ------------------------------------------------------------------ opportunities

    def _opportunities(self, accounts: list[AccountInfo]) -> None:
        ctx = self.ctx
        pick = ctx.pick
        counts = ctx.counts.cases
        per_account = ctx.rng.choices(range(3), weights=OPPORTUNITIES_PER_ACCOUNT, k=len(accounts))
        total = sum(per_account)
        start, end = 0, total
        outcomes = exclusive_positions(
            ctx.rng,
            start,
            end,
            (
                ("opportunity_won", OPPORTUNITY_RATES["opportunity_won"]),
                ("opportunity_lost", OPPORTUNITY_RATES["opportunity_lost"]),
            ),
        )
        deleted_alone = CaseQuota(OPPORTUNITY_RATES["opportunity_soft_deleted"]).positions(
            ctx.rng, start, end
        )
        first_sequence, opportunity_ids = ctx.reserve("Opportunity", total)
        rows: list[tuple[Any, ...]] = []
        pending: list[_PendingItems] = []
        for account, count in zip(accounts, per_account, strict=True):
            for number in range(1, count + 1):
                position = len(rows)
                outcome = outcomes.get(position, "")
                if outcome:
                    counts[outcome] += 1
                deleted = 0
                if account.deleted_ms is not None:
                    deleted = 1
                    counts[CASCADE_CASE] += 1
                elif position in deleted_alone:
                    deleted = 1
                    counts["opportunity_soft_deleted"] += 1
                row, items = self._opportunity(
                    (first_sequence + position, opportunity_ids[position]),
                    account,
                    number,
                    _OUTCOME_STAGES.get(outcome) or pick(_OPEN_STAGES),
                    deleted,
                )
                if items is not None:
                    pending.append(items)
                rows.append(row)
        ctx.write("Opportunity", rows)
        self._line_items(pending)

    def _opportunity(
        self,
        identity: tuple[int, str],
        account: AccountInfo,
        number: int,
        stage: str,
        deleted: int,
    ) -> tuple[tuple[Any, ...], _PendingItems | None]:
        """One opportunity row, and its line items to write if it has some.

        Args:
            identity: The opportunity's sequence and id.
            account: Its account.
            number: Its number among the account's opportunities.
            stage: Its stage.
            deleted: 1 when it is soft-deleted.

        Returns:
            The row, and the pending line items (or None).
        """
        sequence, opportunity_id = identity
        ctx = self.ctx
        random = ctx.rng.random
        pick = ctx.pick
        stamps = ctx.stamps
        owner = account.owner_id
        created = account.created_ms + int(random() * (ctx.now_ms - account.created_ms) * 0.5)
        modified = created + int(random() * (ctx.now_ms - created))
        if account.deleted_ms is not None:
            modified = max(modified, account.deleted_ms)
        close_date = stamps.date(created + int((random() * 180 + 7) * MS_PER_DAY))
        name = f"{account.name[:80]} - {pick(ctx.pools.product_words)} {number}"[:120]
        amount: float | str = pick(self.amounts)
        modified_text = stamps.datetime(modified)
        audit = (owner, stamps.datetime(created), owner, modified_text, owner, modified_text)
        items = None
        if stage == "Closed Won":
            if random() < WON_WITHOUT_AMOUNT_RATE:
                amount = NULL
                ctx.counts.cases["won_without_amount"] += 1
            elif random() < WON_WITH_LINE_ITEMS_RATE:
                entries = [pick(ctx.price_entries) for _ in range(1 + int(random() * 3))]
                items = _PendingItems(opportunity_id, name, close_date, deleted, entries, audit[1:])
                amount = round(sum(line["TotalPrice"] for line in items.lines()), 2)
        probability = _STAGE_PROBABILITY[stage]
        expected = NULL if amount == NULL else derived.expected_revenue(float(amount), probability)
        row = (
            sequence, opportunity_id, deleted, account.account_id, name, stage, amount,
            probability, expected, close_date, *audit,
            NULL if items is None else ctx.standard_pricebook_id, int(items is not None),
            *_STAGE_TUPLES[stage], *self._fiscal(close_date), *pick(self.opportunity_profiles),
        )  # fmt: skip
        return row, items

    def _fiscal(self, close_date: str) -> tuple[Any, ...]:
        found = self.fiscal.get(close_date)
        if found is None:
            found = self.fiscal[close_date] = tuple(derived.fiscal_fields(close_date).values())
        return found

    def _line_items(self, pending: list[_PendingItems]) -> None:
        ctx = self.ctx
        total = sum(len(items.entries) for items in pending)
        first_sequence, item_ids = ctx.reserve("OpportunityLineItem", total)
        layout = ctx.layout("OpportunityLineItem")
        rows: list[list[Any]] = []
        for items in pending:
            created, created_by, modified, modified_by, stamp = items.audit
            audit = {
                "CreatedDate": created,
                "CreatedById": created_by,
                "LastModifiedDate": modified,
                "LastModifiedById": modified_by,
                "SystemModstamp": stamp,
            }
            for values in items.lines():
                values = {"Id": item_ids[len(rows)], **values, **audit}  # noqa: PLW2901
                rows.append(layout.row(first_sequence + len(rows), values))
        ctx.write("OpportunityLineItem", rows)


_OUTCOME_STAGES = {"opportunity_won": "Closed Won", "opportunity_lost": "Closed Lost"}


@dataclass
class _PendingItems:
    """Line items of one won opportunity, written after the opportunities of the batch."""

    opportunity_id: str
    name: str
    close_date: str
    deleted: int
    entries: list[tuple[str, str, str, str, float]]
    audit: Sequence[Any]

    def lines(self) -> list[dict[str, Any]]:
        """The storage values of every line (without Id and audit fields)."""
        lines = []
        for slot, (entry_id, product_id, code, product_name, list_price) in enumerate(self.entries):
            quantity, discount = _quantity_and_discount(self.opportunity_id, slot)
            lines.append(
                {
                    "OpportunityId": self.opportunity_id,
                    "PricebookEntryId": entry_id,
                    "Product2Id": product_id,
                    "ProductCode": code,
                    "Name": f"{self.name} {product_name}"[:376],
                    "Quantity": quantity,
                    "UnitPrice": list_price,
                    "ListPrice": list_price,
                    "Discount": discount,
                    "ServiceDate": self.close_date,
                    "IsDeleted": self.deleted,
                    **derived.line_item_totals(quantity, list_price, discount),
                }
            )
        return lines


def _quantity_and_discount(opportunity_id: str, slot: int) -> tuple[float, float | None]:
    """Deterministic quantity and discount of a line item (from its opportunity and slot)."""
    code = sum(map(ord, opportunity_id[-6:])) + slot * 7
    quantity = float(1 + code % 20) if code % 5 else round(1 + (code % 37) / 4, 2)
    discount = (5.0, 10.0, 15.0)[code % 3] if code % 4 == 0 else None
    return quantity, discount
