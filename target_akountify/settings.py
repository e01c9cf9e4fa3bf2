"""The target's settings: their JSON Schema (for ``--about``) and a typed view of a config."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from singer_sdk import typing as th

from target_akountify.mapping.entities import CONTACTS, CUSTOMERS, INVOICES
from target_akountify.mapping.values import ValuePolicy
from target_akountify.text import DEFAULT_LEGAL_SUFFIXES, NameKeyOptions

DEFAULT_BASE_URL = "https://api.akountify.example/v1"
DEFAULT_REJECTED_PATH = "output/akountify-rejected"
DEFAULT_REPORT_PATH = "output/akountify-sync-report.json"
MAX_BATCH_OPERATIONS = 50
MAX_READ_CHUNK = 100

#: Natural keys tried, in order, to link a record typed by hand in Akountify.
DEFAULT_NATURAL_KEYS: dict[str, list[str]] = {
    CUSTOMERS: ["tax_id", "display_name", "email"],
    CONTACTS: ["email"],
    INVOICES: ["number"],
}

_POLICY_DESCRIPTION = (
    "What happens when a mapped field was edited in Akountify since the last sync: "
    "`source_wins` overwrites it and reports a conflict, `destination_wins` keeps the "
    "Akountify value and reports a conflict, `reject` keeps the record aside in the rejected "
    "store for review."
)

CONFIG_SCHEMA = th.PropertiesList(
    th.Property(
        "base_url",
        th.StringType,
        default=DEFAULT_BASE_URL,
        description="Akountify API base URL, ending in `/v1` (the local emulator prints its own).",
    ),
    th.Property(
        "client_id",
        th.StringType,
        required=True,
        description="OAuth client id of the Akountify API client.",
    ),
    th.Property(
        "client_secret",
        th.StringType,
        required=True,
        secret=True,
        description="OAuth client secret of the Akountify API client.",
    ),
    th.Property(
        "company_id",
        th.StringType,
        description="Akountify company to write to (default: the company of the API client).",
    ),
    th.Property(
        "mapping",
        th.ObjectType(),
        description=(
            "The mapping spec inline (stream → entity, fields…); see docs/target-akountify.md. "
            "Default: the shipped mapping for tap-salesforce-lite's Account, Contact and "
            "Opportunity streams."
        ),
    ),
    th.Property(
        "mapping_file",
        th.StringType,
        description="Path of a YAML file holding the mapping spec (instead of `mapping`).",
    ),
    th.Property(
        "unmapped_streams",
        th.StringType,
        default="fail",
        allowed_values=["fail", "skip"],
        description=(
            "A stream the mapping does not name: `fail` the run before writing anything, or "
            "`skip` its records (with a warning)."
        ),
    ),
    th.Property(
        "conflict_policy",
        th.StringType,
        default="source_wins",
        allowed_values=["source_wins", "destination_wins", "reject"],
        description=_POLICY_DESCRIPTION,
    ),
    th.Property(
        "on_delete",
        th.StringType,
        default="archive",
        allowed_values=["archive", "ignore"],
        description=(
            "Records deleted at the source (`_sdc_deleted_at` or `IsDeleted`): `archive` the "
            "Akountify record, or `ignore` them."
        ),
    ),
    th.Property(
        "too_long",
        th.StringType,
        default="truncate",
        allowed_values=["truncate", "reject"],
        description=(
            "Text longer than Akountify allows: `truncate` it (with a warning) or `reject` "
            "the record."
        ),
    ),
    th.Property(
        "forbidden_characters",
        th.StringType,
        default="replace",
        allowed_values=["replace", "reject"],
        description=(
            "Characters Akountify refuses (`:` in a display name): `replace` them with "
            "`forbidden_character_replacement` (with a warning) or `reject` the record."
        ),
    ),
    th.Property(
        "forbidden_character_replacement",
        th.StringType,
        default="-",
        description="What replaces a forbidden character.",
    ),
    th.Property(
        "match_existing",
        th.BooleanType,
        default=True,
        description=(
            "Link source records to Akountify records typed by hand (no external id yet) that "
            "share a natural key, instead of creating twins."
        ),
    ),
    th.Property(
        "natural_keys",
        th.ObjectType(
            th.Property(CUSTOMERS, th.ArrayType(th.StringType)),
            th.Property(CONTACTS, th.ArrayType(th.StringType)),
            th.Property(INVOICES, th.ArrayType(th.StringType)),
        ),
        description=(
            "Per entity, the Akountify fields tried in order to match a hand-typed record "
            "(default customers: tax_id, display_name, email; contacts: email; invoices: "
            "number)."
        ),
    ),
    th.Property(
        "name_matching",
        th.ObjectType(
            th.Property("casefold", th.BooleanType, default=True),
            th.Property("strip_accents", th.BooleanType, default=True),
            th.Property("strip_punctuation", th.BooleanType, default=True),
            th.Property("legal_suffixes", th.ArrayType(th.StringType)),
        ),
        description=(
            "How display names are compared when matching: ignore case, accents, punctuation "
            "and trailing legal suffixes (default list: Inc, LLC, Ltd, GmbH, AG, SA…)."
        ),
    ),
    th.Property(
        "duplicate_name_suffix",
        th.StringType,
        description=(
            "When a customer's display name is taken by another linked customer, retry with "
            "this suffix appended (placeholders `{external_id}`, `{n}`), e.g. "
            "` ({external_id})`. Unset: reject the record with the fix."
        ),
    ),
    th.Property(
        "create_custom_fields",
        th.BooleanType,
        default=False,
        description=(
            "Create the custom field definitions the mapping declares when Akountify lacks "
            "them (else a missing definition fails the run before writing)."
        ),
    ),
    th.Property(
        "dry_run",
        th.BooleanType,
        default=False,
        description=(
            "Read and plan everything, write nothing anywhere (no records, sync_metadata, "
            "sync run, rejected store or STATE); the report says what would happen."
        ),
    ),
    th.Property(
        "rejected_store_path",
        th.StringType,
        default=DEFAULT_REJECTED_PATH,
        description="Folder of the rejected store (one JSONL file per stream).",
    ),
    th.Property(
        "report_path",
        th.StringType,
        default=DEFAULT_REPORT_PATH,
        description="Where the JSON sync report is written at the end of every run.",
    ),
    th.Property(
        "post_sync_run",
        th.BooleanType,
        default=True,
        description=(
            "Post the run's report to Akountify's sync runs (with the first 100 rejections)."
        ),
    ),
    th.Property(
        "sync_source",
        th.StringType,
        default="salesforce",
        description="The `source` named in the sync runs posted to Akountify.",
    ),
    th.Property(
        "max_concurrency",
        th.IntegerType,
        default=5,
        description="Requests in flight at once (Akountify's default per-company limit is 5).",
    ),
    th.Property(
        "batch_operations",
        th.IntegerType,
        default=MAX_BATCH_OPERATIONS,
        description="Operations per batch request (at most 50).",
    ),
    th.Property(
        "max_retries",
        th.IntegerType,
        default=6,
        description="Attempts per request on 429, 5xx and dropped connections before failing.",
    ),
    th.Property(
        "backoff_base_seconds",
        th.NumberType,
        default=1.0,
        description="First wait of the exponential backoff between retries.",
    ),
    th.Property(
        "backoff_max_seconds",
        th.NumberType,
        default=60.0,
        description="Longest wait between retries (a longer Retry-After is still honoured).",
    ),
    th.Property(
        "request_timeout_seconds",
        th.NumberType,
        default=60.0,
        description="Timeout of one HTTP request.",
    ),
    th.Property(
        "state_interval_minutes",
        th.NumberType,
        default=5.0,
        description=(
            "At most this long between two drains of every stream (each followed by a STATE "
            "message covering what was written)."
        ),
    ),
).to_dict()


@dataclass(frozen=True)
class Settings:
    """A typed view of the target's config.

    Attributes:
        base_url: API base URL without trailing slash.
        client_id: OAuth client id.
        client_secret: OAuth client secret (never logged).
        company_id: Company to write to, or None for the client's own.
        mapping: The inline mapping, or None.
        mapping_file: The mapping file path, or None.
        unmapped_streams: ``fail`` or ``skip``.
        conflict_policy: ``source_wins``, ``destination_wins`` or ``reject``.
        on_delete: ``archive`` or ``ignore``.
        value_policy: Truncation and forbidden character handling.
        match_existing: Link hand-typed records by natural keys.
        natural_keys: Per entity, the fields tried in order.
        name_options: How names are compared.
        duplicate_name_suffix: Suffix template for clashing display names, or None.
        create_custom_fields: Create missing custom field definitions.
        dry_run: Write nothing.
        rejected_store_path: Folder of the rejected store.
        report_path: Path of the JSON report.
        post_sync_run: Post a sync run to Akountify.
        sync_source: The sync run's ``source``.
        max_concurrency: Requests in flight.
        batch_operations: Operations per batch.
        max_retries: Attempts per request.
        backoff_base_seconds: First backoff wait.
        backoff_max_seconds: Longest backoff wait.
        request_timeout_seconds: HTTP timeout.
        state_interval_minutes: Longest time between full drains.
    """

    base_url: str
    client_id: str
    client_secret: str
    company_id: str | None
    mapping: Any
    mapping_file: str | None
    unmapped_streams: str
    conflict_policy: str
    on_delete: str
    value_policy: ValuePolicy
    match_existing: bool
    natural_keys: dict[str, list[str]]
    name_options: NameKeyOptions
    duplicate_name_suffix: str | None
    create_custom_fields: bool
    dry_run: bool
    rejected_store_path: Path
    report_path: Path
    post_sync_run: bool
    sync_source: str
    max_concurrency: int
    batch_operations: int
    max_retries: int
    backoff_base_seconds: float
    backoff_max_seconds: float
    request_timeout_seconds: float
    state_interval_minutes: float

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Settings:
        """Build the typed settings from a (validated) config dict, applying defaults."""

        def get(name: str, default: Any) -> Any:
            value = config.get(name)
            return default if value is None else value

        names = get("name_matching", {})
        keys = {**DEFAULT_NATURAL_KEYS, **get("natural_keys", {})}
        return cls(
            base_url=str(get("base_url", DEFAULT_BASE_URL)).rstrip("/"),
            client_id=str(config.get("client_id", "")),
            client_secret=str(config.get("client_secret", "")),
            company_id=config.get("company_id") or None,
            mapping=config.get("mapping"),
            mapping_file=config.get("mapping_file") or None,
            unmapped_streams=get("unmapped_streams", "fail"),
            conflict_policy=get("conflict_policy", "source_wins"),
            on_delete=get("on_delete", "archive"),
            value_policy=ValuePolicy(
                too_long=get("too_long", "truncate"),
                forbidden_characters=get("forbidden_characters", "replace"),
                replacement=get("forbidden_character_replacement", "-"),
            ),
            match_existing=bool(get("match_existing", True)),
            natural_keys={k: list(v) for k, v in keys.items()},
            name_options=NameKeyOptions(
                casefold=bool(names.get("casefold", True)),
                strip_accents=bool(names.get("strip_accents", True)),
                strip_punctuation=bool(names.get("strip_punctuation", True)),
                legal_suffixes=tuple(names.get("legal_suffixes", DEFAULT_LEGAL_SUFFIXES)),
            ),
            duplicate_name_suffix=config.get("duplicate_name_suffix") or None,
            create_custom_fields=bool(get("create_custom_fields", False)),
            dry_run=bool(get("dry_run", False)),
            rejected_store_path=Path(get("rejected_store_path", DEFAULT_REJECTED_PATH)),
            report_path=Path(get("report_path", DEFAULT_REPORT_PATH)),
            post_sync_run=bool(get("post_sync_run", True)),
            sync_source=str(get("sync_source", "salesforce")),
            max_concurrency=max(1, int(get("max_concurrency", 5))),
            batch_operations=min(MAX_BATCH_OPERATIONS, max(1, int(get("batch_operations", 50)))),
            max_retries=max(1, int(get("max_retries", 6))),
            backoff_base_seconds=float(get("backoff_base_seconds", 1.0)),
            backoff_max_seconds=float(get("backoff_max_seconds", 60.0)),
            request_timeout_seconds=float(get("request_timeout_seconds", 60.0)),
            state_interval_minutes=float(get("state_interval_minutes", 5.0)),
        )
