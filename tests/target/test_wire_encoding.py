"""The client's wire handling: batch bodies from encoded operations, lean results, odd answers."""

from __future__ import annotations

import http.server
import threading
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pytest

from target_akountify.client import (
    AkountifyClient,
    AkountifyError,
    batch_body,
    decode_batch_results,
    encode_operation,
    query_string,
)
from target_akountify.rejected import decode_json, encode_json

if TYPE_CHECKING:
    from collections.abc import Iterator

OPERATIONS: list[dict[str, Any]] = [
    {
        "action": "upsert",
        "entity": "customers",
        "external_id": "001",
        "if_version": 0,
        "data": {"display_name": "Acme «Ünïcode»", "credit_limit": Decimal("1234.50")},
    },
    {"action": "archive", "entity": "customers", "id": "cus_ABC"},
]


def test_a_batch_body_equals_the_encoding_of_the_whole_batch() -> None:
    body = batch_body([encode_operation(op) for op in OPERATIONS])
    expected = encode_json(
        {"operations": [{"op_id": str(i), **op} for i, op in enumerate(OPERATIONS)]}
    )
    assert body == expected
    assert decode_json(body)["operations"][0]["data"]["credit_limit"] == Decimal("1234.50")


def test_an_empty_operation_cannot_be_batched() -> None:
    with pytest.raises(ValueError, match="non-empty JSON object"):
        encode_operation({})


def test_batch_results_keep_status_result_and_error_but_not_the_record() -> None:
    body = encode_json(
        {
            "results": [
                {
                    "op_id": "0",
                    "status": 201,
                    "result": "created",
                    "record": {"id": "cus_1", "credit_limit": "1.00"},
                    "error": None,
                },
                {
                    "op_id": "1",
                    "status": 409,
                    "result": None,
                    "record": None,
                    "error": {
                        "code": "duplicate_name",
                        "message": "taken",
                        "details": [{"field": "display_name", "existing_id": "cus_2"}],
                    },
                },
            ]
        }
    )
    results = decode_batch_results(body)["results"]
    assert results == [
        {"op_id": "0", "status": 201, "result": "created", "error": None},
        {
            "op_id": "1",
            "status": 409,
            "result": None,
            "error": {
                "code": "duplicate_name",
                "message": "taken",
                "details": [{"field": "display_name", "existing_id": "cus_2"}],
            },
        },
    ]


def test_a_batch_answer_of_another_shape_is_decoded_whole() -> None:
    odd = encode_json({"results": [{"op_id": 7, "status": "201"}], "note": "x"})
    assert decode_batch_results(odd) == {"results": [{"op_id": 7, "status": "201"}], "note": "x"}
    assert decode_batch_results(b"[]") == {"results": []}


def test_a_batch_answer_that_is_not_json_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not valid JSON"):
        decode_batch_results(b"<html>bad gateway</html>")


class _Scripted(http.server.BaseHTTPRequestHandler):
    """Answers every request with the status, headers and body of the server's script."""

    def _answer(self) -> None:
        status, headers, body = self.server.script  # type: ignore[attr-defined]
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer  # noqa: N815 - http.server's naming

    def log_message(self, *args: Any) -> None:
        """Stay quiet."""


@pytest.fixture
def scripted_server() -> Iterator[http.server.HTTPServer]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Scripted)
    token = encode_json({"access_token": "t", "expires_in": 3600, "company_id": "cmp_1"})
    server.script = (200, {"Content-Type": "application/json"}, token)  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def _client(server: http.server.HTTPServer) -> AkountifyClient:
    client = AkountifyClient(
        f"http://127.0.0.1:{server.server_address[1]}/v1", "id", "secret", "cmp_1"
    )
    client._ensure_token()
    return client


def test_a_redirect_is_an_error_naming_base_url(scripted_server: http.server.HTTPServer) -> None:
    client = _client(scripted_server)
    scripted_server.script = (  # type: ignore[attr-defined]
        301,
        {"Location": "https://api.akountify.example/v1/companies/cmp_1/customers"},
        b"",
    )
    moved = r"redirected to https://api\.akountify\.example"
    with pytest.raises(AkountifyError, match=moved) as info:
        client.list_by_external_ids("customers", ["001"])
    assert info.value.code == "redirect"
    assert "base_url" in str(info.value)
    client.close()


def test_an_error_page_that_is_not_json_keeps_its_status(
    scripted_server: http.server.HTTPServer,
) -> None:
    client = _client(scripted_server)
    scripted_server.script = (404, {"Content-Type": "text/html"}, b"<html>Not here</html>")  # type: ignore[attr-defined]
    with pytest.raises(AkountifyError) as info:
        client.list_by_external_ids("customers", ["001"])
    assert (info.value.status, info.value.code) == (404, "http_error")
    client.close()


@pytest.mark.parametrize(
    "params",
    [
        [("limit", "100"), *(("external_id", f"001{n:012d}AAA") for n in range(100))],
        [("external_id", "a b&c=d/é"), ("cursor", "abc+/="), ("q", ""), ("x y", "~._-")],
        [("external_id", "Ünïcode:1"), ("external_id", "#?%")],
    ],
)
def test_query_string_is_what_urlencode_makes(params: list[tuple[str, str]]) -> None:
    assert query_string(params) == urlencode(params)
