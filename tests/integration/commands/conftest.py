"""Commands against moto: the demo stations, PT/EDP registered with its RFID token, fake ports."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mobie_hub.commands import runtime
from mobie_hub.commands.config import command_settings
from mobie_hub.core.types import utcnow
from mobie_hub.local.demo import load_demo_data
from mobie_hub.ocpi.app import create_app
from mobie_hub.ocpp import connection_repository
from mobie_hub.ocpp.ports import TokenRef
from mobie_hub.tokens import repository as tokens
from mobie_hub.tokens.models import Token
from tests.support.parties import Party, issue
from tests.support.tokens import registered_emsp, rfid_token
from tests.unit.commands.fakes import FakeSessions, RecordingWorkflow

STATION = "LSB-00175"
EVSE = "LSB-00175-01"
EDP = TokenRef("PT", "EDP", "RFID", "04A1B2C3D4E5F6", "PT-EDP-C-1234ABCD-J")
GLP = TokenRef("PT", "GLP", "RFID", "0A0B0C0D", "PT-GLP-C-1234ABCD-X")


@pytest.fixture(autouse=True)
def _command_settings():
    command_settings.cache_clear()
    yield
    command_settings.cache_clear()
    runtime.use()


@pytest.fixture
def sessions() -> FakeSessions:
    return FakeSessions()


@pytest.fixture
def workflow() -> RecordingWorkflow:
    return RecordingWorkflow()


@pytest.fixture
def hub(aws, sessions, workflow) -> None:
    load_demo_data()
    tokens.put_token(Token.model_validate(rfid_token()))
    runtime.use(workflow=workflow, sessions=sessions)


@pytest.fixture
def edp(hub) -> Party:
    registered_emsp("EDP")  # a token C's holder is a registered party: its cards authorise (issue #12)
    return issue("C")


@pytest.fixture
def glp(hub) -> Party:
    registered_emsp("GLP")
    return issue("C", party_id="GLP")


@pytest.fixture
def client(hub) -> TestClient:
    return TestClient(create_app("commands"), raise_server_exceptions=False)


def online(station_id: str = STATION) -> None:
    connection_repository.put_connection(station_id, "conn-1", utcnow())
