"""REST resources other than query.

Versions, resources, limits, describes, composite batch and sObject create/read/update/delete.

Each resource is a small operation returning ``(status, body)`` so that ``composite/batch``
runs subrequests through the very same code as direct calls.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import orjson
from starlette.responses import Response

from emulators.salesforce.describe import describe_global, describe_object
from emulators.salesforce.errors import SalesforceApiError
from emulators.salesforce.gate import ApiCall, api_endpoint, parse_version
from emulators.salesforce.query import op_query
from emulators.salesforce.responses import JsonResponse, not_found
from emulators.salesforce.settings import api_versions, release_label

if TYPE_CHECKING:
    from starlette.requests import Request

    from emulators.salesforce.schema import ObjectDef
    from emulators.salesforce.state import EmulatorState

MAX_BATCH_SUBREQUESTS = 25
OpResult = tuple[int, Any]


# -- helpers -------------------------------------------------------------------------------
def json_body(raw: bytes) -> Any:
    """Parse a request body as JSON, failing as Salesforce does."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise SalesforceApiError(
            400, "JSON_PARSER_ERROR", f"The request body is not valid JSON: {exc}"
        ) from exc


def sobject(state: EmulatorState, name: str) -> ObjectDef:
    """Return the object called ``name`` or raise NOT_FOUND."""
    obj = state.catalog.get(name)
    if obj is None:
        raise not_found()
    return obj


class DescribeCache:
    """Serialized describes, per object and API version (the catalogue never changes)."""

    def __init__(self) -> None:
        """Start empty."""
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], orjson.Fragment] = {}

    def get(self, key: tuple[str, str], build: Any) -> orjson.Fragment:
        """Return the cached JSON of ``key``, building it with ``build()`` the first time."""
        with self._lock:
            cached = self._cache.get(key)
        if cached is None:
            cached = orjson.Fragment(orjson.dumps(build()))
            with self._lock:
                self._cache[key] = cached
        return cached


_DESCRIBES = DescribeCache()


# -- operations ----------------------------------------------------------------------------
def op_versions(state: EmulatorState) -> OpResult:
    """``GET /services/data/``."""
    del state
    return 200, [
        {"label": release_label(v), "url": f"/services/data/v{v}", "version": v}
        for v in api_versions()
    ]


def op_resources(call: ApiCall) -> OpResult:
    """``GET /services/data/vXX.X/``: the resources of a version."""
    base = call.base_path
    names = ("composite", "jobs", "limits", "query", "queryAll", "sobjects")
    body = {name: f"{base}/{name}" for name in names}
    body["jobs"] = f"{base}/jobs/query"
    return 200, body


def op_limits(call: ApiCall) -> OpResult:
    """``GET /services/data/vXX.X/limits``."""
    return 200, call.state.usage.limits_body()


def op_describe_global(call: ApiCall) -> OpResult:
    """``GET /services/data/vXX.X/sobjects``."""
    state = call.state
    key = ("*global*", call.version)
    return 200, _DESCRIBES.get(key, lambda: describe_global(state.catalog, call.version))


def op_describe(call: ApiCall, name: str) -> OpResult:
    """``GET /services/data/vXX.X/sobjects/{name}/describe``."""
    obj = sobject(call.state, name)
    catalog = call.state.catalog
    return 200, _DESCRIBES.get(
        (obj.name, call.version), lambda: describe_object(obj, catalog, call.version)
    )


def op_sobject_basic(call: ApiCall, name: str) -> OpResult:
    """``GET /services/data/vXX.X/sobjects/{name}``: the global entry and recent items."""
    obj = sobject(call.state, name)
    everything = describe_global(call.state.catalog, call.version)
    entry = next(o for o in everything["sobjects"] if o["name"] == obj.name)
    return 200, {"objectDescribe": entry, "recentItems": []}


async def op_get_record(call: ApiCall, name: str, record_id: str, fields: str | None) -> OpResult:
    """``GET /services/data/vXX.X/sobjects/{name}/{id}[?fields=a,b]``."""
    obj = sobject(call.state, name)
    wanted = [f.strip() for f in fields.split(",") if f.strip()] if fields else None
    store = call.state.store
    record = await call.state.worker.run(
        store.get, obj.name, record_id, wanted, api_version=call.version
    )
    return 200, record


async def op_create(call: ApiCall, name: str, values: Any) -> OpResult:
    """``POST /services/data/vXX.X/sobjects/{name}``."""
    obj = sobject(call.state, name)
    if not isinstance(values, dict):
        raise SalesforceApiError(
            400,
            "JSON_PARSER_ERROR",
            f"Cannot create a {obj.name} from a JSON {type(values).__name__}: send one JSON "
            "object of field names and values",
        )
    store = call.state.store
    record_id = await call.state.worker.run(
        store.create, obj.name, values, user_id=call.session.user_id
    )
    return 201, {"id": record_id, "success": True, "errors": []}


async def op_update(call: ApiCall, name: str, record_id: str, values: Any) -> OpResult:
    """``PATCH /services/data/vXX.X/sobjects/{name}/{id}``."""
    obj = sobject(call.state, name)
    if not isinstance(values, dict):
        raise SalesforceApiError(
            400,
            "JSON_PARSER_ERROR",
            f"Cannot update a {obj.name} from a JSON {type(values).__name__}: send one JSON "
            "object of field names and values",
        )
    store = call.state.store
    await call.state.worker.run(
        store.update, obj.name, record_id, values, user_id=call.session.user_id
    )
    return 204, None


async def op_delete(call: ApiCall, name: str, record_id: str) -> OpResult:
    """``DELETE /services/data/vXX.X/sobjects/{name}/{id}``."""
    obj = sobject(call.state, name)
    store = call.state.store
    await call.state.worker.run(store.delete, obj.name, record_id, user_id=call.session.user_id)
    return 204, None


def to_response(result: OpResult) -> Response:
    """Turn an operation's result into an HTTP response."""
    status, body = result
    if status == 204:  # noqa: PLR2004
        return Response(status_code=204)
    return JsonResponse(body, status_code=status)


# -- routes --------------------------------------------------------------------------------
async def versions(request: Request) -> Response:
    """``GET /services/data/`` (no authentication, as in Salesforce)."""
    return to_response(op_versions(request.app.state.emulator))


@api_endpoint
async def resources(request: Request, call: ApiCall) -> Response:
    """``GET /services/data/vXX.X/``."""
    del request
    return to_response(op_resources(call))


@api_endpoint
async def limits(request: Request, call: ApiCall) -> Response:
    """``GET /services/data/vXX.X/limits``."""
    del request
    return to_response(op_limits(call))


@api_endpoint
async def sobjects(request: Request, call: ApiCall) -> Response:
    """``GET /services/data/vXX.X/sobjects``."""
    del request
    return to_response(op_describe_global(call))


@api_endpoint
async def sobject_describe(request: Request, call: ApiCall) -> Response:
    """``GET /services/data/vXX.X/sobjects/{name}/describe``."""
    return to_response(op_describe(call, request.path_params["name"]))


@api_endpoint
async def sobject_root(request: Request, call: ApiCall) -> Response:
    """``GET`` (basic info) or ``POST`` (create) ``/services/data/vXX.X/sobjects/{name}``."""
    name = request.path_params["name"]
    if request.method == "POST":
        return to_response(await op_create(call, name, json_body(await request.body())))
    return to_response(op_sobject_basic(call, name))


@api_endpoint
async def sobject_record(request: Request, call: ApiCall) -> Response:
    """``GET``, ``PATCH`` or ``DELETE`` ``/services/data/vXX.X/sobjects/{name}/{id}``."""
    name, record_id = request.path_params["name"], request.path_params["record_id"]
    if request.method == "PATCH":
        values = json_body(await request.body())
        return to_response(await op_update(call, name, record_id, values))
    if request.method == "DELETE":
        return to_response(await op_delete(call, name, record_id))
    fields = request.query_params.get("fields")
    return to_response(await op_get_record(call, name, record_id, fields))


@api_endpoint
async def composite_batch(request: Request, call: ApiCall) -> Response:
    """``POST /services/data/vXX.X/composite/batch``: up to 25 GET subrequests."""
    payload = json_body(await request.body())
    requests_ = payload.get("batchRequests") if isinstance(payload, dict) else None
    if not isinstance(requests_, list) or not requests_:
        raise SalesforceApiError(
            400,
            "INVALID_BATCH_REQUEST",
            'The body must be {"batchRequests": [{"method": "GET", "url": "..."}, ...]}',
        )
    if len(requests_) > MAX_BATCH_SUBREQUESTS:
        raise SalesforceApiError(
            400,
            "INVALID_BATCH_REQUEST",
            f"A batch holds at most {MAX_BATCH_SUBREQUESTS} subrequests; "
            f"this one has {len(requests_)}. Split it into several batches.",
        )
    halt = bool(payload.get("haltOnError", False))
    results: list[dict[str, Any]] = []
    has_errors = False
    for index, sub in enumerate(requests_):
        if halt and has_errors:
            results.append(_halted())
            continue
        try:
            status, body = await _subrequest(call, index, sub)
        except SalesforceApiError as error:
            status, body = error.status, error.body()
        has_errors = has_errors or status >= 400  # noqa: PLR2004
        results.append({"statusCode": status, "result": body})
    call.state.count("composite_subrequests", len(requests_))
    return JsonResponse({"hasErrors": has_errors, "results": results})


def _halted() -> dict[str, Any]:
    return {
        "statusCode": 412,
        "result": [
            {
                "errorCode": "BATCH_PROCESSING_HALTED",
                "message": "Batch processing halted per request",
            }
        ],
    }


_SUB_URL = re.compile(r"^(?:/services/data/)?v(?P<version>[0-9.]+)/(?P<rest>.*)$")


async def _subrequest(call: ApiCall, index: int, sub: Any) -> OpResult:
    if not isinstance(sub, dict) or not isinstance(sub.get("url"), str):
        raise SalesforceApiError(
            400, "INVALID_BATCH_REQUEST", f"batchRequests[{index}] needs a 'url' string"
        )
    method = str(sub.get("method", "GET")).upper()
    if method != "GET":
        raise SalesforceApiError(
            405,
            "METHOD_NOT_ALLOWED",
            f"batchRequests[{index}]: the emulator runs GET subrequests only, not {method}",
        )
    parts = urlsplit(sub["url"])
    match = _SUB_URL.match(parts.path)
    version = parse_version(match.group("version")) if match else None
    if match is None or version is None:
        raise not_found()
    sub_call = ApiCall(state=call.state, session=call.session, version=version)
    path = match.group("rest").strip("/").split("/")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    return await _dispatch_get(sub_call, path, query)


async def _dispatch_get(call: ApiCall, path: list[str], query: dict[str, str]) -> OpResult:
    head = path[0] if path else ""
    if path == ["limits"]:
        return op_limits(call)
    if path == ["sobjects"]:
        return op_describe_global(call)
    if head == "sobjects" and len(path) == 3 and path[2] == "describe":  # noqa: PLR2004
        return op_describe(call, path[1])
    if head == "sobjects" and len(path) == 2:  # noqa: PLR2004
        return op_sobject_basic(call, path[1])
    if head == "sobjects" and len(path) == 3:  # noqa: PLR2004
        return await op_get_record(call, path[1], path[2], query.get("fields"))
    if head in {"query", "queryAll"} and len(path) == 1 and "q" in query:
        return await op_query(call, query["q"], include_deleted=head == "queryAll")
    raise not_found()
