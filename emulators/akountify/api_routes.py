"""The company API: records, batch, custom field definitions, sync runs.

Every endpoint runs inside :func:`company_scope` (authentication, tenancy, rate limits) and
does its database work on the emulator's database thread. Writes go through
:func:`write_response`, which applies ``Idempotency-Key`` atomically with the write.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import orjson
from starlette.responses import Response
from starlette.routing import Route

from emulators.akountify import batch, database, idempotency, sync_runs
from emulators.akountify.entities import ENTITIES, EntitySpec
from emulators.akountify.errors import ApiError, not_found
from emulators.akountify.idempotency import StoredResponse
from emulators.akountify.listing import DEFAULT_LIMIT, MAX_LIMIT, parse_list_query
from emulators.akountify.records import Target, require_external_id
from emulators.akountify.web import (
    JSON_TYPE,
    emulator_of,
    if_match,
    json_response,
    query_int,
    read_json,
    reject_unknown_params,
    request_id,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from starlette.requests import Request

    from emulators.akountify.accounts import Caller

COMPANY = "/v1/companies/{company_id}"


@contextlib.asynccontextmanager
async def company_scope(request: Request) -> AsyncIterator[Caller]:
    """Authenticate, check tenancy and rate limits, and count the request in flight.

    Raises:
        ApiError: 401, 403 or 429.
    """
    emulator = emulator_of(request)
    caller = await emulator.authenticate(request.headers.get("authorization"))
    company_id = request.path_params["company_id"]
    if caller.company_id != company_id:
        raise ApiError(
            403,
            "forbidden",
            f"this token belongs to company {caller.company_id}; it cannot reach company "
            f"{company_id}",
        )
    state = emulator.limiter.admit(company_id, emulator.clock.now_us())
    request.scope.setdefault("state", {})["rate"] = state
    emulator.limiter.enter(company_id, state)
    try:
        await emulator.faults.wait_while_held()
        yield caller
    finally:
        emulator.limiter.leave(company_id)


def _spec(request: Request) -> EntitySpec:
    name = request.path_params["entity"]
    spec = ENTITIES.get(name)
    if spec is None:
        raise not_found(f"there is no entity {name!r}: use {', '.join(ENTITIES)}")
    return spec


async def read(request: Request, work: Callable[[], Any]) -> Any:
    """Run ``work`` on the database thread inside one read snapshot."""
    emulator = emulator_of(request)

    def run() -> Any:
        with database.read(emulator.connection):
            return work()

    return await emulator.db(run)


async def write_response(
    request: Request,
    caller: Caller,
    work: Callable[[Any], tuple[int, Any]],
    *,
    optional_body: bool = False,
) -> Response:
    """Run a write with its ``Idempotency-Key`` handling and answer with its result.

    ``work`` receives the parsed body and returns ``(status, payload)``. With a key, the first
    response (success or client error) is stored in the same transaction as the write; a
    repeat returns it with ``Idempotent-Replayed: true`` and writes nothing.
    """
    emulator = emulator_of(request)
    key = idempotency.check_key(request.headers.get(idempotency.HEADER))
    body = await read_json(request, emulator.settings.body_limit, optional=optional_body)
    rid = request_id(request)
    request_hash = idempotency.fingerprint(request.method, request.url.path, body) if key else ""
    connection = emulator.connection

    def run() -> tuple[StoredResponse, bool, dict[str, str]]:
        try:
            with database.write(connection):
                now = emulator.clock.now_us()
                if key:
                    stored = idempotency.find(connection, caller.company_id, key, request_hash, now)
                    if stored is not None:
                        return stored, True, {}
                headers: dict[str, str] = {}
                try:
                    with database.savepoint(connection, "request"):
                        status, payload = work(body)
                    response = StoredResponse(status, orjson.dumps(payload))
                except ApiError as error:
                    if not key:
                        raise
                    response = StoredResponse(error.status, orjson.dumps(error.body(rid)))
                    headers = error.headers
                if key:
                    idempotency.remember(
                        connection,
                        company_id=caller.company_id,
                        key=key,
                        request_hash=request_hash,
                        response=response,
                        now_us=now,
                    )
                return response, False, headers
        except BaseException:
            emulator.registry.forget()
            raise

    response, replayed, headers = await emulator.db(run)
    if replayed:
        headers = {"Idempotent-Replayed": "true"}
    return Response(
        response.body, status_code=response.status, headers=headers, media_type=JSON_TYPE
    )


# --------------------------------------------------------------------------- records


async def list_records(request: Request) -> Response:
    """``GET /companies/{cid}/{entity}``."""
    async with company_scope(request) as caller:
        spec = _spec(request)
        query = parse_list_query(request)
        store = emulator_of(request).store
        return json_response(await read(request, lambda: store.list_page(caller, spec, query)))


async def get_record(request: Request) -> Response:
    """``GET /companies/{cid}/{entity}/{id}``."""
    async with company_scope(request) as caller:
        spec = _spec(request)
        reject_unknown_params(request, set())
        record_id = request.path_params["record_id"]
        store = emulator_of(request).store
        return json_response(await read(request, lambda: store.get(caller, spec, record_id)))


async def get_by_external_id(request: Request) -> Response:
    """``GET /companies/{cid}/{entity}/by-external-id/{external_id}``."""
    async with company_scope(request) as caller:
        spec = _spec(request)
        external_id = request.path_params["external_id"]
        store = emulator_of(request).store

        def work() -> dict[str, Any]:
            record = store.by_external_id(caller.company_id, spec.name, external_id)
            if record is None:
                raise not_found(f"no {spec.singular} has external_id {external_id!r}")
            return store.render(caller, spec, record)

        return json_response(await read(request, work))


def _new(_request: Request, _spec: EntitySpec) -> Target:
    return Target()


def _by_external_id(request: Request, spec: EntitySpec) -> Target:
    return Target(
        external_id=require_external_id(request.path_params["external_id"], spec.singular)
    )


def _by_id(request: Request, _spec: EntitySpec) -> Target:
    return Target(record_id=request.path_params["record_id"])


async def _single_write(
    request: Request,
    target_of: Callable[[Request, EntitySpec], Target],
    *,
    allow_create: bool = True,
    archive: bool = False,
) -> Response:
    """One record written (or archived) with ``If-Match`` and ``Idempotency-Key`` handling."""
    async with company_scope(request) as caller:
        spec = _spec(request)
        target = target_of(request, spec)
        version = if_match(request)
        store = emulator_of(request).store

        def work(body: Any) -> tuple[int, Any]:
            if archive:
                if body not in (None, {}):
                    raise ApiError(400, "bad_request", "archive takes no body (or an empty object)")
                outcome = store.archive(caller, spec, target, if_version=version)
            else:
                outcome = store.write(
                    caller, spec, target, body, if_version=version, allow_create=allow_create
                )
            return outcome.status, outcome.record

        return await write_response(request, caller, work, optional_body=archive)


async def create_record(request: Request) -> Response:
    """``POST /companies/{cid}/{entity}``: create (an external id is optional)."""
    return await _single_write(request, _new)


async def upsert_by_external_id(request: Request) -> Response:
    """``PUT /companies/{cid}/{entity}/by-external-id/{external_id}``: 201 created or 200."""
    return await _single_write(request, _by_external_id)


async def patch_record(request: Request) -> Response:
    """``PATCH /companies/{cid}/{entity}/{id}``: sparse update, optional ``If-Match``."""
    return await _single_write(request, _by_id, allow_create=False)


async def archive_record(request: Request) -> Response:
    """``POST /companies/{cid}/{entity}/{id}/archive``."""
    return await _single_write(request, _by_id, archive=True)


async def post_batch(request: Request) -> Response:
    """``POST /companies/{cid}/batch``."""
    async with company_scope(request) as caller:
        emulator = emulator_of(request)

        def work(body: Any) -> tuple[int, Any]:
            operations = batch.check_envelope(body)
            return 200, batch.run_batch(emulator.store, caller, operations)

        return await write_response(request, caller, work)


# --------------------------------------------------------------------------- custom fields


async def list_definitions(request: Request) -> Response:
    """``GET /companies/{cid}/custom-field-definitions[?entity=]``."""
    async with company_scope(request) as caller:
        reject_unknown_params(request, {"entity"})
        entity = request.query_params.get("entity")
        if entity is not None and entity not in ENTITIES:
            raise ApiError(400, "bad_request", f"entity must be one of {', '.join(ENTITIES)}")
        registry = emulator_of(request).registry

        def work() -> dict[str, Any]:
            items = registry.list_all(caller.company_id, entity)
            return {
                "data": [item.to_json() for item in items],
                "next_cursor": None,
                "has_more": False,
            }

        return json_response(await read(request, work))


async def create_definition(request: Request) -> Response:
    """``POST /companies/{cid}/custom-field-definitions``."""
    async with company_scope(request) as caller:
        registry = emulator_of(request).registry

        def work(body: Any) -> tuple[int, Any]:
            return 201, registry.create(caller.company_id, body).to_json()

        return await write_response(request, caller, work)


async def delete_definition(request: Request) -> Response:
    """``DELETE /companies/{cid}/custom-field-definitions/{id}``."""
    async with company_scope(request) as caller:
        emulator = emulator_of(request)
        definition_id = request.path_params["definition_id"]

        def run() -> None:
            try:
                with database.write(emulator.connection):
                    emulator.registry.delete(caller.company_id, definition_id)
            except BaseException:
                emulator.registry.forget()
                raise

        await emulator.db(run)
        return Response(status_code=204)


# --------------------------------------------------------------------------- sync runs


async def list_sync_runs(request: Request) -> Response:
    """``GET /companies/{cid}/sync-runs``: newest first."""
    async with company_scope(request) as caller:
        reject_unknown_params(request, {"limit", "cursor"})
        limit = query_int(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        cursor = request.query_params.get("cursor")
        connection = emulator_of(request).connection
        return json_response(
            await read(request, lambda: sync_runs.list_runs(connection, caller, limit, cursor))
        )


async def get_sync_run(request: Request) -> Response:
    """``GET /companies/{cid}/sync-runs/{id}``."""
    async with company_scope(request) as caller:
        connection = emulator_of(request).connection
        run_id = request.path_params["run_id"]
        return json_response(
            await read(request, lambda: sync_runs.get_run(connection, caller, run_id))
        )


async def create_sync_run(request: Request) -> Response:
    """``POST /companies/{cid}/sync-runs``."""
    async with company_scope(request) as caller:
        emulator = emulator_of(request)

        def work(body: Any) -> tuple[int, Any]:
            return 201, sync_runs.create_run(emulator.connection, caller, body, emulator.clock)

        return await write_response(request, caller, work)


ROUTES = [
    Route(f"{COMPANY}/batch", post_batch, methods=["POST"]),
    Route(f"{COMPANY}/custom-field-definitions", list_definitions, methods=["GET"]),
    Route(f"{COMPANY}/custom-field-definitions", create_definition, methods=["POST"]),
    Route(
        f"{COMPANY}/custom-field-definitions/{{definition_id}}",
        delete_definition,
        methods=["DELETE"],
    ),
    Route(f"{COMPANY}/sync-runs", list_sync_runs, methods=["GET"]),
    Route(f"{COMPANY}/sync-runs", create_sync_run, methods=["POST"]),
    Route(f"{COMPANY}/sync-runs/{{run_id}}", get_sync_run, methods=["GET"]),
    Route(f"{COMPANY}/{{entity}}", list_records, methods=["GET"]),
    Route(f"{COMPANY}/{{entity}}", create_record, methods=["POST"]),
    Route(
        f"{COMPANY}/{{entity}}/by-external-id/{{external_id:path}}",
        get_by_external_id,
        methods=["GET"],
    ),
    Route(
        f"{COMPANY}/{{entity}}/by-external-id/{{external_id:path}}",
        upsert_by_external_id,
        methods=["PUT"],
    ),
    Route(f"{COMPANY}/{{entity}}/{{record_id}}", get_record, methods=["GET"]),
    Route(f"{COMPANY}/{{entity}}/{{record_id}}", patch_record, methods=["PATCH"]),
    Route(f"{COMPANY}/{{entity}}/{{record_id}}/archive", archive_record, methods=["POST"]),
]
