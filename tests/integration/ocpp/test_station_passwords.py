"""Bulk station passwords (``stations set-password --from-file`` / ``--generate``) against moto."""

from __future__ import annotations

import pytest

from mobie_hub.admin.registry import dispatch
from mobie_hub.core.errors import InvalidRequest, UnknownLocation
from mobie_hub.locations.repository import put_location
from mobie_hub.ocpp import repository as stations
from mobie_hub.ocpp.station_auth import verify_password
from tests.support.ocpp_data import STATION_ID, station_location

OTHER = "LSB-00421"


@pytest.fixture
def two_stations(location):
    put_location(station_location(station_id=OTHER).model_copy(update={"publish": False}))


def stored(station_id: str) -> str | None:
    record = stations.get_station(station_id)
    return record.password_hash if record else None


def test_set_passwords_stores_each_hash(two_stations):
    result = dispatch(
        "stations.set_passwords",
        {"passwords": [
            {"station_id": STATION_ID, "password": "a" * 16},
            {"station_id": OTHER, "password": "b" * 40},
        ]},
    )

    assert result == {"password_set": sorted([STATION_ID, OTHER]), "count": 2}
    assert verify_password(b"a" * 16, stored(STATION_ID))
    assert verify_password(b"b" * 40, stored(OTHER))


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ([{"station_id": STATION_ID, "password": "a" * 16}, {"station_id": "NOPE-1", "password": "b" * 16}],
         UnknownLocation),
        ([{"station_id": STATION_ID, "password": "a" * 16}, {"station_id": OTHER, "password": "short"}],
         InvalidRequest),
        ([{"station_id": STATION_ID, "password": "a" * 16}, {"station_id": STATION_ID, "password": "b" * 16}],
         InvalidRequest),
    ],
)
def test_set_passwords_is_all_or_nothing(two_stations, rows, error):
    with pytest.raises(error):
        dispatch("stations.set_passwords", {"passwords": rows})

    assert stored(STATION_ID) is None and stored(OTHER) is None


def test_generate_gives_every_station_a_strong_password_answered_once(two_stations):
    result = dispatch("stations.generate_passwords", {"all": True})

    generated = {row["station_id"]: row["password"] for row in result["passwords"]}
    assert set(generated) == {STATION_ID, OTHER}  # the private station too
    for station_id, password in generated.items():
        assert len(password) == 40 and len(set(password)) > 8  # 20 random bytes, hex
        assert verify_password(password.encode(), stored(station_id))
    assert generated[STATION_ID] != generated[OTHER]


def test_generate_for_named_stations_refuses_unknown_ones(two_stations):
    assert dispatch("stations.generate_passwords", {"station_ids": [OTHER]})["count"] == 1
    with pytest.raises(UnknownLocation):
        dispatch("stations.generate_passwords", {"station_ids": [STATION_ID, "NOPE-1"]})
    assert stored(STATION_ID) is None
    with pytest.raises(InvalidRequest):
        dispatch("stations.generate_passwords", {})
