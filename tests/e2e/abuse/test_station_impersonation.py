"""Issue #12 finding 2: anyone could pose as a station. Station authentication was off by default,
station ids are the public Location ids, and a new connection under a station's id closed the real
station's: a stranger connected as a demo station without credentials, started a transaction with a
real card and billed it. Now, on the local hub as shipped (in-process, demo data, defaults):

- a stranger connecting under a real station's id without credentials is refused (HTTP 401);
- a wrong password does not close the real station's connection, nor take over its mapping;
- unknown, private and known ids are refused with byte-identical answers, password stored or not;
- after a few failures an id is throttled: even its right password is refused until the window ends.
"""

from __future__ import annotations

import asyncio

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from mobie_hub.core.settings import get_settings
from mobie_hub.core.types import utcnow
from mobie_hub.ocpp import repository as stations
from mobie_hub.ocpp.station_auth import basic_header
from mobie_hub.simulator import station_url
from tests.support.stations import station_password

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("hub_store")]

REAL = "LSB-00175"  # a published demo station
PRIVATE = "PRT-09001"  # the private (unpublished) demo station
UNKNOWN = "LSB-99999"
WRONG = "a-guessed-password-16"


def run(scenario):
    return asyncio.run(asyncio.wait_for(scenario, 60))


async def refused(hub, station_id: str, authorization: str | None = None) -> tuple[int, tuple, bytes]:
    """Status, the headers that could tell ids apart, and the body of the hub's refusal."""
    headers = {"Authorization": authorization} if authorization else {}
    with pytest.raises(InvalidStatus) as caught:
        await websockets.connect(
            station_url(hub.ocpp_url, station_id), subprotocols=["ocpp1.6"], additional_headers=headers
        )
    response = caught.value.response
    names = ("www-authenticate", "content-type", "content-length")
    kept = tuple((name, response.headers.get(name)) for name in names)
    return response.status_code, kept, bytes(response.body)


def test_a_stranger_without_credentials_cannot_connect_as_a_real_station(hub):
    status, _, _ = run(refused(hub, REAL))

    assert status == 401
    assert stations.get_connection(REAL) is None


def test_a_wrong_password_does_not_close_or_replace_the_real_stations_connection(hub):
    async def scenario():
        async with hub.connect_station(REAL) as real:
            await real.boot()
            mapped = stations.get_connection(REAL).connection_id
            attempts = [await refused(hub, REAL, basic_header(REAL, WRONG)), await refused(hub, REAL)]
            await asyncio.sleep(0.3)  # a close of the real connection would have arrived by now
            heartbeat = await real.heartbeat()  # the real station still talks to the hub
            return mapped, attempts, stations.get_connection(REAL).connection_id, heartbeat

    mapped, attempts, still_mapped, heartbeat = run(scenario())

    assert [status for status, _, _ in attempts] == [401, 401]
    assert still_mapped == mapped
    assert heartbeat.current_time


def test_unknown_private_and_known_ids_are_refused_alike_without_credentials_or_with_wrong_ones(hub):
    # Given one station with no password stored at all (the others have their demo passwords)
    stations.set_password_hash("PRT-00042", None, utcnow())
    try:
        answers = {
            (station_id, credentials): run(
                refused(hub, station_id, basic_header(station_id, WRONG) if credentials else None)
            )
            for station_id in (REAL, PRIVATE, UNKNOWN, "PRT-00042")
            for credentials in (False, True)
        }
    finally:
        station_password("PRT-00042", hub.password("PRT-00042"))

    # Then every refusal is the same 401, the same headers, the same body
    assert len(set(answers.values())) == 1, answers
    status, headers, body = next(iter(answers.values()))
    assert status == 401 and dict(headers)["www-authenticate"].startswith("Basic")
    assert UNKNOWN.encode() not in body and b"unknown" not in body.lower()


def test_after_repeated_failures_an_id_is_throttled_even_for_its_right_password(hub, monkeypatch):
    monkeypatch.setenv("MOBIE_STATION_AUTH_MAX_FAILURES", "3")
    get_settings.cache_clear()
    target = "PRT-00107"
    right = basic_header(target, hub.password(target))

    failures = [run(refused(hub, target, basic_header(target, WRONG)))[0] for _ in range(3)]
    throttled = run(refused(hub, target, right))
    unknown_throttled = [run(refused(hub, UNKNOWN, basic_header(UNKNOWN, WRONG))) for _ in range(4)]

    assert failures == [401, 401, 401]
    assert throttled == run(refused(hub, REAL))  # the same refusal as any other
    assert len(set(unknown_throttled)) == 1  # an unknown id is throttled alike, and reads the same

    async def another_station():  # other stations are not affected
        async with hub.connect_station("LSB-00421") as station:
            return (await station.boot()).status

    assert run(another_station()) == "Accepted"
