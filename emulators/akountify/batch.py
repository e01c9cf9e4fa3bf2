"""``POST /batch``: up to 50 operations run in order, each on its own.

The envelope (``operations``: 1 to 50 objects with distinct ``op_id``) is checked first and a
bad envelope fails the whole request with 422. After that every operation runs on its own: the
record store checks everything before its single write statement, so a failing operation
writes nothing and reports its error, and the others go on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from emulators.akountify.entities import CUSTOMERS, ENTITIES
from emulators.akountify.errors import ApiError, validation_error
from emulators.akountify.records import Target, WriteOutcome, check_external_id
from emulators.akountify.validation import Problems, type_name

if TYPE_CHECKING:
    from emulators.akountify.accounts import Caller
    from emulators.akountify.records import RecordStore

MAX_OPERATIONS = 50
OP_ID_MAX = 100
ACTIONS: Final = ("upsert", "archive")
OP_KEYS: Final = ("op_id", "action", "entity", "external_id", "id", "data", "if_version")
_OP_KEY_SET: Final = frozenset(OP_KEYS)


def check_envelope(body: Any) -> list[dict[str, Any]]:
    """Validate the batch envelope and return its operations.

    Raises:
        ApiError: 422 ``validation_failed`` naming each problem of the envelope.
    """
    problems = Problems()
    if not isinstance(body, dict):
        problems.add("body", "invalid_format", 'the body must be {"operations": [...]}')
        raise validation_error(problems.details, "batch")
    for key in sorted(set(body) - {"operations"}):
        problems.add(
            key, "unknown_field", f'{key} is not a member of a batch: send only "operations"'
        )
    operations = body.get("operations")
    if operations is None:
        problems.add(
            "operations", "required", "operations is required: a list of 1 to 50 operations"
        )
    elif not isinstance(operations, list):
        problems.add(
            "operations",
            "invalid_format",
            f"operations must be an array, not {type_name(operations)}",
        )
    elif not operations:
        problems.add("operations", "required", "operations is empty: send 1 to 50 operations")
    elif len(operations) > MAX_OPERATIONS:
        problems.add(
            "operations",
            "too_many",
            f"a batch holds at most {MAX_OPERATIONS} operations, this one has {len(operations)}: "
            "split it",
            limit=MAX_OPERATIONS,
        )
    else:
        _check_op_ids(operations, problems)
    if problems:
        raise validation_error(problems.details, "batch")
    return list(operations)  # type: ignore[arg-type]


def _check_op_ids(operations: list[Any], problems: Problems) -> None:
    """Every operation is an object with a distinct ``op_id``."""
    seen: dict[str, int] = {}
    for index, operation in enumerate(operations):
        path = f"operations[{index}]"
        if not isinstance(operation, dict):
            problems.add(path, "invalid_format", f"{path} must be an object")
            continue
        op_id = operation.get("op_id")
        if op_id is None:
            problems.add(f"{path}.op_id", "required", f"{path}.op_id is required")
        elif not isinstance(op_id, str) or not op_id or len(op_id) > OP_ID_MAX:
            problems.add(
                f"{path}.op_id",
                "invalid_format",
                f"{path}.op_id must be a string of 1 to {OP_ID_MAX} characters",
            )
        elif op_id in seen:
            problems.add(
                f"{path}.op_id",
                "invalid_value",
                f"{path}.op_id {op_id!r} is also used by operations[{seen[op_id]}]: op_ids "
                "must be distinct",
            )
        else:
            seen[op_id] = index


def _check_what(operation: dict[str, Any], problems: Problems) -> None:
    """Members, ``action`` and ``entity`` of an operation."""
    if (
        operation.keys() <= _OP_KEY_SET
        and operation.get("action") in ACTIONS
        and operation.get("entity") in ENTITIES
    ):
        return
    for key in sorted(set(operation) - _OP_KEY_SET):
        problems.add(
            key, "unknown_field", f"{key} is not a member of an operation: use {', '.join(OP_KEYS)}"
        )
    action = operation.get("action")
    if action not in ACTIONS:
        problems.add(
            "action",
            "required" if action is None else "invalid_value",
            f"action must be one of {', '.join(ACTIONS)}",
        )
    entity = operation.get("entity")
    if entity not in ENTITIES:
        problems.add(
            "entity",
            "required" if entity is None else "invalid_value",
            f"entity must be one of {', '.join(ENTITIES)}",
        )


def _check_target(operation: dict[str, Any], problems: Problems) -> None:
    """How the operation addresses its record, its ``if_version`` and its ``data``."""
    action = operation.get("action")
    external_id, record_id = operation.get("external_id"), operation.get("id")
    for key, value in (("external_id", external_id), ("id", record_id)):
        if value is not None:
            check_external_id(value, key, problems)
    if external_id is None and record_id is None:
        problems.add(
            "external_id", "required", "address the record by external_id (or by id to update one)"
        )
    elif external_id is not None and record_id is not None:
        problems.add(
            "id",
            "invalid_value",
            "give external_id or id, not both; to link a record found by id, put the external "
            "id in data.external_id",
        )
    if_version = operation.get("if_version")
    if if_version is not None and (
        isinstance(if_version, bool) or not isinstance(if_version, int) or if_version < 0
    ):
        problems.add("if_version", "invalid_format", "if_version must be a whole number ≥ 0")
    data = operation.get("data")
    if action == "archive" and data is not None:
        problems.add("data", "invalid_value", "archive takes no data: omit it")
    if action == "upsert" and data is None:
        problems.add("data", "required", "an upsert needs data (an object of fields)")


def _run_operation(store: RecordStore, caller: Caller, operation: dict[str, Any]) -> WriteOutcome:
    op_id = operation["op_id"]
    problems = Problems()
    _check_what(operation, problems)
    _check_target(operation, problems)
    if problems:
        raise validation_error(problems.details, f"operation {op_id}")
    spec = ENTITIES[operation["entity"]]
    target = Target(external_id=operation.get("external_id"), record_id=operation.get("id"))
    if_version = operation.get("if_version")
    if operation["action"] == "archive":
        return store.archive(caller, spec, target, if_version=if_version)
    return store.write(caller, spec, target, operation.get("data"), if_version=if_version)


def run_batch(
    store: RecordStore,
    caller: Caller,
    operations: list[dict[str, Any]],
) -> dict[str, Any]:
    """Run the operations in order inside the caller's write transaction.

    Returns:
        ``{"results": [...]}``, one result per operation, in order.
    """
    results = []
    with store.batch_lookups(caller.company_id, _external_ids_used(operations)):
        for operation in operations:
            result: dict[str, Any] = {"op_id": operation["op_id"]}
            try:
                outcome = _run_operation(store, caller, operation)
            except ApiError as error:
                result.update(status=error.status, result=None, record=None, error=error.to_json())
            else:
                result.update(
                    status=outcome.status, result=outcome.result, record=outcome.record, error=None
                )
            results.append(result)
    return {"results": results}


def _external_ids_used(operations: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The external ids the operations will look up, per entity (addresses and references).

    Only well-formed values are collected; a malformed operation fails its own checks later.
    """
    wanted: dict[str, dict[str, None]] = {}
    for operation in operations:
        spec = ENTITIES.get(operation.get("entity"))  # type: ignore[arg-type]
        if spec is None:
            continue
        data = operation.get("data")
        data = data if isinstance(data, dict) else {}
        for value in (operation.get("external_id"), data.get("external_id")):
            if isinstance(value, str):
                wanted.setdefault(spec.name, {})[value] = None
        for name in spec.reference_fields:
            reference = data.get(name)
            value = reference.get("external_id") if isinstance(reference, dict) else None
            if isinstance(value, str):
                wanted.setdefault(CUSTOMERS.name, {})[value] = None
    return {entity: list(ids) for entity, ids in wanted.items()}
