"""Capabilities are consulted (issue #17 item 8): START_SESSION and STOP_SESSION to an EVSE whose
capabilities lack REMOTE_START_STOP_CAPABLE answer NOT_SUPPORTED at once (profile §11 STOP_SESSION:
"A station that cannot stop remotely → NOT_SUPPORTED"; START_SESSION likewise, a (choice)): no
command stored, no workflow started, so no OCPP call; the other EVSE of the station is unaffected."""

from __future__ import annotations

import pytest

from mobie_hub.locations.enums import Capability
from mobie_hub.locations.repository import get_location, put_location
from tests.integration.commands.conftest import EDP, EVSE, GLP, STATION, online
from tests.integration.commands.test_receiver import URL, answer, start_body, stored_commands, text

OTHER_EVSE = "LSB-00175-02"


@pytest.fixture
def no_remote_start_stop(hub) -> None:
    """The demo station's first EVSE with only an RFID reader (the second keeps remote start/stop)."""
    stored = get_location(STATION)
    evses = [
        evse.model_copy(update={"capabilities": [Capability.RFID_READER]}) if evse.uid == EVSE else evse
        for evse in stored.evses
    ]
    put_location(stored.model_copy(update={"evses": evses}))
    online()


def stop(client, party, session_id):
    body = {"response_url": "https://emsp.test/ocpi/emsp/2.2.1/commands/STOP/s", "session_id": session_id}
    return answer(client.post(URL + "STOP_SESSION", json=body, headers=party.headers))


def test_start_session_on_an_evse_that_cannot_start_remotely_is_not_supported(
    client, edp, sessions, workflow, no_remote_start_stop
):
    data = answer(client.post(URL + "START_SESSION", json=start_body(), headers=edp.headers))
    assert (data["result"], data["timeout"], text(data)) == ("NOT_SUPPORTED", 120, None)
    assert stored_commands() == [] and workflow.started == [] and sessions.sessions == {}
    elsewhere = client.post(URL + "START_SESSION", json=start_body(evse_uid=OTHER_EVSE), headers=edp.headers)
    assert answer(elsewhere)["result"] == "ACCEPTED"


def test_stop_session_on_an_evse_that_cannot_stop_remotely_is_not_supported(
    client, edp, sessions, workflow, no_remote_start_stop
):
    ours = sessions.active(EDP, id="S-OURS", transaction_id=11)
    data = stop(client, edp, ours.id)
    assert (data["result"], data["timeout"], text(data)) == ("NOT_SUPPORTED", 60, None)
    assert stored_commands() == [] and workflow.started == []
    elsewhere = sessions.active(EDP, id="S-OTHER", transaction_id=12, evse_uid=OTHER_EVSE)
    assert stop(client, edp, elsewhere.id)["result"] == "ACCEPTED"


def test_another_partys_session_there_is_still_only_not_owned(
    client, edp, glp, sessions, no_remote_start_stop
):
    theirs = sessions.active(GLP, id="S-THEIRS", transaction_id=13)
    data = stop(client, edp, theirs.id)
    assert data["result"] == "REJECTED"
    assert text(data) == "The requested session is not owned by the requesting party."
