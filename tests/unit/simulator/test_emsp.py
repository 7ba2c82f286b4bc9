"""The simulated EMSP's own logic: its tokens obey MOBI.E's rules, its prompt, its registration's
refusal to take over a party registered from elsewhere."""

from __future__ import annotations

import asyncio
import io

import pytest

from mobie_hub.admin.client import AdminError
from mobie_hub.simulator.console import execute
from mobie_hub.simulator.emsp import SimulatedEmsp
from mobie_hub.simulator.emsp_console import USAGE, commands
from mobie_hub.simulator.party import PartyError, PartyOptions
from mobie_hub.simulator.timeline import Timeline
from mobie_hub.tokens.models import Token
from mobie_hub.tokens.rules import violations


class FakeAdmin:
    """The hub's admin interface: PT/SIM is registered, with the URLs given."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self.calls: list[str] = []

    def call(self, name, payload):
        self.calls.append(name)
        if name == "parties.invite" and "parties.unregister" not in self.calls:
            raise AdminError("InvalidRequest", "PT/SIM is already registered: renew its credentials")
        if name == "parties.show":
            return {"party": {"endpoints": [{"identifier": "versions", "url": url} for url in self.urls]}}
        raise AssertionError(f"unexpected {name}")


def emsp_with(admin=None, party_id: str = "SIM") -> SimulatedEmsp:
    return SimulatedEmsp(PartyOptions(party_id), Timeline(io.StringIO()), admin=admin or FakeAdmin([]))


def test_its_tokens_obey_mobies_rules_and_two_emsps_never_share_an_rfid_uid():
    sim, other = emsp_with().demo_tokens(), emsp_with(party_id="XYZ").demo_tokens()

    for body in [*sim, *other]:
        token = Token.model_validate(body)
        assert violations(token, owner_country_code="PT", owner_party_id=body["party_id"]) == []
    assert [t["type"] for t in sim] == ["RFID", "APP_USER"]
    assert sim[0]["uid"] != other[0]["uid"] and emsp_with().demo_tokens() == sim  # stable per party


def test_a_party_registered_from_elsewhere_is_not_taken_over():
    admin = FakeAdmin(["https://emsp.example.com/ocpi/versions"])

    with pytest.raises(PartyError, match="choose another --party-id"):
        asyncio.run(emsp_with(admin).register())
    assert "parties.unregister" not in admin.calls


def said(emsp: SimulatedEmsp) -> list[tuple[str, str]]:
    return [(event.kind, event.what) for event in emsp.timeline.events]


def test_the_prompt_explains_what_it_cannot_do_and_quits_on_quit():
    emsp = emsp_with()

    async def typed():
        return [
            await execute(emsp, commands(emsp), USAGE, line)
            for line in [
                "",
                "frobnicate",
                "start",
                "start LSB-01033",
                "stop",
                'stop "unclosed',
                "help",
                "quit",
            ]
        ]

    going_on = asyncio.run(typed())

    assert going_on == [True] * 7 + [False]
    kinds = [kind for kind, _ in said(emsp)]
    assert kinds == ["usage", "usage", "error", "error", "error", "usage"]
    assert "not a command: 'frobnicate'" in said(emsp)[0][1]
    assert "no pushed token" in said(emsp)[2][1] and "no ACTIVE session" in said(emsp)[3][1]
