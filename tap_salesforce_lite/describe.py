"""Discovery: describe only the configured objects, in composite batches of 25.

An object name that does not exist (or that the integration user cannot see) is reported with
the closest names the org has; ``*`` describes every object the user can query and replicate.
"""

from __future__ import annotations

import difflib
import logging
from typing import TYPE_CHECKING, Any, Final

from tap_salesforce_lite.errors import ObjectNotFoundError, PermissionMissingError
from tap_salesforce_lite.objects import ObjectInfo

if TYPE_CHECKING:
    from tap_salesforce_lite.client import SalesforceClient

LOGGER = logging.getLogger(__name__)

BATCH_SIZE: Final = 25
_FORBIDDEN: Final = 403


def describe_global(client: SalesforceClient) -> list[dict[str, Any]]:
    """The org's objects as the global describe lists them."""
    body = client.get_json(
        client.data_path("sobjects"), doing="listing the org's objects", kind="describe"
    )
    return [entry for entry in body.get("sobjects") or [] if isinstance(entry, dict)]


def replicable_names(objects: list[dict[str, Any]]) -> list[str]:
    """Names of the objects that can be queried and replicated, in global describe order."""
    return [
        str(entry["name"])
        for entry in objects
        if entry.get("queryable") and entry.get("replicateable", True) and entry.get("name")
    ]


def closest_names(name: str, candidates: list[str], count: int = 3) -> list[str]:
    """Up to ``count`` candidates closest to ``name`` (case-insensitive)."""
    by_lower = {candidate.lower(): candidate for candidate in candidates}
    matches = difflib.get_close_matches(name.lower(), list(by_lower), n=count, cutoff=0.6)
    return [by_lower[match] for match in matches]


def describe_objects(client: SalesforceClient, names: list[str]) -> list[ObjectInfo]:
    """Describe ``names`` (case-insensitive) with composite batch requests.

    Args:
        client: The API client.
        names: Object API names.

    Returns:
        The objects, in the order given, with their canonical names.

    Raises:
        ObjectNotFoundError: For names the org does not have (with the closest names).
        PermissionMissingError: For objects the user may not describe or query.
    """
    described: list[ObjectInfo] = []
    missing: list[str] = []
    for start in range(0, len(names), BATCH_SIZE):
        chunk = names[start : start + BATCH_SIZE]
        requests = [
            {"method": "GET", "url": client.data_path(f"sobjects/{name}/describe")}
            for name in chunk
        ]
        body = client.send_json(
            "POST",
            client.data_path("composite/batch"),
            {"batchRequests": requests},
            doing=f"describing {', '.join(chunk)}",
            kind="describe",
        )
        for name, result in zip(chunk, body.get("results") or [], strict=False):
            status = int(result.get("statusCode") or 0)
            payload = result.get("result")
            if status == _FORBIDDEN:
                raise PermissionMissingError(
                    f"The integration user may not describe {name} ({_said(payload)}): grant it "
                    "read access to the object"
                )
            if status != 200 or not isinstance(payload, dict):  # noqa: PLR2004
                missing.append(name)
                continue
            info = ObjectInfo.from_describe(payload)
            if not payload.get("queryable", True):
                raise PermissionMissingError(
                    f"Object {info.name} cannot be queried by the integration user: grant it "
                    "read access to the object, or remove it from 'objects'"
                )
            described.append(info)
    if missing:
        raise _not_found(client, missing)
    return described


def _said(payload: Any) -> str:
    if isinstance(payload, list) and payload and isinstance(payload[0], dict):
        first = payload[0]
        return f"{first.get('errorCode', '')}: {first.get('message', '')}".strip(": ")
    return "refused"


def _not_found(client: SalesforceClient, missing: list[str]) -> ObjectNotFoundError:
    available = [str(entry.get("name")) for entry in describe_global(client) if entry.get("name")]
    parts = []
    for name in missing:
        close = closest_names(name, available)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        parts.append(f"'{name}'{hint}")
    return ObjectNotFoundError(
        f"Salesforce has no object {', '.join(parts)} that the integration user can see: fix "
        "the name in 'objects' (custom objects end in __c) or give the user read access to it"
    )


def discover(
    client: SalesforceClient, names: tuple[str, ...], *, everything: bool
) -> list[ObjectInfo]:
    """The objects to replicate: ``names``, or every replicable object when ``everything``."""
    if everything:
        wanted = replicable_names(describe_global(client))
        LOGGER.info("Describing all %d queryable, replicable objects", len(wanted))
    else:
        wanted = list(names)
    return describe_objects(client, wanted)
