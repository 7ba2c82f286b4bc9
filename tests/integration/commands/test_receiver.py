"""The commands receiver end to end: HTTP → router → tables → DynamoDB (moto), with fake session and
workflow ports. Profile §11 CommandResponse tables (16, 18, 21) and the request checks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mobie_hub.commands import repository as commands
from mobie_hub.core.dynamodb import table
from mobie_hub.core.types import utcnow
from tests.integration.commands.conftest import EDP, EVSE, GLP, STATION, online
from tests.support.tokens import rfid_token

URL = "/ocpi/2.2.1/commands/"
RESPONSE_URL = "https://emsp.test/ocpi/emsp/2.2.1/commands/START_SESSION/abc"


def start_body(**overrides):
    body = {
        "response_url": RESPONSE_URL,
        "token": rfid_token(),
        "location_id": STATION,
        "evse_uid": EVSE,
        "authorization_reference": "9f6c1b3e-5a5e-4c55-9c1e-2e1f0f5b7a11",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def stored_commands() -> list[dict]:
    return [i for i in table("commands").scan()["Items"] if i["pk"].startswith("COMMAND#")]  # tests only


def answer(response) -> dict:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status_code"] == 1000, body
    return body["data"]


def text(data: dict) -> str | None:
    if "message" not in data:
        return None
    (message,) = data["message"]
    assert message["language"] == "en"
    return message["text"]


# --- START_SESSION ---------------------------------------------------------------------------------
def test_an_accepted_start_session_stores_the_command_opens_a_pending_session_and_starts_the_workflow(
    client, edp, sessions, workflow
):
    online()
    data = answer(client.post(URL + "START_SESSION", json=start_body(), headers=edp.headers))
    assert (data["result"], data["timeout"], text(data)) == ("ACCEPTED", 120, None)
    ((command_id, timeout),) = workflow.started
    command = commands.get_command(command_id)
    assert (command.command_type, command.station_id, command.connector, command.id_tag) == (
        "START_SESSION",
        STATION,
        1,
        "04A1B2C3D4E5F6",
    )
    assert command.response_url == RESPONSE_URL and timeout == 120
    pending = sessions.get(command.session_id)
    assert (pending.status, pending.evse_uid, pending.token_uid) == ("PENDING", EVSE, EDP.uid)


@pytest.mark.parametrize(
    ("case", "body", "message"),
    [
        ("offline", None, "The requested charging station is currently offline."),
        ("changed token", {"token": rfid_token(visual_number="EDP-0009")}, "The requested token is invalid."),
        ("unknown token", {"token": rfid_token(uid="FFFF0000")}, "The requested token is invalid."),
        ("blocked token", "blocked", "The requested token is invalid."),
        (
            "unknown EVSE",
            {"evse_uid": "LSB-00175-09"},
            "The requested EVSE UID does not exist in the location.",
        ),
        (
            "unknown connector",
            {"connector_id": "X"},
            "The requested EVSE UID does not exist in the location.",
        ),
    ],
)
def test_a_rejected_start_session_writes_nothing(client, edp, sessions, workflow, case, body, message):
    if case != "offline":
        online()
    if body == "blocked":
        # the EMSP invalidated the token (valid: false): it can start no charge
        from mobie_hub.tokens import repository as tokens
        from mobie_hub.tokens.models import Token

        tokens.put_token(Token.model_validate(rfid_token(valid=False)))
        body = {"token": rfid_token(valid=False)}
    data = answer(client.post(URL + "START_SESSION", json=start_body(**(body or {})), headers=edp.headers))
    assert (data["result"], text(data)) == ("REJECTED", message)
    assert stored_commands() == [] and workflow.started == [] and sessions.sessions == {}


def test_another_partys_token_is_invalid_for_the_requester(client, glp):
    online()
    data = answer(client.post(URL + "START_SESSION", json=start_body(), headers=glp.headers))
    assert (data["result"], text(data)) == ("REJECTED", "The requested token is invalid.")


def test_a_card_another_emsp_also_holds_validly_is_rejected_before_the_station_refuses_it(
    client, edp, glp, sessions, workflow
):
    # Given EDP's card, and GLP's valid token on the same uid stored before the PUT check existed
    from mobie_hub.core.models import STORED_CONTEXT
    from mobie_hub.tokens import repository as tokens
    from mobie_hub.tokens.models import Token

    shared = rfid_token(party_id="GLP", contract_id="PT-GLP-C-1234ABCD-1", last_updated="9999-12-31T23:59:59Z")
    table("tokens").put_item(Item=tokens.token_item(Token.model_validate(shared, context=STORED_CONTEXT)))
    online()
    # When EDP asks to start a charge with it, Then the hub rejects it as the station would (fail closed)
    data = answer(client.post(URL + "START_SESSION", json=start_body(), headers=edp.headers))
    assert (data["result"], text(data)) == ("REJECTED", "The requested token is invalid.")
    assert stored_commands() == [] and workflow.started == [] and sessions.sessions == {}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"evse_uid": None}, "evse_uid"),
        ({"response_url": None}, "response_url"),
        ({"token": None}, "token"),
        ({"authorization_reference": "not-a-uuid"}, "authorization_reference"),
        ({"token": {"uid": "x"}}, "token."),
    ],
)
def test_a_malformed_start_session_is_2001_naming_the_field(client, edp, body, field):
    response = client.post(URL + "START_SESSION", json=start_body(**body), headers=edp.headers)
    assert response.status_code == 400
    assert response.json()["status_code"] == 2001 and response.json()["status_message"].startswith(field)
    assert stored_commands() == []


def test_an_unknown_location_is_2003(client, edp):
    response = client.post(URL + "START_SESSION", json=start_body(location_id="NOPE-1"), headers=edp.headers)
    assert (response.status_code, response.json()["status_code"]) == (404, 2003)


def test_an_unknown_command_is_2001_and_404(client, edp):
    response = client.post(URL + "FLY_TO_THE_MOON", json={}, headers=edp.headers)
    assert (response.status_code, response.json()["status_code"]) == (404, 2001)


def test_a_body_that_is_no_object_is_2001(client, edp):
    response = client.post(URL + "STOP_SESSION", json=[1, 2], headers=edp.headers)
    assert (response.status_code, response.json()["status_code"]) == (400, 2001)


@pytest.mark.parametrize("command", ["RESERVE_NOW", "CANCEL_RESERVATION"])
def test_reservations_are_not_supported(client, edp, command):
    data = answer(client.post(URL + command, json={"response_url": RESPONSE_URL}, headers=edp.headers))
    assert data["result"] == "NOT_SUPPORTED" and "Reservations" in text(data)


def test_commands_need_credentials(client):
    response = client.post(URL + "START_SESSION", json=start_body())
    assert response.status_code == 401


# --- STOP_SESSION ----------------------------------------------------------------------------------
def stop(client, party, session_id):
    return answer(
        client.post(
            URL + "STOP_SESSION",
            json={"response_url": RESPONSE_URL, "session_id": session_id},
            headers=party.headers,
        )
    )


def test_stop_session_response_rows(client, edp, glp, sessions, workflow):
    ours = sessions.active(EDP, id="S-OURS", transaction_id=11)
    theirs = sessions.active(GLP, id="S-THEIRS", evse_uid="LSB-00175-02")
    done = sessions.active(EDP, id="S-DONE", status="COMPLETED", ended=utcnow())

    assert stop(client, edp, ours.id) == {
        "result": "REJECTED",
        "timeout": 60,
        "message": [{"language": "en", "text": "The requested session is currently offline."}],
    }
    online()
    assert text(stop(client, edp, theirs.id)) == "The requested session is not owned by the requesting party."
    assert text(stop(client, edp, done.id)) == "The requested session is no longer active."
    assert stop(client, edp, "S-NONE")["result"] == "UNKNOWN_SESSION"
    assert stored_commands() == []
    data = stop(client, edp, ours.id)
    assert (data["result"], text(data)) == ("ACCEPTED", None)
    ((command_id, _),) = workflow.started
    command = commands.get_command(command_id)
    assert (command.command_type, command.transaction_id, command.session_id) == ("STOP_SESSION", 11, ours.id)


# --- UNLOCK_CONNECTOR ------------------------------------------------------------------------------
def unlock(client, party, evse_uid=EVSE, connector_id="LSB-00175-01-01"):
    body = {
        "response_url": RESPONSE_URL,
        "location_id": STATION,
        "evse_uid": evse_uid,
        "connector_id": connector_id,
    }
    return client.post(URL + "UNLOCK_CONNECTOR", json=body, headers=party.headers)


def test_unlock_response_rows(client, edp, glp, sessions, workflow):
    ended = utcnow() - timedelta(hours=2)
    sessions.active(EDP, id="S-ENDED", status="COMPLETED", ended=ended)
    stamp = ended.strftime("%Y-%m-%dT%H:%M:%S")

    offline = answer(unlock(client, edp))
    assert offline["result"] == "REJECTED" and text(offline).startswith(
        "Impossible to perform the requested command as the charging station is offline. "
        "Warning: the charging session had ended at " + stamp
    )
    online()
    recent = answer(unlock(client, edp))
    assert recent["result"] == "ACCEPTED" and text(recent).startswith(
        "Warning: the charging session had ended at " + stamp
    )
    refused = answer(unlock(client, glp))
    assert (refused["result"], text(refused)) == (
        "REJECTED",
        "There is no valid session owned by the EMSP on the charging station",
    )
    assert len(workflow.started) == 1
    command = commands.get_command(workflow.started[0][0])
    assert (command.command_type, command.connector) == ("UNLOCK_CONNECTOR", 1)


def test_unlock_after_24_hours_is_refused(client, edp, sessions):
    online()
    sessions.active(EDP, status="COMPLETED", ended=utcnow() - timedelta(hours=25))
    data = answer(unlock(client, edp))
    assert (data["result"], text(data)) == (
        "REJECTED",
        "There is no valid session owned by the EMSP on the charging station",
    )


def test_unlock_of_an_unknown_connector_is_2003(client, edp):
    response = unlock(client, edp, connector_id="LSB-00175-01-09")
    assert (response.status_code, response.json()["status_code"]) == (404, 2003)


def test_a_workflow_that_cannot_start_leaves_nothing_waiting_or_pending(client, edp, sessions, workflow):
    # Given the lifecycle cannot be started (Step Functions unavailable)
    def broken(command_id, timeout_seconds):
        raise RuntimeError("StartExecution failed")

    workflow.start = broken
    online()
    # When an EMSP sends a valid START_SESSION
    response = client.post(URL + "START_SESSION", json=start_body(), headers=edp.headers)
    # Then it gets a server error, the command is decided FAILED and its pending session invalidated
    assert (response.status_code, response.json()["status_code"]) == (500, 3000)
    (item,) = stored_commands()
    assert (item["state"], item["result"]) == ("DECIDED", "FAILED")
    assert sessions.invalidated == [item["session_id"]]


# --- issue #12: response_url the hub may not call; private stations --------------------------------
@pytest.mark.parametrize(
    "response_url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://10.0.0.8/cb",
        "https://user:pw@emsp.test/cb",
        "https://hub.test/admin/parties.renew_due",  # the hub itself (MOBIE_PUBLIC_URL in tests)
    ],
)
@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("START_SESSION", start_body()),
        ("STOP_SESSION", {"session_id": "s-1"}),
        ("UNLOCK_CONNECTOR", {"location_id": STATION, "evse_uid": EVSE, "connector_id": "1"}),
    ],
)
def test_a_response_url_the_hub_may_not_call_is_2001_and_nothing_is_stored(
    client, edp, workflow, name, body, response_url
):
    online()
    response = client.post(URL + name, json={**body, "response_url": response_url}, headers=edp.headers)
    assert response.status_code == 400
    assert response.json()["status_code"] == 2001
    assert response.json()["status_message"].startswith("response_url: ")
    assert (stored_commands(), workflow.started) == ([], [])


def test_start_session_on_a_private_station_is_2003_like_an_unknown_location(client, edp, workflow):
    from mobie_hub.locations import repository as locations

    location = locations.get_location(STATION)
    locations.put_location(location.model_copy(update={"publish": False}))
    online()
    response = client.post(URL + "START_SESSION", json=start_body(), headers=edp.headers)
    assert (response.status_code, response.json()["status_code"]) == (404, 2003)
    assert (stored_commands(), workflow.started) == ([], [])
