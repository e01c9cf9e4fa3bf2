"""The singer-sdk standard target tests, run against the Akountify emulator.

Each test gets a fresh company. Tests whose input says something checkable are subclassed so
that ``validate()`` reads what really landed in the emulator (the SDK defaults only check that
nothing raised).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from singer_sdk.testing import get_target_test_class
from singer_sdk.testing.suites import SingerTestSuite
from singer_sdk.testing.target_tests import (
    TargetArrayData,
    TargetCamelcaseComplexSchema,
    TargetCamelcaseTest,
    TargetCliPrintsTest,
    TargetDuplicateRecords,
    TargetEncodedStringData,
    TargetInvalidSchemaTest,
    TargetNoPrimaryKeys,
    TargetOptionalAttributes,
    TargetPrimaryKeyUpdates,
    TargetRecordBeforeSchemaTest,
    TargetRecordMissingKeyProperty,
    TargetRecordMissingOptionalFields,
    TargetRecordMissingRequiredProperty,
    TargetSchemaNoProperties,
    TargetSchemaUpdates,
    TargetSpecialCharsInAttributes,
)

from target_akountify.target import TargetAkountify

from .conftest import Api

if TYPE_CHECKING:
    from emulators.akountify.launcher import RunningAkountify


def _customer(name: str, **fields: Any) -> dict[str, Any]:
    return {"entity": "customers", "fields": {"display_name": {"template": name}, **fields}}


STANDARD_MAPPING: dict[str, Any] = {
    "test_array_data": _customer("fruits {id}", tags="fruits"),
    "TestCamelcase": _customer("{clientName}"),
    "test_duplicate_records": _customer("metric {id}", notes="metric"),
    "test_strings": _customer("string {id}", notes="info"),
    "test_no_pk": {**_customer("no pk {id}", notes="metric"), "external_id": "id"},
    "test_optional_attributes": _customer("optional {id}", notes="optional"),
    "record_missing_fields": _customer("missing {id}", notes="optional"),
    "test_record_missing_required_property": {
        **_customer("required {id}"),
        "external_id": "id",
    },
    "test_object_schema_with_properties": {
        **_customer("object {object_store.id}", notes="object_store.metric"),
        "external_id": "object_store.id",
    },
    "test_schema_updates": _customer("schema {id}", notes="a2"),
    "example_stream": {**_customer("{name}", email="email"), "external_id": "id"},
    "test:SpecialChars!in?attributes": _customer("special {_id}", notes="d.env"),
}

SHARED_CONFIG: dict[str, Any] = {}


@dataclass
class Landed:
    """What a validate() step reads: the emulator's records and the run's files."""

    api: Api
    config: dict[str, Any]

    def customers(self) -> dict[str, dict[str, Any]]:
        return self.api.by_external_id("customers")

    def rejected(self, stream: str) -> list[dict[str, Any]]:
        folder = Path(self.config["rejected_store_path"])
        entries = []
        for path in folder.glob("*.jsonl"):
            for line in path.read_text().splitlines():
                entry = json.loads(line)
                if entry["stream"] == stream:
                    entries.append(entry)
        return entries


class ArrayData(TargetArrayData):
    def validate(self) -> None:
        customers = self.resource.customers()
        assert customers["4"]["tags"] == ["orange", "banana", "apple", "pear"]
        assert len(customers) == 4


class Camelcase(TargetCamelcaseTest):
    def validate(self) -> None:
        names = sorted(c["display_name"] for c in self.resource.customers().values())
        assert names == ["Gitter Windows Desktop App", "Gitter iOS App"]


class DuplicateRecords(TargetDuplicateRecords):
    def validate(self) -> None:
        customers = self.resource.customers()
        assert {k: v["notes"] for k, v in customers.items()} == {"1": "100", "2": "20"}


class EncodedStrings(TargetEncodedStringData):
    def validate(self) -> None:
        notes = {k: v["notes"] for k, v in self.resource.customers().items()}
        assert notes["2"] == "απλή συμβολοσειρά"
        assert notes["3"] == "简单的字串"
        assert notes["5"] == 'quoted "string"'
        assert notes["6"] == 'various " \\ / \n escape sequences'


class NoPrimaryKeys(TargetNoPrimaryKeys):
    def validate(self) -> None:
        assert {k: v["notes"] for k, v in self.resource.customers().items()} == {
            "1": "11",
            "2": "22",
            "3": "33",
        }


class OptionalAttributes(TargetOptionalAttributes):
    def validate(self) -> None:
        notes = {k: v["notes"] for k, v in self.resource.customers().items()}
        assert notes == {"1": "This is optional", "2": None, "3": "Also optional", "4": None}


class MissingRequired(TargetRecordMissingRequiredProperty):
    def validate(self) -> None:
        assert self.resource.customers() == {}
        entries = self.resource.rejected("test_record_missing_required_property")
        assert len(entries) == 1
        codes = {r["code"] for r in entries[0]["reasons"]}
        assert codes == {"schema_violation", "required"}


class SchemaNoProperties(TargetSchemaNoProperties):
    def validate(self) -> None:
        assert {k: v["notes"] for k, v in self.resource.customers().items()} == {
            "1": "187",
            "2": "203",
        }


class SchemaUpdates(TargetSchemaUpdates):
    def validate(self) -> None:
        customers = self.resource.customers()
        assert customers["1"]["notes"] == "string1"
        assert len(customers) == 6


class PrimaryKeyUpdates(TargetPrimaryKeyUpdates):
    def validate(self) -> None:
        customers = self.resource.customers()
        assert customers["2"]["email"] == "bob@example.com"
        assert customers["1"]["display_name"] == "Alice"


class SpecialChars(TargetSpecialCharsInAttributes):
    def validate(self) -> None:
        assert self.resource.customers()["a2e98886"]["notes"] == "prod"


suite = SingerTestSuite(
    kind="target",
    tests=[
        ArrayData,
        Camelcase,
        TargetCamelcaseComplexSchema,
        TargetCliPrintsTest,
        DuplicateRecords,
        EncodedStrings,
        TargetInvalidSchemaTest,
        NoPrimaryKeys,
        OptionalAttributes,
        PrimaryKeyUpdates,
        TargetRecordBeforeSchemaTest,
        TargetRecordMissingKeyProperty,
        TargetRecordMissingOptionalFields,
        MissingRequired,
        SchemaNoProperties,
        SchemaUpdates,
        SpecialChars,
    ],
)

StandardTests = get_target_test_class(
    TargetAkountify,
    config=SHARED_CONFIG,
    custom_suites=[suite],
    include_target_tests=False,
    parse_env_config=False,  # a developer's .env must not replace the test company's credentials
)


class TestTargetAkountifyStandard(StandardTests):  # type: ignore[misc,valid-type]
    """The standard suite; each test writes to its own fresh company."""

    @pytest.fixture(autouse=True)
    def _fresh_company(self, akountify: RunningAkountify, tmp_path: Path) -> None:
        creds = akountify.create_company("Standard suite")
        akountify.set_limits(
            company_id=creds.company_id, requests_per_minute=0, concurrent_requests=0
        )
        SHARED_CONFIG.clear()
        SHARED_CONFIG.update(
            base_url=akountify.base_url,
            client_id=creds.client_id,
            client_secret=creds.client_secret,
            mapping=STANDARD_MAPPING,
            unmapped_streams="skip",
            rejected_store_path=str(tmp_path / "rejected"),
            report_path=str(tmp_path / "report.json"),
            post_sync_run=False,
        )
        self._landed = Landed(Api(akountify, creds), SHARED_CONFIG)

    @pytest.fixture
    def resource(self) -> Landed:
        return self._landed
