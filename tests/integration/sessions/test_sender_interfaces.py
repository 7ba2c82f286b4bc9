"""GET /ocpi/{version}/sessions and /cdrs: per-EMSP lists by last_updated, paginated, versioned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from mobie_hub.cdrs import repository as cdrs
from mobie_hub.cdrs.builder import build_cdr
from mobie_hub.core.dynamodb import counting_calls
from mobie_hub.core.models import CdrDimension, CdrDimensionType, ChargingPeriod
from mobie_hub.locations.repository import get_location, put_location
from mobie_hub.ocpp.ports import TokenRef
from mobie_hub.sessions import repository as sessions
from mobie_hub.sessions.models import SessionStatus
from tests.support.ocpp_data import STATION_ID, station_location
from tests.support.ocpp_fakes import EDP_TOKEN
from tests.support.parties import issue

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
GLP_TOKEN = TokenRef("PT", "GLP", "RFID", "0011223344", "PT-GLP-C-00000001-X")
FROM = {"date_from": "2026-01-01T00:00:00Z"}


def pending(token: TokenRef, minutes: int) -> str:
    evse = f"{STATION_ID}-01"
    return sessions.open_pending_session(STATION_ID, evse, f"{evse}-01", token, None, now=T0 + timedelta(minutes=minutes)).id


@pytest.fixture
def edp(aws):
    return issue("C", party_id="EDP")


def test_each_emsp_lists_only_the_sessions_of_its_own_tokens(client, edp):
    mine = [pending(EDP_TOKEN, m) for m in (1, 2)]
    pending(GLP_TOKEN, 3)
    answer = client.get("/ocpi/2.2.1/sessions", params=FROM, headers=edp.headers)
    assert answer.status_code == 200 and answer.json()["status_code"] == 1000
    assert [s["id"] for s in answer.json()["data"]] == mine
    assert answer.headers["X-Total-Count"] == "2"


def test_date_from_is_mandatory_for_sessions(client, edp):
    answer = client.get("/ocpi/2.2.1/sessions", headers=edp.headers)
    assert answer.status_code == 400
    assert answer.json()["status_code"] == 2001 and "date_from" in answer.json()["status_message"]


def test_date_from_is_inclusive_date_to_exclusive_and_pages_follow_link(client, edp):
    ids = [pending(EDP_TOKEN, m) for m in (1, 2, 3, 4)]
    window = {"date_from": "2026-11-23T09:02:00Z", "date_to": "2026-11-23T09:04:00Z"}
    answer = client.get("/ocpi/2.2.1/sessions", params=window, headers=edp.headers)
    assert [s["id"] for s in answer.json()["data"]] == ids[1:3]
    first = client.get("/ocpi/2.2.1/sessions", params={**FROM, "limit": 3}, headers=edp.headers)
    assert [s["id"] for s in first.json()["data"]] == ids[:3]
    link = first.headers["Link"].split(";")[0].strip("<>").replace("https://hub.test", "")
    # gsi1 is keys-only: the EMSP's ACTIVE sessions (none: no TX items to read), the page's keys,
    # then the page's sessions
    with counting_calls() as calls:
        second = client.get(link, headers=edp.headers)
    assert [s["id"] for s in second.json()["data"]] == ids[3:] and "Link" not in second.headers
    assert (calls["Query"], calls["BatchGetItem"]) == (2, 1)


def test_sessions_are_dumped_in_the_shape_of_the_version_in_the_path(client, edp):
    pending(EDP_TOKEN, 1)
    v221 = client.get("/ocpi/2.2.1/sessions", params=FROM, headers=edp.headers).json()["data"][0]
    v22 = client.get("/ocpi/2.2/sessions", params=FROM, headers=edp.headers).json()["data"][0]
    assert v221["cdr_token"]["party_id"] == "EDP"
    assert "party_id" not in v22["cdr_token"] and "country_code" not in v22["cdr_token"]


def test_cdrs_are_listed_per_emsp_by_period(client, edp):
    put_location(station_location())
    location = get_location(STATION_ID)
    for token, minutes in ((EDP_TOKEN, 1), (GLP_TOKEN, 2), (EDP_TOKEN, 3)):
        started = T0 + timedelta(minutes=minutes)
        session = sessions.get_session(pending(token, minutes)).model_copy(update={
            "status": SessionStatus.COMPLETED, "end_date_time": T0 + timedelta(minutes=minutes + 30),
            "charging_periods": [ChargingPeriod(start_date_time=started, dimensions=[
                CdrDimension(type=CdrDimensionType.ENERGY, volume=Decimal(5)),
                CdrDimension(type=CdrDimensionType.TIME, volume=Decimal("0.5"))])],
        })
        cdrs.create_cdr(build_cdr(session, location, [], cdr_id=session.id, now=T0 + timedelta(hours=minutes)))
    answer = client.get("/ocpi/2.2.1/cdrs", headers=edp.headers)
    assert answer.status_code == 200 and len(answer.json()["data"]) == 2
    assert {c["cdr_token"]["party_id"] for c in answer.json()["data"]} == {"EDP"}
    later = client.get("/ocpi/2.2/cdrs", params={"date_from": "2026-11-23T11:00:00Z"}, headers=edp.headers)
    [cdr] = later.json()["data"]
    assert cdr["last_updated"] == "2026-11-23T12:00:00Z" and "party_id" not in cdr["cdr_token"]
