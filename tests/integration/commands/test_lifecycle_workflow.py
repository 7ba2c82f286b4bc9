"""The AWS command lifecycle, executed: moto runs the real state machine definition
(infra/constructs/command_lifecycle.asl.json) with ``.waitForTaskToken`` and ``TimeoutSecondsPath``;
its tasks run the real handlers (functions/command_send, functions/command_result) in-process; the
OCPP gateway (fake connections) resumes the execution with SendTaskSuccess; the CommandResult is
POSTed over loopback to a fake EMSP."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from fastapi.testclient import TestClient

from mobie_hub.commands import repository as commands
from mobie_hub.commands import runtime
from mobie_hub.commands.config import command_settings
from mobie_hub.commands.ocpp_hooks import CommandCallResults, CommandTransactionEvents
from mobie_hub.core.dynamodb import dynamodb_resource
from mobie_hub.core.schema import ensure_tables
from mobie_hub.local.demo import load_demo_data
from mobie_hub.ocpi.app import create_app
from mobie_hub.ocpp import runtime as ocpp_runtime
from mobie_hub.ocpp.central_system import CentralSystem
from mobie_hub.sessions.recorded_transactions import RecordedTransactions
from mobie_hub.tokens import repository as tokens
from mobie_hub.tokens.models import Token
from tests.integration.commands.conftest import EVSE, STATION
from tests.integration.ocpp.conftest import Station
from tests.support.fake_party import FakeParty, fake_party
from tests.support.handlers import lambda_module
from tests.support.lambda_runtime import in_process_lambdas
from tests.support.ocpp_fakes import FakeAuthority, FakeConnections, RecordingListener
from tests.support.parties import issue, register_receiver
from tests.support.tokens import rfid_token
from tests.unit.commands.fakes import FakeSessions

DEFINITION = Path(__file__).resolve().parents[3] / "infra" / "constructs" / "command_lifecycle.asl.json"
SEND, DECIDE = "mobie-hub-command-send", "mobie-hub-command-result"


@pytest.fixture
def aws() -> Iterator[None]:
    """moto with Step Functions really executing state machines (overrides the plain `aws` fixture)."""
    from moto import mock_aws

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}):
        ensure_tables(dynamodb_resource().meta.client)
        yield


def _function(name: str, role: str) -> str:
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context): pass\n")
    return boto3.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": code.getvalue()},
    )["FunctionArn"]


@pytest.fixture
def state_machine(aws, monkeypatch) -> str:
    role = boto3.client("iam").create_role(RoleName="commands", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    definition = (
        DEFINITION.read_text()
        .replace("${SendFunctionArn}", _function(SEND, role))
        .replace("${DecideFunctionArn}", _function(DECIDE, role))
    )
    arn = boto3.client("stepfunctions").create_state_machine(
        name="command-lifecycle", definition=definition, roleArn=role, type="STANDARD"
    )["stateMachineArn"]
    monkeypatch.setenv("MOBIE_COMMAND_STATE_MACHINE_ARN", arn)
    monkeypatch.setenv("MOBIE_COMMAND_UNLOCK_TIMEOUT_SECONDS", "2")
    command_settings.cache_clear()
    return arn


@pytest.fixture
def emsp(state_machine) -> Iterator[FakeParty]:
    load_demo_data()
    tokens.put_token(Token.model_validate(rfid_token()))
    with fake_party() as party:
        register_receiver(party.base_url, modules=("commands",))
        yield party


@pytest.fixture
def station(emsp):
    connections = FakeConnections()
    central_system = CentralSystem(
        connections,
        FakeAuthority(),
        CommandTransactionEvents(RecordedTransactions()),
        CommandCallResults(RecordingListener()),
    )
    ocpp_runtime.use(central_system)
    runtime.use(sessions=FakeSessions())
    station = Station(central_system, STATION).connect()
    station.connections = connections
    yield station
    ocpp_runtime.use(None)
    runtime.use()
    command_settings.cache_clear()


def post_command(emsp: FakeParty, command: str, body: dict) -> dict:
    client = TestClient(create_app("commands"), raise_server_exceptions=False)
    response = client.post(
        f"/ocpi/2.2.1/commands/{command}",
        json={"response_url": f"{emsp.base_url}/result/1", **body},
        headers=issue("C").headers,
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


def wait_until(condition, what: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return value


def the_call(station) -> list:
    return wait_until(
        lambda: station.connections.frames() and station.connections.frames()[-1], "the OCPP call"
    )


def finished() -> dict:
    sfn = boto3.client("stepfunctions")
    (execution,) = sfn.list_executions(stateMachineArn=runtime.workflow().state_machine_arn)["executions"]
    return wait_until(
        lambda: (
            (d := sfn.describe_execution(executionArn=execution["executionArn"]))["status"] != "RUNNING" and d
        ),
        "the execution to end",
    )


def handlers():
    return {SEND: lambda_module("command_send").handler, DECIDE: lambda_module("command_result").handler}


def test_start_session_resumes_on_start_transaction_and_posts_accepted(station, emsp):
    with in_process_lambdas(handlers()) as calls:
        data = post_command(
            emsp, "START_SESSION", {"token": rfid_token(), "location_id": STATION, "evse_uid": EVSE}
        )
        assert data["result"] == "ACCEPTED"
        call = the_call(station)
        assert call[2] == "RemoteStartTransaction"
        station.send([3, call[1], {"status": "Accepted"}])
        assert boto3.client("stepfunctions").list_executions(
            stateMachineArn=runtime.workflow().state_machine_arn, statusFilter="RUNNING"
        )["executions"]
        station.call(
            "StartTransaction",
            {
                "connectorId": 1,
                "idTag": "04A1B2C3D4E5F6",
                "meterStart": 0,
                "timestamp": "2026-12-01T09:00:00Z",
            },
        )
        described = finished()
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"])["result"] == "ACCEPTED"
    assert [name for name, _ in calls] == [SEND, DECIDE]
    (posted,) = emsp.wait_for(1)
    assert (posted.method, posted.path, posted.body) == ("POST", "/result/1", {"result": "ACCEPTED"})


def test_unlock_without_an_answer_times_out_and_a_late_answer_is_ignored(station, emsp):
    with in_process_lambdas(handlers()) as calls:
        command_id = _unlock_command(emsp)
        call = the_call(station)
        described = finished()
        station.send([3, call[1], {"status": "Unlocked"}])  # after TimeoutSeconds: late
    assert described["status"] == "SUCCEEDED" and json.loads(described["output"])["result"] == "TIMEOUT"
    assert [name for name, _ in calls] == [SEND, DECIDE]
    (posted,) = emsp.wait_for(1)
    assert posted.body == {"result": "TIMEOUT"}
    assert commands.get_command(command_id).result == "TIMEOUT"
    assert runtime.workflow().resume(commands.get_command(command_id).task_token, command_id) is False


def _unlock_command(emsp: FakeParty) -> str:
    """UNLOCK_CONNECTOR needs a session of the EMSP on the EVSE (profile §11)."""
    from tests.integration.commands.conftest import EDP

    runtime.sessions().active(EDP)
    data = post_command(
        emsp,
        "UNLOCK_CONNECTOR",
        {"location_id": STATION, "evse_uid": EVSE, "connector_id": "LSB-00175-01-01"},
    )
    assert (data["result"], data["timeout"]) == ("ACCEPTED", 2)
    (command_id,) = [
        i["pk"].removeprefix("COMMAND#")
        for i in boto3.resource("dynamodb").Table("mobie-commands").scan()["Items"]
        if i["pk"].startswith("COMMAND#")
    ]
    return command_id


def test_a_station_offline_when_the_call_is_sent_fails_at_once(station, emsp):
    send = lambda_module("command_send").handler

    def disconnected_first(event, context):  # the station goes between the CommandResponse and the send
        station.central_system.disconnected(STATION, "conn-1")
        return send(event, context)

    with in_process_lambdas({**handlers(), SEND: disconnected_first}):
        command_id = _unlock_command(emsp)
        described = finished()
    assert json.loads(described["output"])["result"] == "FAILED"
    assert (
        commands.get_command(command_id).result_message
        == "The requested charging station is currently offline."
    )
