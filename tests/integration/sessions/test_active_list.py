"""The sessions lists with ACTIVE sessions (issue #18): an ACTIVE session's readings update its TX item
only, so it is listed by the ``last_updated`` it is served with (its running meter's time) from a
partition of its own, merged with the range of the others: the date filter stays exact (a session
whose only change after ``date_from`` is a reading is listed), and offset, limit, X-Total-Count, Link
and the cursor stay consistent across page boundaries that fall between the two kinds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mobie_hub.core.dynamodb import table
from mobie_hub.core.paging import PageRequest
from mobie_hub.sessions import repository as sessions
from mobie_hub.sessions import transaction_repository as transactions
from tests.integration.sessions.conftest import RFID, meter
from tests.integration.sessions.test_sender_interfaces import pending
from tests.support.ocpp_fakes import EDP_TOKEN
from tests.support.parties import issue

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FROM = {"date_from": "2026-01-01T00:00:00Z"}


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def stamp(minutes: int) -> str:
    return at(minutes).isoformat().replace("+00:00", "Z")


def started(station, clock, minutes: int) -> int:
    clock.now = at(minutes)
    return station.call("StartTransaction", {"connectorId": 1, "idTag": RFID, "meterStart": 1000,
                                             "timestamp": stamp(minutes)})[2]["transactionId"]


def read(station, clock, transaction_id: int, minutes: int, wh: int) -> None:
    clock.now = at(minutes)
    station.call("MeterValues", {"connectorId": 1, "transactionId": transaction_id,
                                 "meterValue": [meter(wh, stamp(minutes))]})


def session_of(transaction_id: int) -> str:
    return transactions.get_transaction(transaction_id)["session_id"]


@pytest.fixture
def listed(station, clock):
    """By served last_updated: A (ACTIVE, 09:00), P1, P3 (PENDING), C (ACTIVE, 09:04), P5, B (ACTIVE,
    started 09:02, a reading at 09:06), P7."""
    a = session_of(started(station, clock, 0))
    b_tx = started(station, clock, 2)
    c = session_of(started(station, clock, 4))
    read(station, clock, b_tx, 6, 3000)
    p1, p3, p5, p7 = (pending(EDP_TOKEN, m) for m in (1, 3, 5, 7))
    return {"A": a, "P1": p1, "P3": p3, "C": c, "P5": p5, "B": session_of(b_tx), "P7": p7}


def names(ids: dict[str, str], page) -> list[str]:
    by_id = {v: k for k, v in ids.items()}
    return [by_id[s.id] for s in page.items]


def page_of(date_from=None, date_to=None, offset=0, limit=10, cursor=None):
    return sessions.sessions_page("PT", "EDP", PageRequest(
        offset=offset, limit=limit, date_from=date_from, date_to=date_to, cursor=cursor))


def test_active_sessions_are_listed_apart_and_by_the_time_they_are_served_with(listed):
    # The ACTIVE ones are in their own partition (their keys moved only at the start)
    item = table("sessions").get_item(Key=sessions.session_key(listed["B"]))["Item"]
    assert item["gsi1pk"] == "PARTY#PT#EDP#ACTIVE" and item["gsi1sk"].startswith("2026-11-23T09:02:00.000Z#")
    whole = page_of(at(-60))
    assert names(listed, whole) == ["A", "P1", "P3", "C", "P5", "B", "P7"] and whole.total == 7
    [b] = [s for s in whole.items if s.id == listed["B"]]
    assert b.last_updated == at(6) and b.kwh == 2  # served with its running meter


def test_the_date_filter_is_exact_on_the_served_last_updated(listed):
    # B's only change after 09:05 is a reading: listed; A and C not (nothing since their start)
    assert names(listed, page_of(at(5))) == ["P5", "B", "P7"]
    assert names(listed, page_of(at(2), at(6))) == ["P3", "C", "P5"]  # date_to exclusive: B at 09:06 out
    assert names(listed, page_of(at(6), at(7))) == ["B"]
    assert page_of(at(2), at(6)).total == 3


def test_pages_follow_the_cursor_across_both_kinds_and_offsets_agree(listed):
    seen, cursor, offset = [], None, 0
    while True:
        page = page_of(at(-60), offset=offset, limit=2, cursor=cursor)
        assert page.total == 7
        seen.append(names(listed, page))
        offset += len(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [["A", "P1"], ["P3", "C"], ["P5", "B"], ["P7"]]
    # the same pages by a bare offset (the keys before it read again)
    for n, expected in enumerate(seen):
        assert names(listed, page_of(at(-60), offset=2 * n, limit=2)) == expected
    assert names(listed, page_of(at(-60), offset=3, limit=3)) == ["C", "P5", "B"]
    assert page_of(at(-60), offset=7).items == []


def test_a_session_leaves_the_active_partition_when_it_stops(station, clock, listed):
    transaction_id = int(table("sessions").get_item(Key=sessions.session_key(listed["B"]))["Item"]["transaction_id"])
    clock.now = at(8)
    station.call("StopTransaction", {"transactionId": transaction_id, "meterStop": 3000, "idTag": RFID,
                                     "timestamp": stamp(8)})
    item = table("sessions").get_item(Key=sessions.session_key(listed["B"]))["Item"]
    assert item["gsi1pk"] == "PARTY#PT#EDP" and item["gsi1sk"] == f"2026-11-23T09:08:00.000Z#{listed['B']}"
    assert names(listed, page_of(at(-60))) == ["A", "P1", "P3", "C", "P5", "P7", "B"]


def test_the_http_list_links_pages_across_both_kinds(client, listed):
    emsp = issue("C", party_id="EDP")
    first = client.get("/ocpi/2.2.1/sessions", params={**FROM, "limit": 3}, headers=emsp.headers)
    assert first.headers["X-Total-Count"] == "7"
    link = first.headers["Link"].split(";")[0].strip("<>").replace("https://hub.test", "")
    second = client.get(link, headers=emsp.headers)
    ids = [s["id"] for s in first.json()["data"] + second.json()["data"]]
    assert ids == [listed[n] for n in ("A", "P1", "P3", "C", "P5", "B")]
    assert second.json()["data"][2]["kwh"] == 2


def test_a_cursor_the_list_did_not_write_is_ignored_and_the_page_found_by_offset(listed):
    import base64
    import json

    def forged(raw: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")

    real = page_of(at(-60), limit=2).next_cursor
    data = json.loads(base64.urlsafe_b64decode(real + "=" * (-len(real) % 4)))
    assert data["o"] == 2 and data["m"].endswith(listed["P1"])
    other_party = {**data["k"], "gsi1pk": "PARTY#PT#GLP"}
    for cursor in ("garbage", forged({**data, "m": "2027-01-01T00:00:00.000Z#x"}),  # m after date_to
                   forged({**data, "k": other_party}), forged({**data, "m": 7}), forged({**data, "o": 4}),
                   forged({k: v for k, v in data.items() if k != "m"})):  # a cursor of the range-only lists
        page = page_of(at(-60), at(30), offset=2, limit=2, cursor=cursor)
        assert names(listed, page) == ["P3", "C"] and page.total == 7
