"""SOQL the tap sends, and the split of wide field lists under the REST URI limit.

Every incremental query is ordered by the replication key and then Id, so records sharing a
timestamp come in a stable order and an interrupted read never skips rows; full-table queries
are ordered by Id. A REST query travels in the URL (``GET …/query?q=…``), limited to 16,384
bytes: :func:`split_fields` packs a wide field list into groups that each fit, every group
carrying Id and the replication key so the groups can be merged back by Id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final
from urllib.parse import quote_plus, urlencode

MAX_URI_BYTES: Final = 16_384
#: Bytes of every group's URI kept free for WHERE, ORDER BY and LIMIT (windows, Id lists).
CLAUSE_RESERVE: Final = 2_048
#: Longest SOQL statement Bulk API 2.0 accepts.
MAX_BULK_SOQL_CHARS: Final = 100_000
_API_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def check_api_name(name: str) -> str:
    """Return ``name`` if it is a Salesforce API name; SOQL is only ever built from those.

    Raises:
        ValueError: If ``name`` has characters no API name has.
    """
    if not _API_NAME.match(name):
        raise ValueError(f"'{name}' is not a Salesforce API name")
    return name


def datetime_literal(moment: datetime) -> str:
    """A SOQL datetime literal in UTC with milliseconds (Salesforce keeps milliseconds).

    The instant is truncated to the millisecond, so ``>=`` bounds never skip a record.
    """
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def string_literal(value: str) -> str:
    """A quoted SOQL string literal with backslash escapes."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


@dataclass(frozen=True)
class TimeWindow:
    """A half-open range of the replication key: ``lower <= key < upper``.

    Attributes:
        lower: Inclusive lower bound, or None for no bound.
        upper: Exclusive upper bound, or None for no bound.
    """

    lower: datetime | None = None
    upper: datetime | None = None


@dataclass(frozen=True)
class QuerySpec:
    """What one SOQL query asks for.

    Attributes:
        object_name: The object.
        fields: SELECT list (compound fields already replaced by components).
        replication_key: Ordering/filter key, or None for full-table reads ordered by Id.
        window: Bounds on the replication key.
        ids: When set, only these record Ids (re-reading records by Id).
        limit: LIMIT, or None.
    """

    object_name: str
    fields: tuple[str, ...]
    replication_key: str | None
    window: TimeWindow = field(default_factory=TimeWindow)
    ids: tuple[str, ...] = ()
    limit: int | None = None


def build_soql(spec: QuerySpec) -> str:
    """The SOQL text of ``spec``."""
    terms: list[str] = []
    key = spec.replication_key
    if key and spec.window.lower is not None:
        terms.append(f"{key}>={datetime_literal(spec.window.lower)}")
    if key and spec.window.upper is not None:
        terms.append(f"{key}<{datetime_literal(spec.window.upper)}")
    if spec.ids:
        terms.append(f"Id IN ({','.join(string_literal(i) for i in spec.ids)})")
    names = ",".join(check_api_name(name) for name in spec.fields)
    soql = f"SELECT {names} FROM {check_api_name(spec.object_name)}"  # noqa: S608 - API names
    if terms:
        soql += " WHERE " + " AND ".join(terms)
    soql += f" ORDER BY {key} ASC,Id ASC" if key else " ORDER BY Id ASC"
    if spec.limit is not None:
        soql += f" LIMIT {spec.limit}"
    return soql


def query_path(path: str, soql: str) -> str:
    """The request target of a REST query: ``path?q=…`` encoded as it is sent."""
    return f"{path}?{urlencode({'q': soql})}"


def split_fields(
    fields: tuple[str, ...],
    *,
    object_name: str,
    required: tuple[str, ...],
    path: str,
    max_uri_bytes: int = MAX_URI_BYTES,
    reserve: int = CLAUSE_RESERVE,
) -> list[tuple[str, ...]]:
    """Pack ``fields`` into groups whose query URIs stay under the limit.

    Args:
        fields: Every field to read.
        object_name: The object (part of the URI).
        required: Fields every group starts with (Id and the replication key).
        path: The query resource path (``/services/data/v62.0/queryAll``).
        max_uri_bytes: The URI limit.
        reserve: Bytes kept free in each group for the WHERE/ORDER BY/LIMIT clauses.

    Returns:
        Groups in field order; one group when everything fits.

    Raises:
        ValueError: If the required fields alone do not fit.
    """
    budget = max_uri_bytes - reserve
    base = len(query_path(path, f"SELECT {','.join(required)} FROM {object_name}"))  # noqa: S608
    if base > budget:
        raise ValueError(f"the required fields of {object_name} alone exceed the URI limit")
    rest = [name for name in fields if name not in required]
    groups: list[tuple[str, ...]] = []
    current: list[str] = list(required)
    size = base
    for name in rest:
        cost = len(quote_plus("," + name))
        if size + cost > budget and len(current) > len(required):
            groups.append(tuple(current))
            current, size = list(required), base
        current.append(name)
        size += cost
    groups.append(tuple(current))
    return groups
