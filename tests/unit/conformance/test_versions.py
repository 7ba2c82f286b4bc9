"""OCPI 2.2 vs 2.2.1 output: what 2.2 lacks is left out, 2.2 input parses and re-emits unchanged."""

from __future__ import annotations

import pytest

from mobie_hub.cdrs.models import Cdr
from mobie_hub.commands.models import StartSession
from mobie_hub.core.models import CdrToken, dump_ocpi, partial_model
from mobie_hub.locations.models import EVSE, Location
from mobie_hub.sessions.models import Session
from tests.unit.conformance.ocpi_json import assert_equivalent, load


def test_cdr_token_carries_its_owner_only_in_2_2_1():
    # Given a CdrToken with the owner fields 2.2.1 added (changelog §17.2)
    token = CdrToken.model_validate(load("session")["cdr_token"])

    # When it is serialised for each version
    v2_2_1, v2_2 = dump_ocpi(token, "2.2.1"), dump_ocpi(token, "2.2")

    # Then 2.2.1 has country_code/party_id and 2.2 does not
    assert (v2_2_1["country_code"], v2_2_1["party_id"]) == ("PT", "EDP")
    assert v2_2 == {"uid": "04A1B2C3D4E5F6", "type": "RFID", "contract_id": "PT-EDP-C-1234ABCD-J"}


@pytest.mark.parametrize(("model", "sample"), [(Session, "session"), (Cdr, "cdr_private_station")])
def test_nested_cdr_tokens_follow_the_version(model, sample):
    # Given a Session or CDR / When serialised for 2.2 / Then its cdr_token has no owner fields
    parsed = model.model_validate(load(sample))
    assert "country_code" not in dump_ocpi(parsed, "2.2")["cdr_token"]
    assert dump_ocpi(parsed, "2.2.1")["cdr_token"]["country_code"] == "PT"


def test_a_2_2_cdr_token_parses_and_re_emits_unchanged():
    # Given a CdrToken as a 2.2 peer sends it (no owner fields)
    given = {"uid": "04A1B2C3D4E5F6", "type": "RFID", "contract_id": "PT-EDP-C-1234ABCD-J"}

    # When parsed and serialised for 2.2 and 2.2.1 / Then nothing is invented
    token = CdrToken.model_validate(given)
    assert dump_ocpi(token, "2.2") == given == dump_ocpi(token, "2.2.1")


def test_start_session_connector_id_exists_only_in_2_2_1():
    # Given a StartSession naming a connector (2.2.1 added connector_id)
    command = StartSession.model_validate(load("start_session"))

    # Then 2.2.1 output keeps it and 2.2 output drops it; the nested Token is whole in both
    assert dump_ocpi(command, "2.2.1")["connector_id"] == "1"
    v2_2 = dump_ocpi(command, "2.2")
    assert "connector_id" not in v2_2
    assert_equivalent(v2_2["token"], load("start_session")["token"])


def test_cdr_fields_new_in_2_2_1_are_left_out_for_2_2():
    # Given a CDR with home_charging_compensation and a public CdrLocation with a state
    cdr = load("cdr_private_station")
    cdr["cdr_location"] = load("cdr_location_public") | {"state": "Lisboa"}
    parsed = Cdr.model_validate(cdr)

    # Then both are in the 2.2.1 output and absent from the 2.2 output
    v2_2_1, v2_2 = dump_ocpi(parsed, "2.2.1"), dump_ocpi(parsed, "2.2")
    assert v2_2_1["home_charging_compensation"] is False and v2_2_1["cdr_location"]["state"] == "Lisboa"
    assert "home_charging_compensation" not in v2_2 and "state" not in v2_2["cdr_location"]


def test_the_capability_new_in_2_2_1_is_filtered_for_2_2():
    # Given an EVSE that asks for StartSession.connector_id (2.2.1 capability)
    location = Location.model_validate(load("location"))

    # Then 2.2 peers, who cannot send connector_id, do not see that capability
    assert dump_ocpi(location, "2.2")["evses"][0]["capabilities"] == [
        "REMOTE_START_STOP_CAPABLE",
        "RFID_READER",
    ]
    assert "START_SESSION_CONNECTOR_REQUIRED" in dump_ocpi(location, "2.2.1")["evses"][0]["capabilities"]


def test_patch_models_follow_the_version_too():
    # Given an EVSE PATCH body built from the partial model
    patch = partial_model(EVSE).model_validate(
        {
            "capabilities": ["RFID_READER", "START_SESSION_CONNECTOR_REQUIRED"],
            "last_updated": "2024-03-01T09:00:00Z",
        }
    )

    # Then its 2.2 output is filtered like the full EVSE's
    assert dump_ocpi(patch, "2.2") == {
        "capabilities": ["RFID_READER"],
        "last_updated": "2024-03-01T09:00:00Z",
    }


def test_2_2_1_is_the_default_and_the_envelope_context_works_alike():
    # Given a StartSession / When dumped without context, or the way the response envelope dumps
    command = StartSession.model_validate(load("start_session"))
    plain = command.model_dump(mode="json", exclude_none=True)
    envelope_2_2 = command.model_dump(mode="json", exclude_none=True, context={"ocpi_version": "2.2"})

    # Then no context means 2.2.1, and a plain "2.2" string selects 2.2
    assert plain == dump_ocpi(command, "2.2.1")
    assert envelope_2_2 == dump_ocpi(command, "2.2")
