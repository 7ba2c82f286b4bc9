"""Station admission against moto: authentication by default, one refusal for every reason, the
throttle per station id, and the DynamoDB calls each admission costs."""

from __future__ import annotations

import json

import pytest

from mobie_hub.core.dynamodb import counting_calls
from mobie_hub.core.settings import get_settings
from mobie_hub.core.types import utcnow
from mobie_hub.locations.repository import put_location
from mobie_hub.ocpp import admission, connection_repository
from mobie_hub.ocpp import repository as stations
from mobie_hub.ocpp.admission import UNAUTHORIZED, AdmissionRefused, AuthPolicy
from mobie_hub.ocpp.station_auth import basic_header
from tests.support.events import load_event
from tests.support.handlers import FakeContext, lambda_module
from tests.support.ocpp_data import STATION_ID, station_location
from tests.support.stations import station_password

PASSWORD = "0123456789abcdef0123"
POLICY = AuthPolicy(require_auth=True, max_failures=3, window_seconds=300)
NOW = 1_795_424_400.0  # the start of a 300 s window


def admit(station_id: str = STATION_ID, authorization: str | None = None, *, now: float = NOW,
          policy: AuthPolicy = POLICY) -> admission.Admission:
    return admission.admit(
        station_id, authorization=authorization, offered=["ocpp1.6"], policy=policy, now=now
    )


def refusal(station_id: str, authorization: str | None, **kwargs) -> AdmissionRefused:
    with pytest.raises(AdmissionRefused) as refused:
        admit(station_id, authorization, **kwargs)
    return refused.value


def test_stations_authenticate_by_default():
    assert get_settings().require_station_auth is True
    assert AuthPolicy.from_settings(get_settings()).require_auth is True


def test_a_station_with_its_password_is_admitted_with_two_dynamodb_calls(location):
    station_password(STATION_ID, PASSWORD)

    with counting_calls() as calls:
        admitted = admit(authorization=basic_header(STATION_ID, PASSWORD))

    assert (admitted.station_id, admitted.authenticated) == (STATION_ID, True)
    assert dict(calls) == {"BatchGetItem": 1, "GetItem": 1}


def test_unknown_private_passwordless_and_wrong_are_one_and_the_same_401(location):
    # Given a station with a password, a private one and a published one without, and no station "NOPE-1"
    station_password(STATION_ID, PASSWORD)
    put_location(station_location(station_id="LSB-NOPASS"))
    private = station_location(station_id="PRT-PRIVATE").model_copy(update={"publish": False})
    put_location(private)
    station_password("PRT-PRIVATE", PASSWORD + "x")

    refusals = [
        refusal(station_id, authorization)
        for station_id in (STATION_ID, "LSB-NOPASS", "PRT-PRIVATE", "NOPE-1")
        for authorization in (None, basic_header(station_id, "wrong-password-16b"), "Bearer x")
    ]

    assert {(r.status, r.public) for r in refusals} == {(401, UNAUTHORIZED)}


def test_a_wrong_password_costs_one_read_and_one_counted_failure_known_id_or_not(location):
    station_password(STATION_ID, PASSWORD)

    for station_id in (STATION_ID, "NOPE-1"):
        with counting_calls() as calls:
            refusal(station_id, basic_header(station_id, "wrong-password-16b"))
        assert dict(calls) == {"BatchGetItem": 1, "UpdateItem": 1}, station_id
    with counting_calls() as calls:
        refusal(STATION_ID, None)
    assert dict(calls) == {}  # no credentials: nothing read, nothing to count


def test_after_max_failures_the_id_is_refused_even_with_its_password_until_the_window_ends(location, capsys):
    station_password(STATION_ID, PASSWORD)
    right = basic_header(STATION_ID, PASSWORD)
    for _ in range(POLICY.max_failures):
        refusal(STATION_ID, basic_header(STATION_ID, "wrong-password-16b"), now=NOW + 10)

    # Then the right password is refused the same way for the rest of the window, without a scrypt
    with counting_calls() as calls:
        throttled = refusal(STATION_ID, right, now=NOW + 20)
    assert (throttled.status, throttled.public) == (401, UNAUTHORIZED)
    assert dict(calls) == {"BatchGetItem": 1}
    metrics = [line for line in capsys.readouterr().out.splitlines() if '"StationAuthRefused"' in line]
    outcomes = [json.loads(line)["outcome"] for line in metrics]
    assert outcomes == ["wrong"] * POLICY.max_failures + ["throttled"]
    # And another station is not affected; the next window admits the station again
    assert admit(authorization=right, now=NOW + 300).authenticated


def test_the_insecure_open_mode_admits_a_station_without_password_and_answers_404_for_unknown(location):
    open_policy = AuthPolicy(require_auth=False)
    station_password("LSB-OTHER", PASSWORD)
    put_location(station_location(station_id="LSB-OTHER"))

    assert admit(policy=open_policy).authenticated is False
    assert refusal("NOPE-1", None, policy=open_policy).status == 404
    assert refusal("LSB-OTHER", None, policy=open_policy).status == 401  # its password is still needed
    assert admit("LSB-OTHER", basic_header("LSB-OTHER", PASSWORD), policy=open_policy).authenticated


def test_a_refused_authorizer_call_leaves_the_real_stations_connection_alone(location):
    # Given the real station connected (mapped to its connection)
    station_password(STATION_ID, PASSWORD)
    connection_repository.put_connection(STATION_ID, "real-connection", utcnow())
    event = load_event(
        "ocpp/authorizer_connect.json",
        station_id=STATION_ID,
        authorization=basic_header(STATION_ID, "wrong-password-16b"),
        subprotocol="ocpp1.6",
        connection_id="impostor",
    )

    # When an impostor's $connect reaches the authorizer with a wrong password
    with counting_calls() as calls, pytest.raises(Exception, match="^Unauthorized$"):
        lambda_module("ocpp_authorizer").handler(event, FakeContext())

    # Then nothing but its failure was written: the mapping still names the real connection
    assert dict(calls) == {"BatchGetItem": 1, "UpdateItem": 1}
    assert stations.get_connection(STATION_ID).connection_id == "real-connection"
