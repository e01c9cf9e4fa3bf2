"""The client's fast wire helpers: batch bodies built from pre-encoded operations, lean results."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from target_akountify.client import batch_body, decode_batch_results, encode_operation
from target_akountify.rejected import decode_json, encode_json

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
