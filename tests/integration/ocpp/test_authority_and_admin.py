"""The real idTag authority (the tokens whitelist) and the operator's station operations."""

from __future__ import annotations

import pytest

from mobie_hub.admin.registry import dispatch
from mobie_hub.core.errors import InvalidRequest, StationOffline, UnknownLocation
from mobie_hub.ocpp import repository as stations
from mobie_hub.ocpp import runtime
from mobie_hub.ocpp.station_auth import verify_password
from mobie_hub.tokens import repository as tokens
from mobie_hub.tokens.authority import WhitelistAuthority
from mobie_hub.tokens.models import Token
from mobie_hub.tokens.rules import id_tag_for
from tests.support.ocpp_data import STATION_ID
from tests.support.tokens import app_token, registered_emsp, rfid_token


@pytest.fixture(autouse=True)
def _fresh_runtime():
    runtime.use(None)
    yield
    runtime.use(None)


def test_the_whitelist_accepts_a_valid_token_and_names_its_owner(aws):
    registered_emsp()  # a token authorises only while its EMSP is registered (issue #12)
    tokens.put_token(Token.model_validate(rfid_token()))

    decision = WhitelistAuthority().authorize("04a1b2c3d4e5f6")

    assert decision.status == "Accepted"
    assert (decision.token.country_code, decision.token.party_id, decision.token.uid) == (
        "PT",
        "EDP",
        "04A1B2C3D4E5F6",
    )
    assert decision.token.contract_id == "PT-EDP-C-1234ABCD-J"


def test_an_invalidated_token_is_blocked_and_an_unknown_idtag_invalid(aws):
    registered_emsp()  # a token authorises only while its EMSP is registered (issue #12)
    tokens.put_token(Token.model_validate(rfid_token(valid=False)))

    assert WhitelistAuthority().authorize("04A1B2C3D4E5F6").status == "Blocked"
    assert WhitelistAuthority().authorize("0000").status == "Invalid"
    assert WhitelistAuthority().authorize("0000").token is None


def test_an_app_user_is_known_by_its_derived_idtag(aws):
    token = Token.model_validate(app_token())
    registered_emsp()  # a token authorises only while its EMSP is registered (issue #12)
    tokens.put_token(token)

    decision = WhitelistAuthority().authorize(id_tag_for(token))

    assert (decision.status, decision.token.type) == ("Accepted", "APP_USER")


def test_set_password_stores_only_a_hash_and_show_reports_it(location):
    result = dispatch("stations.set_password", {"station_id": STATION_ID, "password": "0123456789abcdef"})

    assert result == {"station_id": STATION_ID, "password_set": True}
    stored = stations.get_station(STATION_ID).password_hash
    assert verify_password(b"0123456789abcdef", stored)
    shown = dispatch("stations.show", {"station_id": STATION_ID})
    assert (shown["password_set"], shown["connected"], shown["pending_call"]) == (True, False, None)

    dispatch("stations.clear_password", {"station_id": STATION_ID})
    assert stations.get_station(STATION_ID).password_hash is None


def test_station_operations_refuse_unknown_stations_and_short_passwords(location):
    with pytest.raises(UnknownLocation):
        dispatch("stations.set_password", {"station_id": "NOPE", "password": "0123456789abcdef"})
    with pytest.raises(InvalidRequest, match="16 to 40 bytes"):
        dispatch("stations.set_password", {"station_id": STATION_ID, "password": "short"})
    with pytest.raises(InvalidRequest, match="station_id"):
        dispatch("stations.show", {})


def test_a_call_to_a_station_that_is_not_connected_is_a_clear_error(location):
    with pytest.raises(StationOffline, match="not connected"):
        dispatch(
            "stations.call",
            {
                "station_id": STATION_ID,
                "action": "TriggerMessage",
                "payload": {"requestedMessage": "Heartbeat"},
            },
        )
