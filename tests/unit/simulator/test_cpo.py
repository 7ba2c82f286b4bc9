"""The simulated CPO: it registers naming role CPO, its tariffs obey MOBI.E's rules and go to the
hub's tariffs receiver under its own party, its receivers keep and print what the hub pushes, and
its prompt explains what it cannot do."""

from __future__ import annotations

import asyncio
import base64
import io
import json

import httpx
import pytest
from fastapi.testclient import TestClient

from mobie_hub.simulator.console import execute
from mobie_hub.simulator.cpo import SimulatedCpo, price
from mobie_hub.simulator.cpo_console import USAGE, commands
from mobie_hub.simulator.party import PartyError, PartyOptions
from mobie_hub.simulator.receivers import build_app
from mobie_hub.simulator.timeline import Timeline
from mobie_hub.tariffs.models import Tariff
from mobie_hub.tariffs.rules import tariff_problems

HUB = "http://hub.test/ocpi"


class FakeAdmin:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    def call(self, name, payload):
        self.calls.append((name, payload))
        if name == "parties.invite":
            return {"token_a": "token-A", "versions_url": f"{HUB}/versions"}
        raise AssertionError(f"unexpected {name}")


class FakeHub:
    """The hub's OCPI side as a CPO sees it: versions, details, credentials, the tariffs receiver and
    the locations sender (two stations, one of them this CPO's)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/ocpi/versions":
            data = [{"version": "2.2.1", "url": f"{HUB}/2.2.1"}]
        elif path == "/ocpi/2.2.1":
            modules = [
                ("credentials", "SENDER"),
                ("tariffs", "RECEIVER"),
                ("locations", "SENDER"),
                ("sessions", "SENDER"),
            ]
            data = {
                "endpoints": [{"identifier": m, "role": r, "url": f"{HUB}/2.2.1/{m}"} for m, r in modules]
            }
        elif path == "/ocpi/2.2.1/credentials":
            data = {"token": "token-C", "url": f"{HUB}/versions", "roles": []}
        elif path.startswith("/ocpi/2.2.1/tariffs/"):
            data = None
        elif path == "/ocpi/2.2.1/sessions":
            data = [{"id": "S1", "status": "COMPLETED", "kwh": 1.5, "location_id": "PRT-00107"}]
        elif path == "/ocpi/2.2.1/locations":
            data = [
                _location("LSB-00175", "MOB", "MOB-AC-NORMAL"),
                _location("PRT-00107", "GLP", "GLP-DC-ULTRA"),
            ]
        else:
            return httpx.Response(404, json={"status_code": 2000, "status_message": "no such path"})
        return httpx.Response(
            200, json={"status_code": 1000, "data": data, "timestamp": "2026-01-01T00:00:00Z"}
        )

    def sent(self, method: str, path_start: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path.startswith(path_start)]


def _location(location_id: str, party_id: str, tariff_id: str) -> dict:
    connector = {"id": f"{location_id}-01-01", "tariff_ids": [tariff_id]}
    return {
        "country_code": "PT",
        "party_id": party_id,
        "id": location_id,
        "evses": [{"connectors": [connector]}],
    }


def cpo_with(hub: FakeHub | None = None, admin: FakeAdmin | None = None) -> SimulatedCpo:
    cpo = SimulatedCpo(
        PartyOptions("GLP"),
        Timeline(io.StringIO()),
        admin=admin or FakeAdmin(),
        transport=httpx.MockTransport(hub or FakeHub()),
    )
    cpo.base_url = "http://127.0.0.1:9998"
    return cpo


def test_it_registers_as_a_cpo_and_pushes_its_tariff_under_its_own_party_with_token_c():
    # Given a hub that gives token A through its admin interface
    hub, admin = FakeHub(), FakeAdmin()
    cpo = cpo_with(hub, admin)

    # When the CPO registers, finds its stations' tariff and pushes a version of it
    async def story():
        await cpo.register()
        own = await cpo.own_tariff_ids()
        await cpo.push_tariff(cpo.tariff(own[0], 0.55, 0.42))
        return own

    own = asyncio.run(story())

    # Then it was invited and registered as CPO PT/GLP, and its tariff went to its own path with token C
    assert admin.calls == [("parties.invite", {"role": "CPO", "country_code": "PT", "party_id": "GLP"})]
    [posted] = hub.sent("POST", "/ocpi/2.2.1/credentials")
    roles = json.loads(posted.content)["roles"]
    assert [(r["role"], r["country_code"], r["party_id"]) for r in roles] == [("CPO", "PT", "GLP")]
    assert json.loads(posted.content)["url"] == "http://127.0.0.1:9998/ocpi/versions"
    assert own == ["GLP-DC-ULTRA"]  # not the MOB station's
    [put] = hub.sent("PUT", "/ocpi/2.2.1/tariffs")
    assert put.url.path == "/ocpi/2.2.1/tariffs/PT/GLP/GLP-DC-ULTRA"
    assert put.headers["authorization"] == "Token " + base64.b64encode(b"token-C").decode()
    assert cpo.tariffs["GLP-DC-ULTRA"]["id"] == "GLP-DC-ULTRA"
    pushed = [e for e in cpo.timeline.events if e.kind == "tariff_pushed"]
    assert [(e.figures["activation"], e.figures["per_kwh"]) for e in pushed] == [(0.42, 0.55)]


@pytest.mark.parametrize("activation", [None, 0.3])
def test_its_tariffs_obey_mobies_tariff_rules(activation):
    body = cpo_with().tariff("GLP-DC-ULTRA", 0.55, activation)

    tariff = Tariff.model_validate(body)

    assert tariff_problems(tariff) == []
    assert (tariff.country_code, tariff.party_id, tariff.currency) == ("PT", "GLP", "EUR")
    dimensions = [c.type.value for e in tariff.elements for c in e.price_components]
    assert dimensions == (["ENERGY"] if activation is None else ["FLAT", "ENERGY"])
    assert {text.language for text in tariff.tariff_alt_text} == {"pt", "en"}


def test_a_typed_price_is_a_non_negative_euro_amount():
    assert price("0.55") == 0.55 and price("0,3") == 0.3 and price("0") == 0
    for bad in ("abc", "-1", "0.12345", "nan", "inf", ""):
        with pytest.raises(PartyError, match="not a price"):
            price(bad)


def test_its_receivers_offer_what_the_hub_pushes_a_cpo_and_keep_each_session_and_cdr():
    cpo = cpo_with()
    token = cpo.new_token_for_hub()
    hub = TestClient(
        build_app(cpo), headers={"Authorization": "Token " + base64.b64encode(token.encode()).decode()}
    )
    base = "/ocpi/cpo/2.2.1"

    details = hub.get(base).json()["data"]
    session = hub.put(
        f"{base}/sessions/PT/MOB/S1", json={"id": "S1", "status": "ACTIVE", "location_id": "PRT-00107"}
    )
    cdr = hub.post(
        f"{base}/cdrs",
        json={
            "id": "C1",
            "session_id": "S1",
            "tariffs": [{"id": "GLP-DC-ULTRA"}],
            "total_cost": {"excl_vat": 1},
        },
    )
    stranger = TestClient(build_app(cpo)).put(f"{base}/sessions/PT/MOB/S2", json={"id": "S2"})

    offered = {(e["identifier"], e["role"]) for e in details["endpoints"]}
    assert offered == {
        ("credentials", "RECEIVER"),
        ("sessions", "RECEIVER"),
        ("cdrs", "RECEIVER"),
        ("hubclientinfo", "RECEIVER"),
    }
    assert session.json()["status_code"] == cdr.json()["status_code"] == 1000
    assert (stranger.status_code, stranger.json()["status_code"]) == (401, 2000)
    assert cpo.sessions["S1"]["status"] == "ACTIVE" and set(cpo.cdrs) == {"C1"}
    received = [(e.source, e.target, e.kind, e.ref) for e in cpo.timeline.events[:2]]
    assert received == [("hub", "CPO PT/GLP", "session", "S1"), ("hub", "CPO PT/GLP", "cdr", "C1")]
    assert cpo.timeline.events[1].figures["tariffs"] == ["GLP-DC-ULTRA"]


def test_the_prompt_explains_what_it_cannot_do():
    cpo = cpo_with()

    async def typed():
        return [
            await execute(cpo, commands(cpo), USAGE, line)
            for line in ["tariff", "tariff 0,5x", "tariff 0.5", "sessions a b", "quit"]
        ]

    going_on = asyncio.run(typed())

    assert going_on == [True, True, True, True, False]
    said = [(e.kind, e.what) for e in cpo.timeline.events]
    assert [kind for kind, _ in said] == ["usage", "error", "error", "usage"]
    assert "not a price in EUR: '0,5x'" in said[1][1] and "no tariff pushed yet" in said[2][1]


def test_its_sessions_command_reads_the_hubs_list_since_the_date_given():
    hub = FakeHub()
    cpo = cpo_with(hub)

    async def typed():
        await cpo.register()
        await execute(cpo, commands(cpo), USAGE, "sessions 2026-12-01T00:00:00Z")
        await execute(cpo, commands(cpo), USAGE, "cdrs")

    asyncio.run(typed())

    [listed] = hub.sent("GET", "/ocpi/2.2.1/sessions")
    assert listed.url.params["date_from"] == "2026-12-01T00:00:00Z"
    said = [
        (e.kind, e.ref, e.figures.get("count"))
        for e in cpo.timeline.events
        if e.kind in ("listed", "list_read", "error")
    ]
    assert said[:2] == [("list_read", None, 1), ("listed", "S1", None)]
    assert said[2][0] == "error"  # this hub offers the CPO no cdrs module
