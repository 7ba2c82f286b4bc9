"""Locations sender interface against moto: pagination by Link, dates, privacy, rate limit, cache."""

from __future__ import annotations

from datetime import timedelta

from mobie_hub.core.types import format_datetime
from mobie_hub.locations.inventory_repository import DynamoLocationStore
from mobie_hub.locations.registry import import_locations, import_tariffs
from mobie_hub.tariffs.registry_repository import DynamoTariffStore
from tests.support.parties import Party, issue
from tests.support.stations import T0, location, tariff


def walk(client, party: Party, url: str) -> list:
    responses = []
    while url:
        response = client.get(url.replace("https://hub.test", ""), headers=party.headers)
        assert response.status_code == 200, response.text
        responses.append(response)
        link = response.headers.get("Link")
        url = link[1 : link.index(">")] if link else None
    return responses


def ids(responses) -> list[str]:
    return [loc["id"] for r in responses for loc in r.json()["data"]]


def test_walking_link_returns_every_published_station_once_in_update_order(client, emsp, stations):
    pages = walk(client, emsp, "/ocpi/2.2.1/locations")

    assert ids(pages) == [f"LSB-{n:05d}" for n in range(25)]
    assert [len(p.json()["data"]) for p in pages] == [10, 10, 5]
    assert {p.headers["X-Total-Count"] for p in pages} == {"25"}
    assert {p.headers["X-Limit"] for p in pages} == {"10"}
    assert "Link" not in pages[-1].headers


def test_filters_are_kept_while_walking_and_dates_are_inclusive_exclusive(client, emsp, stations):
    date_from, date_to = format_datetime(T0 + timedelta(hours=5)), format_datetime(T0 + timedelta(hours=20))
    pages = walk(client, emsp, f"/ocpi/2.2/locations?date_from={date_from}&date_to={date_to}&limit=4")

    assert ids(pages) == [f"LSB-{n:05d}" for n in range(5, 20)]
    assert all("date_from=" in p.headers["Link"] and "date_to=" in p.headers["Link"] for p in pages[:-1])


def test_a_bare_offset_gives_the_same_page_as_following_links(client, emsp, stations):
    by_offset = client.get("/ocpi/2.2.1/locations?offset=20&limit=10", headers=emsp.headers)
    assert [loc["id"] for loc in by_offset.json()["data"]] == [f"LSB-{n:05d}" for n in range(20, 25)]
    assert client.get("/ocpi/2.2.1/locations?offset=30", headers=emsp.headers).json()["data"] == []


def test_a_forged_cursor_is_ignored(client, emsp, stations):
    response = client.get("/ocpi/2.2.1/locations?offset=10&cursor=eyJrIjp7fX0", headers=emsp.headers)
    assert [loc["id"] for loc in response.json()["data"]][0] == "LSB-00010"


def test_private_stations_are_absent_everywhere(client, emsp, stations):
    listed = ids(walk(client, emsp, "/ocpi/2.2.1/locations?limit=50"))
    assert "PRV-00001" not in listed
    for path in ("PRV-00001", "PRV-00001/PRV-00001-01", "PRV-00001/PRV-00001-01/PRV-00001-01-01"):
        response = client.get(f"/ocpi/2.2.1/locations/{path}", headers=emsp.headers)
        assert response.status_code == 404
        assert response.json()["status_code"] == 2003


def test_one_location_evse_and_connector(client, emsp, stations):
    loc = client.get("/ocpi/2.2.1/locations/LSB-00003", headers=emsp.headers).json()["data"]
    evse = client.get("/ocpi/2.2.1/locations/LSB-00003/LSB-00003-02", headers=emsp.headers).json()["data"]
    connector = client.get("/ocpi/2.2.1/locations/LSB-00003/LSB-00003-02/LSB-00003-02-01/", headers=emsp.headers)

    assert loc["mobie_voltage_level"] == "BTN" and loc["last_updated"].endswith("Z")
    assert evse["evse_id"] == "PT*MOB*ELSB*00003*02"
    assert connector.json()["data"]["tariff_ids"] == ["MOB-AC"]
    unknown = client.get("/ocpi/2.2.1/locations/LSB-00003/LSB-00003-09", headers=emsp.headers)
    assert unknown.status_code == 404 and unknown.json()["status_code"] == 2003


def test_token_a_cannot_read_locations(client, invited, stations):
    # token A beyond credentials/versions: HTTP 401 (OCPI 2.2.1 transport_and_format §4.1.3)
    assert client.get("/ocpi/2.2.1/locations", headers=invited.headers).status_code == 401


def test_a_second_full_list_within_the_window_is_429_per_party(client, emsp, stations, monkeypatch):
    monkeypatch.setenv("MOBIE_FULL_LIST_INTERVAL_SECONDS", "300")
    from mobie_hub.core.settings import get_settings

    get_settings.cache_clear()
    first = client.get("/ocpi/2.2.1/locations", headers=emsp.headers)
    assert first.status_code == 200
    link = first.headers["Link"]
    assert client.get(link[1 : link.index(">")], headers=emsp.headers).status_code == 200  # same walk
    dated = client.get("/ocpi/2.2.1/locations?date_from=2026-01-01T10:00:00Z", headers=emsp.headers)
    assert dated.status_code == 200  # incremental updates are not full requests

    again = client.get("/ocpi/2.2.1/locations", headers=emsp.headers)

    assert again.status_code == 429
    assert again.json()["status_code"] == 2000
    assert 0 < int(again.headers["Retry-After"]) <= 300
    other = issue("C", party_id="GLP")
    assert client.get("/ocpi/2.2.1/locations", headers=other.headers).status_code == 200


def test_list_pages_are_cached_for_the_configured_time(client, emsp, stations, monkeypatch):
    monkeypatch.setenv("MOBIE_LIST_CACHE_SECONDS", "60")
    from mobie_hub.core.settings import get_settings

    get_settings.cache_clear()
    before = client.get("/ocpi/2.2.1/locations", headers=emsp.headers)
    import_locations([location("LSB-99999")], DynamoLocationStore(), DynamoTariffStore())

    cached = client.get("/ocpi/2.2.1/locations", headers=emsp.headers)
    other_version = client.get("/ocpi/2.2/locations", headers=emsp.headers)

    assert cached.json()["data"] == before.json()["data"]
    assert cached.headers["X-Total-Count"] == "25"
    assert other_version.headers["X-Total-Count"] == "26"  # the cache key includes the version


def test_tariffs_list_is_paginated_and_filtered(client, emsp, stations):
    import_tariffs([tariff(f"MOB-T{n}") for n in range(12)], DynamoTariffStore())

    pages = walk(client, emsp, "/ocpi/2.2.1/tariffs")

    assert sorted(t["id"] for p in pages for t in p.json()["data"]) == sorted(["MOB-AC", *(f"MOB-T{n}" for n in range(12))])
    assert pages[0].headers["X-Total-Count"] == "13"
    future = client.get("/ocpi/2.2.1/tariffs?date_from=2030-01-01T00:00:00Z", headers=emsp.headers)
    assert future.json()["data"] == []
