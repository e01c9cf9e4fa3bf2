"""``POST /services/oauth2/token`` and ``POST /services/Soap/u/XX.X`` (login).

Grants: ``client_credentials`` (client id and secret in the form or as HTTP Basic),
``refresh_token``, ``password`` (password with the security token appended) and the JWT bearer
grant. Success and failure bodies are Salesforce's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from starlette.responses import Response

from emulators.salesforce.jwt_bearer import OAuthError, verify_assertion
from emulators.salesforce.responses import JsonResponse
from emulators.salesforce.soap import SoapFaultError, invalid_login, login_response, parse_login

if TYPE_CHECKING:
    from starlette.requests import Request

    from emulators.salesforce.directory import ConnectedApp, User
    from emulators.salesforce.sessions import Session
    from emulators.salesforce.state import EmulatorState

JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _login_urls(state: EmulatorState) -> frozenset[str]:
    port = state.settings.port
    return frozenset(
        {state.settings.instance_url, f"https://127.0.0.1:{port}", f"https://localhost:{port}"}
    )


async def token_endpoint(request: Request) -> Response:
    """Exchange a grant for an access token."""
    state: EmulatorState = request.app.state.emulator
    form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
    form.update({k: v for k, v in request.query_params.items() if k not in form})
    try:
        app, user = _grant(state, form, request.headers.get("authorization"))
    except OAuthError as error:
        state.count(f"token_rejected_{error.error}")
        return JsonResponse(error.body(), status_code=error.status, headers=_NO_STORE)
    session = state.sessions.issue(user.username, user.user_id, app.client_id)
    state.count("tokens_issued")
    return JsonResponse(_token_body(state, app, session), headers=_NO_STORE)


def _grant(
    state: EmulatorState, form: dict[str, str], authorization: str | None
) -> tuple[ConnectedApp, User]:
    grant_type = form.get("grant_type", "")
    directory = state.directory
    if grant_type == JWT_BEARER_GRANT:
        grant = verify_assertion(form.get("assertion", ""), directory, _login_urls(state))
        app = directory.app_by_client_id(grant.client_id)
        user = directory.user(grant.username)
        if app is None or user is None:  # pragma: no cover - verify_assertion checked both
            raise OAuthError("invalid_grant", "invalid assertion")
        return app, user
    if grant_type not in {"client_credentials", "password", "refresh_token"}:
        raise OAuthError("unsupported_grant_type", "grant type not supported")
    client_id, client_secret = _client_credentials(form, authorization)
    app = directory.app_by_client_id(client_id) if client_id else None
    if app is None:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    if grant_type == "refresh_token":
        return app, _refresh_token_user(state, app, form, client_secret)
    if client_secret is None or not _same(client_secret, app.client_secret):
        raise OAuthError("invalid_client", "invalid client credentials")
    if grant_type == "client_credentials":
        user = directory.user(app.run_as_username)
        if user is None:
            raise OAuthError("invalid_grant", "no client credentials user enabled")
        return app, user
    user = directory.user(form.get("username", ""))
    if user is None or not _same(form.get("password", ""), user.password + user.security_token):
        raise OAuthError("invalid_grant", "authentication failure")
    return app, user


def _refresh_token_user(
    state: EmulatorState, app: ConnectedApp, form: dict[str, str], client_secret: str | None
) -> User:
    owner = state.directory.refresh_token_owner(form.get("refresh_token", ""))
    if owner is None or owner[0] != app.client_id:
        raise OAuthError("invalid_grant", "expired access/refresh token")
    if client_secret is not None and not _same(client_secret, app.client_secret):
        raise OAuthError("invalid_client", "invalid client credentials")
    user = state.directory.user(owner[1])
    if user is None:
        raise OAuthError("invalid_grant", "expired access/refresh token")
    return user


def _client_credentials(
    form: dict[str, str], authorization: str | None
) -> tuple[str | None, str | None]:
    if authorization and authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise OAuthError("invalid_client", "invalid client credentials") from exc
        client_id, sep, client_secret = decoded.partition(":")
        if not sep:
            raise OAuthError("invalid_client", "invalid client credentials")
        return client_id, client_secret
    return form.get("client_id"), form.get("client_secret")


def _same(given: str, expected: str) -> bool:
    return secrets.compare_digest(given.encode(), expected.encode())


def _identity_url(state: EmulatorState, user_id: str) -> str:
    return f"{state.settings.instance_url}/id/{state.directory.org_id}/{user_id}"


def _token_body(state: EmulatorState, app: ConnectedApp, session: Session) -> dict[str, str]:
    identity = _identity_url(state, session.user_id)
    issued_at = str(int(session.issued_at * 1000))
    digest = hmac.new(
        app.client_secret.encode(), (identity + issued_at).encode(), hashlib.sha256
    ).digest()
    return {
        "access_token": session.token,
        "signature": base64.b64encode(digest).decode("ascii"),
        "scope": "api",
        "instance_url": state.settings.instance_url,
        "id": identity,
        "token_type": "Bearer",
        "issued_at": issued_at,
    }


async def soap_login(request: Request) -> Response:
    """The partner SOAP ``login`` call."""
    state: EmulatorState = request.app.state.emulator
    version = request.path_params["version"]
    try:
        credentials = parse_login(await request.body())
        user = state.directory.user(credentials.username)
        if user is None or not _same(credentials.password, user.password + user.security_token):
            raise invalid_login()
    except SoapFaultError as fault:
        state.count("soap_login_rejected")
        return Response(fault.xml(), status_code=500, media_type="text/xml; charset=utf-8")
    app_id = f"soap-login/{user.username}"
    session = state.sessions.issue(user.username, user.user_id, app_id)
    state.count("tokens_issued")
    base = state.settings.instance_url
    org_id = state.directory.org_id
    body = login_response(
        session_id=session.token,
        server_url=f"{base}/services/Soap/u/{version}/{org_id[:15]}",
        metadata_url=f"{base}/services/Soap/m/{version}/{org_id[:15]}",
        user_id=user.user_id,
        org_id=org_id,
        username=user.username,
        session_seconds=int(state.sessions.lifetime_seconds),
    )
    return Response(body, media_type="text/xml; charset=utf-8")
