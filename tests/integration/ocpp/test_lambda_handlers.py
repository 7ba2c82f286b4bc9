"""The OCPP Lambda entries with real-shaped API Gateway WebSocket events (events/ocpp/*.json) against
moto: DynamoDB and the API Gateway Management API (post_to_connection)."""

from __future__ import annotations

import json

import pytest
from botocore.stub import Stubber

from mobie_hub.core.errors import StationOffline
from mobie_hub.locations.repository import put_location
from mobie_hub.ocpp import call_repository, runtime
from mobie_hub.ocpp import repository as stations
from mobie_hub.ocpp.station_auth import basic_header
from mobie_hub.tokens import repository as tokens
from mobie_hub.tokens.models import Token
from tests.support.events import load_event
from tests.support.handlers import FakeContext, lambda_module
from tests.support.ocpp_data import STATION_ID, station_location
from tests.support.stations import station_password
from tests.support.tokens import registered_emsp, rfid_token

PASSWORD = "s3cret-authorization-key"
API_ENDPOINT = "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/ocpp"


@pytest.fixture(autouse=True)
def _fresh_runtime():
    runtime.use(None)
    yield
    runtime.use(None)


def invoke(name: str, event: dict) -> dict:
    return lambda_module(name).handler(event, FakeContext())


def authorizer_event(
    station_id: str = STATION_ID, authorization: str = "", subprotocol: str = "ocpp1.6"
) -> dict:
    return load_event(
        "ocpp/authorizer_connect.json",
        station_id=station_id,
        authorization=authorization,
        subprotocol=subprotocol,
        connection_id="Lq3kVeCfjoECFsQ=",
    )


def message_event(frame: str, connection_id: str = "Lq3kVeCfjoECFsQ=") -> dict:
    event = load_event("ocpp/message.json", station_id=STATION_ID, connection_id=connection_id)
    event["body"] = frame
    return event


def sent_to(connection_id: str) -> bytes:
    from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends

    return apigatewaymanagementapi_backends["123456789012"]["eu-west-1"].connections[connection_id].data


def allowed(policy: dict) -> bool:
    return policy["policyDocument"]["Statement"][0]["Effect"] == "Allow"


def test_the_authorizer_admits_a_station_with_its_password_and_names_it_in_the_context(location):
    station_password(STATION_ID, PASSWORD)

    policy = invoke("ocpp_authorizer", authorizer_event(authorization=basic_header(STATION_ID, PASSWORD)))

    assert allowed(policy)
    assert policy["principalId"] == STATION_ID
    assert policy["context"] == {"stationId": STATION_ID, "subprotocol": "ocpp1.6"}
    assert policy["policyDocument"]["Statement"][0]["Resource"].endswith("/ocpp/$connect")


def test_the_authorizer_answers_one_401_for_unknown_passwordless_and_wrong_credentials(location):
    # Given the station has a password, and another known station (a Location) has none
    station_password(STATION_ID, PASSWORD)
    put_location(station_location(station_id="LSB-NOPASS"))

    # Then every refusal is the same Unauthorized (API Gateway: HTTP 401), known id or not
    for station_id, authorization in (
        (STATION_ID, ""),
        (STATION_ID, basic_header(STATION_ID, "not-the-right-password")),
        (STATION_ID, basic_header("OTHER", PASSWORD)),
        ("LSB-NOPASS", ""),
        ("LSB-NOPASS", basic_header("LSB-NOPASS", PASSWORD)),
        ("NOPE-1", ""),
        ("NOPE-1", basic_header("NOPE-1", PASSWORD)),
    ):
        with pytest.raises(Exception, match="^Unauthorized$"):
            invoke("ocpp_authorizer", authorizer_event(station_id=station_id, authorization=authorization))
    # And a missing subprotocol is a Deny (HTTP 403), as it says nothing about the station
    assert not allowed(invoke("ocpp_authorizer", authorizer_event(subprotocol="ocpp2.0.1")))


def test_the_insecure_open_mode_admits_a_station_without_password(location, monkeypatch):
    from mobie_hub.core.settings import get_settings

    monkeypatch.setenv("MOBIE_REQUIRE_STATION_AUTH", "false")
    get_settings.cache_clear()

    assert allowed(invoke("ocpp_authorizer", authorizer_event()))
    assert not allowed(invoke("ocpp_authorizer", authorizer_event(station_id="NOPE-1")))


def test_connect_maps_the_station_and_echoes_the_subprotocol(location):
    response = invoke(
        "ocpp_connect", load_event("ocpp/connect.json", station_id=STATION_ID, connection_id="c-1")
    )

    assert response == {"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": "ocpp1.6"}}
    assert stations.get_connection(STATION_ID).connection_id == "c-1"


def test_default_answers_in_the_response_body(location):
    invoke(
        "ocpp_connect",
        load_event("ocpp/connect.json", station_id=STATION_ID, connection_id="Lq3kVeCfjoECFsQ="),
    )

    response = invoke("ocpp_message", message_event('[2,"hb-1","Heartbeat",{}]'))

    assert response["statusCode"] == 200
    answer = json.loads(response["body"])
    assert answer[:2] == [3, "hb-1"]
    assert sent_to("Lq3kVeCfjoECFsQ=") == b""  # the answer alone: nothing through the Management API


def test_a_boot_is_answered_first_and_then_asked_for_the_statuses_through_the_management_api(location):
    # Issue #17 item 4: the TriggerMessage must reach the station after the BootNotification's answer,
    # and the route's response would come last, so both go through post_to_connection, in order.
    invoke(
        "ocpp_connect",
        load_event("ocpp/connect.json", station_id=STATION_ID, connection_id="c-7"),
    )

    response = invoke(
        "ocpp_message",
        load_event("ocpp/message.json", station_id=STATION_ID, connection_id="c-7"),
    )

    assert response == {"statusCode": 200}
    answer, trigger = json.loads("[" + sent_to("c-7").decode().replace("][", "],[") + "]")
    assert answer[:2] == [3, "boot-1"] and answer[2]["status"] == "Accepted"
    assert trigger[0::2] == [2, "TriggerMessage"] and trigger[3] == {"requestedMessage": "StatusNotification"}
    assert call_repository.get_pending_call(STATION_ID).message_id == trigger[1]
    assert stations.get_station(STATION_ID).boot["chargePointVendor"] == "ABB"


def test_default_authorizes_from_the_real_whitelist_and_refuses_bad_frames(location):
    registered_emsp()  # a token authorises only while its EMSP is registered (issue #12)
    tokens.put_token(Token.model_validate(rfid_token()))

    authorized = invoke("ocpp_message", message_event('[2,"a1","Authorize",{"idTag":"04a1b2c3d4e5f6"}]'))
    unknown = invoke("ocpp_message", message_event('[2,"a2","Authorize",{"idTag":"FFFFFFFF"}]'))
    broken = invoke("ocpp_message", message_event("{not json"))

    assert json.loads(authorized["body"])[2] == {"idTagInfo": {"status": "Accepted"}}
    assert json.loads(unknown["body"])[2] == {"idTagInfo": {"status": "Invalid"}}
    assert json.loads(broken["body"])[:3] == [4, "-1", "FormationViolation"]


def test_a_base64_body_is_decoded(location):
    import base64

    event = message_event(base64.b64encode(b'[2,"h1","Heartbeat",{}]').decode())
    event["isBase64Encoded"] = True

    assert json.loads(invoke("ocpp_message", event)["body"])[:2] == [3, "h1"]


def test_an_answer_from_the_station_gets_no_body(location):
    invoke(
        "ocpp_connect",
        load_event("ocpp/connect.json", station_id=STATION_ID, connection_id="Lq3kVeCfjoECFsQ="),
    )
    message_id = runtime.central_system(API_ENDPOINT).send_call(STATION_ID, "UnlockConnector", {"connectorId": 1})

    response = invoke("ocpp_message", message_event(json.dumps([3, message_id, {"status": "Unlocked"}])))

    assert response == {"statusCode": 200}
    assert call_repository.get_pending_call(STATION_ID) is None


def test_send_call_posts_to_the_connection_through_the_management_api(location, monkeypatch):
    monkeypatch.setenv("MOBIE_OCPP_MANAGEMENT_URL", API_ENDPOINT)
    from mobie_hub.core.settings import get_settings

    get_settings.cache_clear()
    invoke("ocpp_connect", load_event("ocpp/connect.json", station_id=STATION_ID, connection_id="c-42"))

    message_id = runtime.central_system().send_call(
        STATION_ID, "TriggerMessage", {"requestedMessage": "StatusNotification"}
    )

    assert json.loads(sent_to("c-42")) == [
        2,
        message_id,
        "TriggerMessage",
        {"requestedMessage": "StatusNotification"},
    ]


def test_a_gone_connection_unmaps_the_station(location):
    invoke("ocpp_connect", load_event("ocpp/connect.json", station_id=STATION_ID, connection_id="c-gone"))
    central_system = runtime.central_system(API_ENDPOINT)

    with Stubber(central_system.connections.client) as stub:
        stub.add_client_error("post_to_connection", service_error_code="GoneException", http_status_code=410)
        with pytest.raises(StationOffline):
            central_system.send_call(STATION_ID, "UnlockConnector", {"connectorId": 1})

    assert stations.get_connection(STATION_ID) is None
    assert call_repository.get_pending_call(STATION_ID) is None


def test_a_reconnect_closes_the_old_connection_and_its_late_disconnect_changes_nothing(location):
    from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends

    backend = apigatewaymanagementapi_backends["123456789012"]["eu-west-1"]
    invoke("ocpp_connect", load_event("ocpp/connect.json", station_id=STATION_ID, connection_id="c-old"))
    backend.connections["c-old"]
    invoke("ocpp_connect", load_event("ocpp/connect.json", station_id=STATION_ID, connection_id="c-new"))

    assert "c-old" not in backend.connections  # delete_connection was called on it

    response = invoke(
        "ocpp_disconnect", load_event("ocpp/disconnect.json", station_id=STATION_ID, connection_id="c-old")
    )

    assert response == {"statusCode": 200}
    assert stations.get_connection(STATION_ID).connection_id == "c-new"
    invoke(
        "ocpp_disconnect", load_event("ocpp/disconnect.json", station_id=STATION_ID, connection_id="c-new")
    )
    assert stations.get_connection(STATION_ID) is None
