"""The command lifecycle's steps (send → facts → decide → deliver) against moto and the real OCPP
gateway (fake connections): profile §11 CommandResult tables (17, 19, 20, 22) from real frames."""

from __future__ import annotations

import json

import pytest

from mobie_hub.commands import lifecycle
from mobie_hub.commands import repository as commands
from mobie_hub.commands.delivery import ResultPoster
from mobie_hub.commands.ocpp_hooks import CommandCallResults, CommandTransactionEvents
from mobie_hub.commands.repository import Command
from mobie_hub.core.types import utcnow
from mobie_hub.locations import station_repository as station_locations
from mobie_hub.locations.enums import Status
from mobie_hub.ocpp import runtime as ocpp_runtime
from mobie_hub.ocpp.central_system import CentralSystem
from mobie_hub.ocpp.send import send_call
from mobie_hub.sessions.recorded_transactions import RecordedTransactions
from tests.integration.commands.conftest import EDP, EVSE, GLP, STATION
from tests.integration.ocpp.conftest import Station
from tests.support.ocpp_fakes import FakeAuthority, FakeConnections, RecordingListener

TOKEN = "task-token-1"


@pytest.fixture
def connections() -> FakeConnections:
    return FakeConnections()


@pytest.fixture
def station(hub, workflow, connections):
    central_system = CentralSystem(
        connections,
        FakeAuthority(),
        CommandTransactionEvents(RecordedTransactions(), workflow=lambda: workflow),
        CommandCallResults(RecordingListener(), workflow=lambda: workflow),
    )
    ocpp_runtime.use(central_system)
    yield Station(central_system, STATION).connect()
    ocpp_runtime.use(None)


class Delivered(list):
    def __call__(self, command, decision) -> None:
        self.append((command.command_id, decision.result, decision.message))


def new_command(command_type: str, **facts) -> str:
    facts = {"command_id": f"cmd-{command_type}", "response_url": "https://emsp.test/result", **facts}
    defaults = {
        "START_SESSION": {
            "evse_uid": EVSE,
            "connector": 1,
            "id_tag": EDP.uid,
            "token": EDP,
            "session_id": "S-P",
        },
        "STOP_SESSION": {"evse_uid": EVSE, "session_id": "S-A", "transaction_id": 1},
        "UNLOCK_CONNECTOR": {"evse_uid": EVSE, "connector": 1},
    }[command_type]
    command = Command(
        command_type=command_type,
        party_country_code="PT",
        party_id="EDP",
        station_id=STATION,
        timeout_seconds=30,
        created_at=utcnow(),
        **{**defaults, **facts},
    )
    commands.put_command(command)
    return command.command_id


def sent(workflow, command_id: str) -> list:
    """Run the send step; the frame the station received."""
    workflow.waiting.add(TOKEN)
    lifecycle.send(command_id, TOKEN, workflow=workflow, send_call=send_call)
    return workflow


def last_call(connections) -> list:
    return connections.frames()[-1]


def answer(station, connections, payload) -> None:
    station.send([3, last_call(connections)[1], payload])


def start_transaction(station, id_tag=EDP.uid, connector=1) -> int:
    reply = station.call(
        "StartTransaction",
        {"connectorId": connector, "idTag": id_tag, "meterStart": 0, "timestamp": "2026-12-01T09:00:00Z"},
    )
    return reply[2]["transactionId"]


def decided(command_id, sessions, *, timed_out=False):
    delivered = Delivered()
    decision = lifecycle.decide(command_id, timed_out=timed_out, sessions=sessions, deliver=delivered)
    assert delivered == [(command_id, decision.result, decision.message)]
    return decision.result, decision.message


# --- START_SESSION ---------------------------------------------------------------------------------
def test_start_accepted_only_after_start_transaction(station, connections, workflow, sessions, capsys):
    command_id = new_command("START_SESSION")
    sent(workflow, command_id)
    assert last_call(connections)[2:] == ["RemoteStartTransaction", {"idTag": EDP.uid, "connectorId": 1}]
    answer(station, connections, {"status": "Accepted"})
    assert workflow.resumed == []  # RST.conf alone is not enough
    start_transaction(station)
    assert workflow.resumed == [(TOKEN, command_id)]
    assert decided(command_id, sessions) == ("ACCEPTED", None)
    assert sessions.invalidated == []
    # And the result was counted by type and result (the dashboard's "Command results by type")
    [metric] = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"CommandResults"' in line]
    assert (metric["type"], metric["result"], metric["CommandResults"]) == ("START_SESSION", "ACCEPTED", 1)


def test_start_conf_lost_but_start_transaction_arrived_is_a_warning(station, connections, workflow, sessions):
    command_id = new_command("START_SESSION")
    sent(workflow, command_id)
    start_transaction(station)
    assert decided(command_id, sessions) == ("ACCEPTED", "WARNING! Original ack not received.")


def test_start_accepted_without_start_transaction_fails_at_the_timeout(
    station, connections, workflow, sessions
):
    command_id = new_command("START_SESSION")
    sent(workflow, command_id)
    answer(station, connections, {"status": "Accepted"})
    assert decided(command_id, sessions, timed_out=True) == (
        "FAILED",
        "The charging station has not confirmed that it started the transaction.",
    )
    assert sessions.invalidated == ["S-P"]
    # a StartTransaction after the decision is a late fact: recorded by the gateway, ignored here
    start_transaction(station)
    assert workflow.resumed == [] and commands.get_command(command_id).result == "FAILED"


def test_start_without_any_answer_times_out(station, workflow, sessions):
    command_id = new_command("START_SESSION")
    sent(workflow, command_id)
    assert decided(command_id, sessions, timed_out=True) == ("TIMEOUT", None)
    assert sessions.invalidated == ["S-P"]


@pytest.mark.parametrize(
    ("setup", "result", "message"),
    [
        ("same token", "EVSE_OCCUPIED", "The current user has an active transaction on the EVSE."),
        ("other token", "EVSE_OCCUPIED", "The EVSE is currently occupied."),
        ("out of service", "EVSE_INOPERATIVE", "The requested EVSE is out of service."),
        ("nothing", "REJECTED", "The charging station has rejected the request."),
    ],
)
def test_start_rejected_is_explained_by_the_evse(
    station, connections, workflow, sessions, setup, result, message
):
    if setup == "same token":
        sessions.active(EDP)
    elif setup == "other token":
        sessions.active(GLP)
    elif setup == "out of service":
        station.call(
            "StatusNotification", {"connectorId": 1, "errorCode": "GroundFailure", "status": "Faulted"}
        )
        assert station_locations.read(STATION).location.evses[0].status is Status.OUTOFORDER
    command_id = new_command("START_SESSION")
    sent(workflow, command_id)
    answer(station, connections, {"status": "Rejected"})
    assert workflow.resumed == [(TOKEN, command_id)]  # a Rejected conf ends the wait at once
    assert decided(command_id, sessions) == (result, message)
    assert sessions.invalidated == ["S-P"]


def test_a_station_offline_at_send_time_fails_at_once(station, connections, workflow, sessions):
    station.central_system.disconnected(STATION, "conn-1")
    command_id = new_command("START_SESSION")
    sent(workflow, command_id)
    assert workflow.resumed == [(TOKEN, command_id)]
    assert decided(command_id, sessions) == ("FAILED", "The requested charging station is currently offline.")


# --- STOP_SESSION ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("conf", "reason", "message"),
    [
        (True, "Remote", None),
        (True, "EVDisconnected", "EVDisconnected"),
        (False, "Remote", "WARNING! Original ack not received. Remote"),
    ],
)
def test_stop_accepted_after_stop_transaction(
    station, connections, workflow, sessions, conf, reason, message
):
    transaction_id = start_transaction(station)
    command_id = new_command("STOP_SESSION", transaction_id=transaction_id)
    sent(workflow, command_id)
    assert last_call(connections)[2:] == ["RemoteStopTransaction", {"transactionId": transaction_id}]
    if conf:
        answer(station, connections, {"status": "Accepted"})
        assert workflow.resumed == []
    station.call(
        "StopTransaction",
        {
            "transactionId": transaction_id,
            "meterStop": 500,
            "timestamp": "2026-12-01T10:00:00Z",
            "reason": reason,
        },
    )
    assert decided(command_id, sessions) == ("ACCEPTED", message)


def test_stop_rejected_and_stop_timeouts(station, connections, workflow, sessions):
    rejected = new_command("STOP_SESSION")
    sent(workflow, rejected)
    answer(station, connections, {"status": "Rejected"})
    assert decided(rejected, sessions) == ("FAILED", "The charging station has rejected the request.")

    workflow.resumed.clear()
    unconfirmed = new_command("STOP_SESSION", command_id="cmd-stop-2", transaction_id=2)
    sent(workflow, unconfirmed)
    answer(station, connections, {"status": "Accepted"})
    assert decided(unconfirmed, sessions, timed_out=True) == (
        "FAILED",
        "The charging station has not confirmed that it stopped the transaction.",
    )


# --- UNLOCK_CONNECTOR ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reply", "result"),
    [
        ([3, {"status": "Unlocked"}], "ACCEPTED"),
        ([3, {"status": "UnlockFailed"}], "FAILED"),
        ([3, {"status": "NotSupported"}], "NOT_SUPPORTED"),
        ([4, "NotSupported", "no unlock here", {}], "NOT_SUPPORTED"),
        ([4, "InternalError", "broken", {}], "FAILED"),
    ],
)
def test_unlock_results(station, connections, workflow, sessions, reply, result):
    command_id = new_command("UNLOCK_CONNECTOR")
    sent(workflow, command_id)
    assert last_call(connections)[2:] == ["UnlockConnector", {"connectorId": 1}]
    station.send([reply[0], last_call(connections)[1], *reply[1:]])
    assert workflow.resumed == [(TOKEN, command_id)]
    assert decided(command_id, sessions) == (result, None)


def test_a_late_unlock_answer_is_logged_and_ignored(station, connections, workflow, sessions):
    command_id = new_command("UNLOCK_CONNECTOR")
    sent(workflow, command_id)
    assert decided(command_id, sessions, timed_out=True) == ("TIMEOUT", None)
    answer(station, connections, {"status": "Unlocked"})
    assert workflow.resumed == []
    assert commands.get_command(command_id).result == "TIMEOUT"
    assert lifecycle.decide(command_id, timed_out=False, sessions=sessions, deliver=Delivered()) is None


# --- delivery --------------------------------------------------------------------------------------
def test_an_unreachable_response_url_is_logged_and_nothing_is_lost(hub, sessions, caplog):
    from tests.support.local_hub import free_port
    from tests.support.parties import register_receiver

    register_receiver("http://127.0.0.1:1", modules=("commands",))
    dead = f"http://127.0.0.1:{free_port()}/ocpi/emsp/2.2.1/commands/START_SESSION/1"
    command_id = new_command("START_SESSION", response_url=dead)
    sessions.active(EDP, id="S-P", status="PENDING", transaction_id=None)

    decision = lifecycle.decide(command_id, timed_out=True, sessions=sessions, deliver=ResultPoster())

    assert decision.result == "TIMEOUT"
    assert "command result not delivered" in caplog.messages
    assert commands.get_command(command_id).result == "TIMEOUT"
    assert sessions.get("S-P") is not None and sessions.invalidated == ["S-P"]
