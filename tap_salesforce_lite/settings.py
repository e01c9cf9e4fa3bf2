"""The tap's settings: the JSON schema users see and the validated values the code uses.

:data:`CONFIG_SCHEMA` becomes ``--about`` and the Meltano settings table. :func:`load_settings`
turns a config mapping into a frozen :class:`TapSettings`, resolves the auth flow from what is
given (or checks the explicit one has everything it needs) and reports every problem at once as
a :class:`~singer_sdk.exceptions.ConfigValidationError`, before any request is sent.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError

if TYPE_CHECKING:
    from collections.abc import Mapping

PRODUCTION_LOGIN_URL: Final = "https://login.salesforce.com"
SANDBOX_LOGIN_URL: Final = "https://test.salesforce.com"
DEFAULT_API_VERSION: Final = "62.0"
DEFAULT_OBJECTS: Final = ("Account", "Contact", "Opportunity")
ALL_OBJECTS: Final = "*"


class AuthFlow(enum.StrEnum):
    """The OAuth flows (and the legacy SOAP login) the tap can log in with."""

    CLIENT_CREDENTIALS = "client_credentials"
    JWT_BEARER = "jwt_bearer"
    REFRESH_TOKEN = "refresh_token"  # noqa: S105 - a flow name, not a secret
    PASSWORD = "password"  # noqa: S105 - a flow name, not a secret
    SOAP = "soap"


class ApiType(enum.StrEnum):
    """Which Salesforce API reads the records."""

    AUTO = "auto"
    REST = "rest"
    BULK = "bulk"


#: Settings each flow needs, in the order an error message lists them.
FLOW_REQUIREMENTS: Final[dict[AuthFlow, tuple[str, ...]]] = {
    AuthFlow.CLIENT_CREDENTIALS: ("client_id", "client_secret"),
    AuthFlow.JWT_BEARER: ("client_id", "username", "private_key or private_key_path"),
    AuthFlow.REFRESH_TOKEN: ("client_id", "refresh_token"),
    AuthFlow.PASSWORD: ("client_id", "client_secret", "username", "password"),
    AuthFlow.SOAP: ("username", "password"),
}

#: Settings whose values are secrets: never logged, never in messages or state.
SECRET_SETTINGS: Final = (
    "client_id",
    "client_secret",
    "refresh_token",
    "password",
    "security_token",
    "private_key",
)

CONFIG_SCHEMA: Final[dict[str, Any]] = th.PropertiesList(
    th.Property(
        "auth_flow",
        th.StringType,
        default="auto",
        allowed_values=["auto", *[flow.value for flow in AuthFlow]],
        description=(
            "How to log in. 'auto' picks from the credentials given: jwt_bearer when a private "
            "key is set, else refresh_token, else password (OAuth, with a connected app), else "
            "client_credentials, else soap (username, password and security token only). "
            "client_credentials and jwt_bearer are the recommended flows for an integration user."
        ),
    ),
    th.Property(
        "client_id",
        th.StringType,
        secret=True,
        description="Consumer key of the connected app (every flow but soap).",
    ),
    th.Property(
        "client_secret",
        th.StringType,
        secret=True,
        description="Consumer secret of the connected app (client_credentials, password; "
        "optional for refresh_token).",
    ),
    th.Property(
        "refresh_token",
        th.StringType,
        secret=True,
        description="OAuth refresh token issued to the connected app (refresh_token flow).",
    ),
    th.Property(
        "username",
        th.StringType,
        description="Salesforce username of the integration user (jwt_bearer, password, soap).",
    ),
    th.Property(
        "password",
        th.StringType,
        secret=True,
        description="Password of the integration user (password and soap flows).",
    ),
    th.Property(
        "security_token",
        th.StringType,
        secret=True,
        description="Security token of the integration user, appended to the password "
        "(password and soap flows; not needed from trusted IP ranges).",
    ),
    th.Property(
        "private_key",
        th.StringType,
        secret=True,
        description="PEM text of the RSA private key whose certificate is uploaded to the "
        "connected app (jwt_bearer flow). Alternative to private_key_path.",
    ),
    th.Property(
        "private_key_path",
        th.StringType,
        description="Path of a PEM file holding that RSA private key (jwt_bearer flow).",
    ),
    th.Property(
        "login_url",
        th.StringType,
        default=PRODUCTION_LOGIN_URL,
        description=(
            "Where to log in: https://login.salesforce.com (production, the default), "
            "https://test.salesforce.com (sandbox) or your My Domain URL "
            "(https://yourcompany.my.salesforce.com, required by client_credentials)."
        ),
    ),
    th.Property(
        "instance_url",
        th.StringType,
        description="Instance URL for API calls. By default the one the login returns.",
    ),
    th.Property(
        "api_version",
        th.StringType,
        default=DEFAULT_API_VERSION,
        description="Salesforce API version, e.g. 62.0.",
    ),
    th.Property(
        "ca_bundle",
        th.StringType,
        description=(
            "Path of a CA certificate bundle to trust for HTTPS to Salesforce. When set it "
            "wins over REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE. Verification is never disabled."
        ),
    ),
    th.Property(
        "objects",
        th.ArrayType(th.StringType),
        default=list(DEFAULT_OBJECTS),
        description=(
            "Objects to replicate, by API name (custom objects end in __c). '*' means every "
            "object the integration user can query and replicate."
        ),
    ),
    th.Property(
        "start_date",
        th.DateTimeType,
        description="Earliest SystemModstamp (or other replication key) read by the first run.",
    ),
    th.Property(
        "lookback_window",
        th.IntegerType(minimum=0),
        default=600,
        description=(
            "Seconds re-read behind the bookmark on every incremental run, so that records "
            "that commit late or share the bookmark's timestamp are never skipped."
        ),
    ),
    th.Property(
        "api_type",
        th.StringType,
        default="auto",
        allowed_values=[api.value for api in ApiType],
        description=(
            "'rest', 'bulk' (Bulk API 2.0) or 'auto': Bulk when a query matches at least "
            "bulk_threshold records, REST otherwise. An object Bulk refuses, or a failed Bulk "
            "job, falls back to REST for that object."
        ),
    ),
    th.Property(
        "bulk_threshold",
        th.IntegerType(minimum=1),
        default=100_000,
        description="Records from which api_type 'auto' switches a query to Bulk API 2.0.",
    ),
    th.Property(
        "include_deleted",
        th.BooleanType,
        default=True,
        description=(
            "Read deleted records too (queryAll). They carry IsDeleted=true and "
            "_sdc_deleted_at, so targets with soft-delete support can act on them."
        ),
    ),
    th.Property(
        "max_records_per_stream",
        th.IntegerType(minimum=1),
        description="Stop each stream after this many records (a test sync on a handful).",
    ),
    th.Property(
        "max_api_usage_percent",
        th.NumberType(minimum=1, maximum=100),
        default=80,
        description=(
            "Stop cleanly, with a final state, before the org's daily API usage passes this "
            "percentage (read from Sforce-Limit-Info)."
        ),
    ),
    th.Property(
        "request_timeout",
        th.IntegerType(minimum=1),
        default=300,
        description="Seconds to wait for a Salesforce response before retrying.",
    ),
    th.Property(
        "rest_page_size",
        th.IntegerType(minimum=200, maximum=2000),
        default=2000,
        description="Records per REST query page (Sforce-Query-Options batchSize).",
    ),
    th.Property(
        "bulk_page_size",
        th.IntegerType(minimum=1),
        default=200_000,
        description="Records per Bulk API 2.0 results request (maxRecords); results stream "
        "through in constant memory whatever the size.",
    ),
    th.Property(
        "max_retries",
        th.IntegerType(minimum=0),
        default=8,
        description="Retries of a request after 5xx, SERVER_UNAVAILABLE, connection errors "
        "and timeouts (exponential backoff with jitter).",
    ),
    th.Property(
        "retry_initial_delay",
        th.NumberType(minimum=0),
        default=1.0,
        description="Seconds of the first retry's backoff; each retry doubles it, with jitter.",
    ),
    th.Property(
        "retry_max_delay",
        th.NumberType(minimum=0),
        default=60.0,
        description="Upper bound in seconds of one retry's backoff.",
    ),
    th.Property(
        "bulk_poll_max_interval",
        th.NumberType(minimum=0),
        default=30.0,
        description="Longest wait in seconds between two Bulk job status checks. A job is "
        "checked at its estimated end when its record count is known, else each wait is half "
        "as long as the job has run so far (0.5, 1, 1.5, 2.25 ... s after creation), up to "
        "this.",
    ),
).to_dict()


@dataclass(frozen=True)
class TapSettings:
    """Validated settings, typed. Build it with :func:`load_settings`.

    Attributes mirror :data:`CONFIG_SCHEMA`; ``auth_flow`` is resolved (never 'auto'), URLs
    have no trailing slash, ``api_version`` has no leading 'v', ``private_key`` holds the PEM
    text whichever setting gave it, ``start_date`` is an aware UTC datetime.
    """

    auth_flow: AuthFlow
    login_url: str
    instance_url: str | None
    api_version: str
    ca_bundle: Path | None
    client_id: str | None
    client_secret: str | None
    refresh_token: str | None
    username: str | None
    password: str | None
    security_token: str | None
    private_key: str | None
    objects: tuple[str, ...]
    start_date: datetime | None
    lookback_seconds: int
    api_type: ApiType
    bulk_threshold: int
    include_deleted: bool
    max_records_per_stream: int | None
    max_api_usage_percent: float
    request_timeout: float
    rest_page_size: int
    bulk_page_size: int
    max_retries: int
    retry_initial_delay: float
    retry_max_delay: float
    bulk_poll_max_interval: float

    @property
    def all_objects(self) -> bool:
        """Whether ``objects`` asks for every queryable, replicable object."""
        return ALL_OBJECTS in self.objects

    def secret_values(self) -> tuple[str, ...]:
        """The secret values present, for redaction."""
        values = (
            self.client_id,
            self.client_secret,
            self.refresh_token,
            self.password,
            self.security_token,
            self.private_key,
        )
        return tuple(value for value in values if value)


def load_settings(config: Mapping[str, Any]) -> TapSettings:
    """Validate ``config`` and return typed settings.

    Args:
        config: The tap's config (already checked against :data:`CONFIG_SCHEMA` by the SDK).

    Returns:
        The settings.

    Raises:
        ConfigValidationError: Listing every problem found, each with its fix.
    """
    errors: list[str] = []
    text = {name: _text(config.get(name)) for name in _TEXT_SETTINGS}
    private_key = text["private_key"] or _read_private_key(text["private_key_path"], errors)
    flow = _resolve_flow(text, private_key, errors)
    login_url = _https_url("login_url", text["login_url"] or PRODUCTION_LOGIN_URL, errors)
    instance_url = text["instance_url"]
    if instance_url:
        instance_url = _https_url("instance_url", instance_url, errors)
    settings = TapSettings(
        auth_flow=flow or AuthFlow.CLIENT_CREDENTIALS,
        login_url=login_url,
        instance_url=instance_url,
        api_version=_api_version(text["api_version"] or DEFAULT_API_VERSION, errors),
        ca_bundle=_ca_bundle(text["ca_bundle"], errors),
        client_id=text["client_id"],
        client_secret=text["client_secret"],
        refresh_token=text["refresh_token"],
        username=text["username"],
        password=text["password"],
        security_token=text["security_token"],
        private_key=private_key,
        objects=_objects(config.get("objects"), errors),
        start_date=_start_date(config.get("start_date"), errors),
        lookback_seconds=int(config.get("lookback_window", 600)),
        api_type=ApiType(config.get("api_type") or ApiType.AUTO),
        bulk_threshold=int(config.get("bulk_threshold", 100_000)),
        include_deleted=bool(config.get("include_deleted", True)),
        max_records_per_stream=_optional_int(config.get("max_records_per_stream")),
        max_api_usage_percent=float(config.get("max_api_usage_percent", 80)),
        request_timeout=float(config.get("request_timeout", 300)),
        rest_page_size=int(config.get("rest_page_size", 2000)),
        bulk_page_size=int(config.get("bulk_page_size", 200_000)),
        max_retries=int(config.get("max_retries", 8)),
        retry_initial_delay=float(config.get("retry_initial_delay", 1.0)),
        retry_max_delay=float(config.get("retry_max_delay", 60.0)),
        bulk_poll_max_interval=float(config.get("bulk_poll_max_interval", 30.0)),
    )
    if errors:
        raise ConfigValidationError("Config validation failed", errors=errors, schema=CONFIG_SCHEMA)
    return settings


_TEXT_SETTINGS: Final = (
    "auth_flow",
    "client_id",
    "client_secret",
    "refresh_token",
    "username",
    "password",
    "security_token",
    "private_key",
    "private_key_path",
    "login_url",
    "instance_url",
    "api_version",
    "ca_bundle",
)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    stripped = str(value).strip()
    return stripped or None


def _read_private_key(path_text: str | None, errors: list[str]) -> str | None:
    if not path_text:
        return None
    path = Path(path_text).expanduser()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(
            f"private_key_path: cannot read {path} ({exc.__class__.__name__}); set it to the "
            "PEM file of the connected app's RSA private key, or give the PEM text in private_key"
        )
        return None


def _given(text: dict[str, str | None], private_key: str | None) -> set[str]:
    given = {name for name, value in text.items() if value}
    if private_key:
        given.add("private_key or private_key_path")
    return given


def _resolve_flow(
    text: dict[str, str | None], private_key: str | None, errors: list[str]
) -> AuthFlow | None:
    given = _given(text, private_key)
    requested = text["auth_flow"] or "auto"
    if requested != "auto":
        flow = AuthFlow(requested)
        missing = [name for name in FLOW_REQUIREMENTS[flow] if name not in given]
        if missing:
            errors.append(
                f"auth_flow '{flow}' needs {', '.join(missing)}: set "
                f"{'it' if len(missing) == 1 else 'them'}, or set auth_flow to another flow"
            )
        return flow
    for flow in (
        AuthFlow.JWT_BEARER,
        AuthFlow.REFRESH_TOKEN,
        AuthFlow.PASSWORD,
        AuthFlow.CLIENT_CREDENTIALS,
        AuthFlow.SOAP,
    ):
        if all(name in given for name in FLOW_REQUIREMENTS[flow]):
            return flow
    errors.append(
        "no complete set of credentials: give client_id and client_secret "
        "(client_credentials, recommended), or client_id, username and private_key_path "
        "(jwt_bearer, recommended), or client_id and refresh_token (refresh_token), or "
        "client_id, client_secret, username and password (password), or username and "
        "password with security_token (soap)"
    )
    return None


def _https_url(name: str, value: str, errors: list[str]) -> str:
    url = value.rstrip("/")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        errors.append(
            f"{name}: '{value}' is not an https URL; use e.g. {PRODUCTION_LOGIN_URL}, "
            f"{SANDBOX_LOGIN_URL} or https://yourcompany.my.salesforce.com"
        )
    return url


_API_VERSION = re.compile(r"^v?(\d{2,3})\.0$")


def _api_version(value: str, errors: list[str]) -> str:
    match = _API_VERSION.match(value)
    if not match:
        errors.append(f"api_version: '{value}' is not a Salesforce API version such as 62.0")
        return DEFAULT_API_VERSION
    return f"{match.group(1)}.0"


def _ca_bundle(value: str | None, errors: list[str]) -> Path | None:
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_file():
        errors.append(f"ca_bundle: {path} is not a file; give the path of a PEM CA bundle")
    return path


_OBJECT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _objects(value: Any, errors: list[str]) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_OBJECTS
    names = [value] if isinstance(value, str) else list(value)
    cleaned: list[str] = []
    for raw in names:
        name = str(raw).strip()
        if name != ALL_OBJECTS and not _OBJECT_NAME.match(name):
            errors.append(
                f"objects: '{raw}' is not an object API name (letters, digits and underscores, "
                "e.g. Account or Project__c) nor '*'"
            )
            continue
        if name.lower() not in {seen.lower() for seen in cleaned}:
            cleaned.append(name)
    if not cleaned and not errors:
        errors.append("objects: the list is empty; name at least one object, or '*' for all")
    return tuple(cleaned)


def _start_date(value: Any, errors: list[str]) -> datetime | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        errors.append(
            f"start_date: '{value}' is not an ISO 8601 date-time; use e.g. 2024-01-01T00:00:00Z"
        )
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)
