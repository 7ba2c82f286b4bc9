"""Profile §6: one full (unfiltered) Locations list per party per window, and no way around it.

Following the ``Link`` the hub wrote keeps a walk going; a bare offset, a forged cursor, another
party's cursor or one from a walk whose window closed each count as a new full list."""

from __future__ import annotations

import pytest

from mobie_hub.core import ephemeral
from tests.integration.locations.test_sender import walk
from tests.support.parties import issue


@pytest.fixture
def limited(stations, monkeypatch):
    monkeypatch.setenv("MOBIE_FULL_LIST_INTERVAL_SECONDS", "300")
    from mobie_hub.core.settings import get_settings

    get_settings.cache_clear()


def next_url(response) -> str:
    link = response.headers["Link"]
    return link[1 : link.index(">")].replace("https://hub.test", "")


def get(client, party, url):
    return client.get(url, headers=party.headers)


def test_following_link_walks_the_whole_list_once_the_window_is_taken(client, emsp, limited):
    pages = walk(client, emsp, "/ocpi/2.2.1/locations")

    assert [len(p.json()["data"]) for p in pages] == [10, 10, 5]
    assert get(client, emsp, "/ocpi/2.2.1/locations").status_code == 429


def test_a_page_of_the_walk_may_be_fetched_again(client, emsp, limited):
    second = next_url(get(client, emsp, "/ocpi/2.2.1/locations"))

    assert get(client, emsp, second).status_code == 200
    again = get(client, emsp, second)
    assert again.status_code == 200
    assert again.json()["data"][0]["id"] == "LSB-00010"


@pytest.mark.parametrize(
    "query", ["offset=10", "offset=1&limit=5", "offset=10&cursor=eyJrIjp7fX0", "cursor=x"]
)
def test_an_unfiltered_request_not_linked_by_the_hub_is_a_new_full_list(client, emsp, limited, query):
    assert get(client, emsp, f"/ocpi/2.2.1/locations?{query}").status_code == 200  # opens the window

    again = get(client, emsp, "/ocpi/2.2.1/locations")
    repeated = get(client, emsp, f"/ocpi/2.2.1/locations?{query}")

    assert (again.status_code, again.json()["status_code"]) == (429, 2000)
    assert (repeated.status_code, repeated.json()["status_code"]) == (429, 2000)
    assert 0 < int(repeated.headers["Retry-After"]) <= 300


def test_a_linked_cursor_moved_to_another_offset_or_tampered_with_is_refused(client, emsp, limited):
    second = next_url(get(client, emsp, "/ocpi/2.2.1/locations"))
    cursor = second.split("cursor=")[1]

    moved = get(client, emsp, f"/ocpi/2.2.1/locations?offset=0&cursor={cursor}")
    forged = cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")
    tampered = get(client, emsp, second.replace(cursor, forged))
    unsigned = get(client, emsp, second.replace(cursor, cursor.partition(".")[0]))

    assert [r.status_code for r in (moved, tampered, unsigned)] == [429, 429, 429]


def test_another_partys_cursor_does_not_continue_its_walk(client, emsp, limited):
    other = issue("C", party_id="GLP")
    foreign = next_url(get(client, emsp, "/ocpi/2.2.1/locations"))
    assert get(client, other, "/ocpi/2.2.1/locations").status_code == 200  # the other party's own walk

    assert get(client, other, foreign).status_code == 429


def test_a_cursor_of_a_closed_window_opens_a_new_full_list(client, emsp, limited, monkeypatch):
    old = next_url(get(client, emsp, "/ocpi/2.2.1/locations"))
    clock = ephemeral._now()
    monkeypatch.setattr(ephemeral, "_now", lambda: clock + 301)  # the window has closed

    resumed = get(client, emsp, old)  # counted: it opens the next window (with a new secret)

    assert resumed.status_code == 200
    assert resumed.json()["data"][0]["id"] == "LSB-00010"
    assert get(client, emsp, old).status_code == 429  # the old walk's cursor is dead now
    assert get(client, emsp, next_url(resumed)).status_code == 200  # the new walk goes on


def test_dated_requests_are_not_counted_and_keep_their_cursors(client, emsp, limited):
    assert get(client, emsp, "/ocpi/2.2.1/locations").status_code == 200
    dated = walk(client, emsp, "/ocpi/2.2.1/locations?date_from=2026-01-01T00:00:00Z&limit=4")

    assert len(dated) > 1 and all(r.status_code == 200 for r in dated)


def test_a_walk_goes_on_when_the_list_shrinks_under_it(client, emsp, limited):
    from mobie_hub.core.dynamodb import table

    second = next_url(get(client, emsp, "/ocpi/2.2.1/locations"))
    for n in range(15, 25):  # withdrawn while the EMSP walks
        table("locations").delete_item(Key={"pk": f"LOC#LSB-{n:05d}", "sk": "LOC"})

    shrunk = get(client, emsp, second)  # the position's total is stale: DynamoDB ends before it
    assert [loc["id"] for loc in shrunk.json()["data"]] == [f"LSB-{n:05d}" for n in range(10, 15)]
    last = get(client, emsp, next_url(shrunk))  # linked by offset alone, still signed for this walk

    assert last.status_code == 200, last.text
    assert last.json()["data"] == []


def test_a_platforms_cpo_registration_has_its_own_full_list_budget(client, emsp, limited):
    cpo = issue("C", party_id="EDP", role="CPO")  # the same platform, registered a second time as CPO
    linked = next_url(get(client, emsp, "/ocpi/2.2.1/locations"))

    assert get(client, emsp, "/ocpi/2.2.1/locations").status_code == 429
    assert get(client, cpo, linked).status_code == 200  # the EMSP's cursor opens the CPO's own walk
    assert get(client, cpo, "/ocpi/2.2.1/locations").status_code == 429
