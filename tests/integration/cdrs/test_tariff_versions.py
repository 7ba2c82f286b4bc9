"""A CDR is priced with the version of its connector's tariff in force when its session started (issue
#16 item 2): a CPO PUTs a new price while a session runs; that session keeps the old one, the next
session gets the new one. End to end: the tariffs receiver over HTTP, OCPP frames, CDR creation."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from mobie_hub.cdrs import repository as cdrs
from mobie_hub.cdrs.builder import NO_TARIFF_REMARK
from mobie_hub.cdrs.creation import Outcome, create_cdr_for
from mobie_hub.core.types import format_datetime, parse_datetime
from mobie_hub.locations.enums import Status
from mobie_hub.locations.models import Location
from mobie_hub.locations.repository import put_location
from mobie_hub.sessions import transaction_repository as transactions
from tests.integration.sessions.conftest import RFID, meter
from tests.support.ocpp_data import station_location
from tests.support.parties import Party, issue
from tests.support.stations import tariff

TARIFF_URL = "/ocpi/2.2.1/tariffs/PT/GLP/GLP-AC"


@pytest.fixture
def location(aws) -> Location:
    """The test station as a GLP station whose connectors list GLP's tariff GLP-AC (overrides the
    sessions fixtures' MOBI.E station)."""
    station = station_location(Status.AVAILABLE, Status.AVAILABLE)
    evses = [
        evse.model_copy(update={"connectors": [c.model_copy(update={"tariff_ids": ["GLP-AC"]}) for c in evse.connectors]})
        for evse in station.evses or []
    ]
    station = station.model_copy(update={"party_id": "GLP", "evses": evses})
    put_location(station)
    return station


@pytest.fixture
def cpo(aws) -> Party:
    return issue("C", party_id="GLP", role="CPO")


def push(client: TestClient, cpo: Party, price: float) -> datetime:
    """PUT GLP-AC at ``price`` per kWh; the hub's time of that version (its last_updated)."""
    assert client.put(TARIFF_URL, json=tariff("GLP-AC", party_id="GLP", price=price), headers=cpo.headers).is_success
    return parse_datetime(client.get(TARIFF_URL, headers=cpo.headers).json()["data"]["last_updated"])


def start(station, clock, at: datetime) -> int:
    clock.now = at
    reply = station.call("StartTransaction", {"connectorId": 1, "idTag": RFID, "meterStart": 1000,
                                              "timestamp": format_datetime(at)})
    return reply[2]["transactionId"]


def stop(station, clock, transaction_id: int, at: datetime) -> str:
    clock.now = at + timedelta(minutes=30)
    station.call("MeterValues", {"connectorId": 1, "transactionId": transaction_id,
                                 "meterValue": [meter(6000, format_datetime(at + timedelta(minutes=15)))]})
    station.call("StopTransaction", {"transactionId": transaction_id, "meterStop": 11000, "idTag": RFID,
                                     "timestamp": format_datetime(at + timedelta(minutes=30))})
    session_id = transactions.get_transaction(transaction_id)["session_id"]
    assert create_cdr_for(session_id) is Outcome.CREATED
    return session_id


def energy_price(session_id: str) -> Decimal:
    cdr = cdrs.get_cdr(cdrs.cdr_id_for(session_id))
    (priced,) = cdr.tariffs
    return priced.elements[0].price_components[0].price


def test_a_running_session_keeps_the_tariff_it_started_with_and_the_next_gets_the_new_one(
    client: TestClient, cpo: Party, station, clock
):
    first_version = push(client, cpo, 0.30)
    running = start(station, clock, at=first_version)  # the session starts with the 0.30 version in force

    second_version = push(client, cpo, 0.50)  # a new price while it runs
    first = stop(station, clock, running, at=first_version)
    second = stop(station, clock, start(station, clock, at=second_version + timedelta(hours=1)),
                  at=second_version + timedelta(hours=1))

    assert second_version > first_version
    assert energy_price(first) == Decimal("0.30")
    assert energy_price(second) == Decimal("0.50")


def test_a_session_that_started_before_the_tariff_existed_is_not_priced_with_it(
    client: TestClient, cpo: Party, station, clock
):
    pushed = push(client, cpo, 0.30)

    session_id = stop(station, clock, start(station, clock, at=pushed - timedelta(hours=1)), at=pushed - timedelta(hours=1))

    cdr = cdrs.get_cdr(cdrs.cdr_id_for(session_id))
    assert cdr.tariffs is None
    assert cdr.remark == NO_TARIFF_REMARK  # no operator (OPC) charges, only the regulated ones
