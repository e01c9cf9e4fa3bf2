"""Validation of every response the tests receive against docs/akountify-openapi.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound

if TYPE_CHECKING:
    import requests

SPEC_PATH = Path(__file__).resolve().parents[2] / "docs" / "akountify-openapi.yaml"
UNDOCUMENTED_STATUSES = {404, 405}


class ContractChecker:
    """A ``requests`` response hook that fails the test on any response the spec forbids."""

    def __init__(self, spec_path: Path = SPEC_PATH) -> None:
        with spec_path.open(encoding="utf-8") as handle:
            spec: dict[str, Any] = yaml.safe_load(handle)
        self.openapi = OpenAPI.from_dict(spec)
        self.checked = 0

    def check(self, response: requests.Response) -> None:
        request = RequestsOpenAPIRequest(response.request)
        try:
            self.openapi.validate_response(request, RequestsOpenAPIResponse(response))
        except (PathNotFound, OperationNotFound):
            # Probes of endpoints that do not exist: the answer must still be the error shape.
            assert response.status_code in UNDOCUMENTED_STATUSES, response.text
            assert set(response.json()["error"]) == {"code", "message", "request_id", "details"}
        except Exception as error:
            raise AssertionError(
                f"{response.request.method} {response.request.url} -> {response.status_code} "
                f"does not match the OpenAPI document: {error!r}\n"
                f"cause: {error.__cause__!r}\nbody: {response.text[:2000]}"
            ) from error
        self.checked += 1

    def hook(self, response: requests.Response, *_args: Any, **_kwargs: Any) -> requests.Response:
        self.check(response)
        return response


def load_checker() -> ContractChecker | None:
    """The checker, or None while the spec file does not exist yet."""
    return ContractChecker() if SPEC_PATH.exists() else None
