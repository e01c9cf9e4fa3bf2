"""Settings of the emulator: server options, rate limits and fault injection.

Limits and faults can be changed while the server runs (admin endpoints); both are given as
partial JSON objects that are validated member by member.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, TypeVar

from emulators.akountify.errors import ErrorDetail, validation_error

if TYPE_CHECKING:
    from pathlib import Path

DEFAULT_PORT = 8300
DEFAULT_TOKEN_TTL = 3600
DEFAULT_BODY_LIMIT = 3_670_016
DEFAULT_REQUESTS_PER_MINUTE = 60
DEFAULT_CONCURRENT_REQUESTS = 5


@dataclass(frozen=True)
class Limits:
    """Rate limits of one company (0 turns a limit off).

    Attributes:
        requests_per_minute: Requests allowed in each fixed 60-second window.
        concurrent_requests: Requests allowed in flight at once.
    """

    requests_per_minute: int = DEFAULT_REQUESTS_PER_MINUTE
    concurrent_requests: int = DEFAULT_CONCURRENT_REQUESTS

    def to_json(self) -> dict[str, int]:
        """The admin endpoint's form."""
        return asdict(self)


@dataclass(frozen=True)
class Faults:
    """Fault injection; everything off by default.

    A seeded RNG decides, per request in arrival order, which faults hit it. Faults never
    apply to ``/v1/health`` nor to the admin endpoints.

    Attributes:
        seed: Seed of the RNG (setting faults restarts the RNG from it).
        error_rate: Fraction of requests answered 500 ``internal_error`` or 503
            ``service_unavailable`` (half each), before anything is done.
        burst_rate: Fraction of requests that start a burst of 429 ``rate_limited`` answers.
        burst_length: Consecutive requests answered 429 in one burst.
        latency_ms: Delay added to a request, in milliseconds.
        latency_rate: Fraction of requests that get the delay.
        drop_rate: Fraction of requests whose connection is closed before anything is done
            (the client sees a connection error, not an HTTP status).
        drop_after_write_rate: Fraction of requests that are processed (writes committed) and
            whose connection is then closed without an answer.
        retry_after: ``Retry-After`` seconds on injected 429 and 503 answers.
        hold_requests: Company requests wait, counted as in flight, until this is turned off
            (for deterministic concurrency tests).
    """

    seed: int = 0
    error_rate: float = 0.0
    burst_rate: float = 0.0
    burst_length: int = 3
    latency_ms: int = 0
    latency_rate: float = 1.0
    drop_rate: float = 0.0
    drop_after_write_rate: float = 0.0
    retry_after: int = 1
    hold_requests: bool = False

    @property
    def active(self) -> bool:
        """Whether any fault can hit a request."""
        return bool(
            self.error_rate
            or self.burst_rate
            or self.latency_ms
            or self.drop_rate
            or self.drop_after_write_rate
        )

    def to_json(self) -> dict[str, Any]:
        """The admin endpoint's form."""
        return asdict(self)

    def updated(self, changes: Any) -> Faults:
        """A copy with ``changes`` (a partial JSON object) applied.

        Raises:
            ApiError: 422 naming each unknown or out-of-range member.
        """
        return _apply(self, changes, "faults")


_T = TypeVar("_T", "Limits", "Faults")
_RATES = {"error_rate", "burst_rate", "latency_rate", "drop_rate", "drop_after_write_rate"}


def _apply(current: _T, changes: Any, subject: str) -> _T:
    if not isinstance(changes, dict):
        detail = ErrorDetail("body", "invalid_format", "the body must be a JSON object")
        raise validation_error([detail], subject)
    known = {item.name: item for item in fields(current)}
    details: list[ErrorDetail] = []
    accepted: dict[str, Any] = {}
    for key, value in changes.items():
        spec = known.get(key)
        if spec is None:
            details.append(
                ErrorDetail(key, "unknown_field", f"{key} is not a setting: use {', '.join(known)}")
            )
            continue
        default = spec.default
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, float):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            ok = ok and (0.0 <= value <= 1.0 if key in _RATES else value >= 0)
        else:
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        if not ok:
            details.append(
                ErrorDetail(
                    key, "invalid_value", f"{key} {value!r} is out of range or of the wrong type"
                )
            )
        else:
            accepted[key] = float(value) if isinstance(default, float) else value
    if details:
        raise validation_error(details, subject)
    return replace(current, **accepted)


def updated_limits(current: Limits, changes: Any) -> Limits:
    """A copy of ``current`` with ``changes`` applied (see :meth:`Faults.updated`)."""
    return _apply(current, changes, "limits")


@dataclass
class ServeSettings:
    """Everything ``akountify-emulator serve`` is started with.

    Attributes:
        data_dir: Folder of the SQLite database and the admin token file.
        host: Interface to listen on.
        port: TCP port.
        token_ttl: Lifetime of access tokens, in seconds.
        limits: Default rate limits of every company.
        body_limit: Largest request body accepted, in bytes.
        faults: Fault injection at start.
        admin_token: Bearer token of the admin endpoints (generated when None).
        clock_offset: Seconds added to real time (tests move time instead of sleeping).
        access_log: Whether uvicorn logs one line per request.
    """

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    token_ttl: int = DEFAULT_TOKEN_TTL
    limits: Limits = field(default_factory=Limits)
    body_limit: int = DEFAULT_BODY_LIMIT
    faults: Faults = field(default_factory=Faults)
    admin_token: str | None = None
    clock_offset: float = 0.0
    access_log: bool = True

    @property
    def base_url(self) -> str:
        """The API's base URL."""
        return f"http://{self.host}:{self.port}/v1"
