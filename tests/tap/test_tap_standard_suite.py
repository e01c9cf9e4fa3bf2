"""singer-sdk's standard tap test suite, run against the Salesforce emulator.

The SDK builds its test class when this module is imported, from a tap given a catalog (so no
server is needed to collect the tests): the catalog is built from the emulator's own object
definitions. The class-scoped ``runner`` fixture then starts an emulator, seeds it, points the
(shared) config at it and syncs once; every standard test checks that sync.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from singer_sdk.testing import get_tap_test_class
from singer_sdk.testing.runners import TapTestRunner

from emulators.salesforce.catalog import default_catalog
from emulators.salesforce.describe import describe_object
from emulators.salesforce.launcher import start_salesforce_emulator
from tap_salesforce_lite.objects import ObjectInfo
from tap_salesforce_lite.schema import stream_schema
from tap_salesforce_lite.tap import TapSalesforceLite

from .tap_harness import Org, client_credentials_config

if TYPE_CHECKING:
    from collections.abc import Iterator

OBJECTS = ["Account", "Contact", "Opportunity", "Project__c"]


def offline_catalog() -> dict[str, Any]:
    """The catalog discovery would produce, built from the emulator's object definitions."""
    org = default_catalog()
    streams = []
    for name in OBJECTS:
        obj = org.get(name)
        assert obj is not None
        info = ObjectInfo.from_describe(describe_object(obj, org, "62.0"))
        streams.append(
            {
                "tap_stream_id": name,
                "stream": name,
                "schema": stream_schema(info, include_deleted=True),
                "key_properties": ["Id"],
                "replication_key": info.replication_key,
                "replication_method": "INCREMENTAL",
                "metadata": [{"breadcrumb": [], "metadata": {"selected": True}}],
            }
        )
    return {"streams": streams}


#: Placeholders until the emulator runs; the runner fixture fills in the real values.
CONFIG: dict[str, Any] = {
    "client_id": "placeholder-client-id",
    "client_secret": "placeholder-client-secret",
    "login_url": "https://emulator.invalid",
    "objects": OBJECTS,
}
CATALOG = offline_catalog()

_StandardTests: Any = get_tap_test_class(
    TapSalesforceLite, config=CONFIG, catalog=CATALOG, parse_env_config=False
)


def seed(org: Org) -> None:
    account = org.create(
        "Account",
        Name="Acme Corporation",
        BillingStreet="1 Main St",
        BillingCity="Lyon",
        BillingLatitude=45.764043,
        BillingLongitude=4.835659,
        ShippingLatitude=48.8566,
        ShippingLongitude=2.3522,
        NumberOfEmployees=120,
        AnnualRevenue=12500000.5,
        Credit_Limit__c=1000.25,
        Industries_Served__c="Retail;Energy",
    )
    org.create("Account", Name="NA")
    org.create("Contact", LastName="Doe", FirstName="Jane", AccountId=account)
    org.create(
        "Opportunity",
        Name="Big deal",
        StageName="Prospecting",
        CloseDate="2024-09-30",
        Amount=125000.5,
        AccountId=account,
    )
    org.create("Project__c", Name="Rollout", Account__c=account, Budget__c=5000.75)


class TestTapSalesforceLiteStandard(_StandardTests):
    """The SDK's standard tests."""

    @pytest.fixture(scope="class")
    @classmethod
    def runner(cls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TapTestRunner]:
        with start_salesforce_emulator(tmp_path_factory.mktemp("sf-standard")) as sf:
            sf.set_clock(datetime(2024, 8, 1, tzinfo=UTC))
            seed(Org(sf))
            CONFIG.update(client_credentials_config(sf, objects=OBJECTS))
            runner = TapTestRunner(
                TapSalesforceLite, config=CONFIG, catalog=CATALOG, parse_env_config=False
            )
            runner.sync_all()
            yield runner
