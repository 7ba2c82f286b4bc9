"""Issue #12 finding 4 — SSRF: the hub steered at internal addresses by the URLs a party gives.

Reproduced as found: one token A made the hub scan loopback ports and say what answered; a command's
``response_url`` into the hub's own loopback admin interface was POSTed to (200); ``file://`` was
accepted. Every URL a party gives now passes the outbound URL policy (mobie_hub.outbound.url_policy).
The e2e hub runs as the sandbox does with ``--allow-loopback-parties`` (tests/conftest.py) unless a
test closes it (``strict_policy``): the defaults of AWS.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi.responses import RedirectResponse

from mobie_hub.admin.client import HttpAdmin
from mobie_hub.core.dynamodb import table
from mobie_hub.core.settings import get_settings
from mobie_hub.outbound import OutboundCallFailed, get_client
from mobie_hub.parties import repository as parties
from mobie_hub.parties.party import PartyRef
from mobie_hub.sessions import repository as sessions
from tests.support import commands as support
from tests.support.commands import online, run, send
from tests.support.fake_emsp import envelope, running_emsp
from tests.support.fake_party import fake_party
from tests.support.local_hub import free_port
from tests.support.tokens import rfid_token

pytestmark = pytest.mark.e2e
emsp_server, emsp, short_command_timeouts = support.emsp_server, support.emsp, support.short_command_timeouts

STATION, EVSE = "LSB-00175", "LSB-00175-01"


@pytest.fixture
def strict_policy(hub_store, monkeypatch):
    """The default outbound policy (AWS): https only, no loopback."""
    monkeypatch.delenv("MOBIE_OUTBOUND_ALLOW_LOOPBACK")
    monkeypatch.delenv("MOBIE_OUTBOUND_ALLOW_HTTP")
    get_settings.cache_clear()


@pytest.fixture
def listener():
    """A loopback service the hub must never reach: it records every request."""
    with fake_party() as party:
        yield party


def invite(hub, party_id: str = "ZZZ") -> str:
    return HttpAdmin(hub.base_url).call("parties.invite", {"country_code": "PT", "party_id": party_id})[
        "token_a"
    ]


def post_credentials(hub, token_a: str, url: str, party_id: str = "ZZZ") -> httpx.Response:
    body = {
        "token": "token-for-the-hub",
        "url": url,
        "roles": [
            {
                "role": "EMSP",
                "country_code": "PT",
                "party_id": party_id,
                "business_details": {"name": "Hostile"},
            }
        ],
    }
    token = httpx.Headers({"Authorization": f"Token {token_a}"})
    return httpx.post(f"{hub.base_url}/ocpi/2.2.1/credentials", json=body, headers=token, timeout=30)


@pytest.mark.parametrize(
    "target",
    [
        "https://127.0.0.1:{port}/ocpi/versions",  # a loopback service
        "https://localhost:{port}/ocpi/versions",
        "https://[::ffff:127.0.0.1]:{port}/ocpi/versions",
        "https://2130706433:{port}/ocpi/versions",  # 127.0.0.1 spelt as a number
        "{listener}/ocpi/versions",  # plain http to it
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.1/ocpi/versions",
        "file:///etc/passwd",
        "https://user:pass@emsp.example/ocpi/versions",
    ],
)
def test_a_token_a_registration_pointing_inside_is_refused_before_any_request(
    hub, strict_policy, listener, target
):
    url = target.format(listener=listener.base_url, port=listener.base_url.rsplit(":", 1)[1])
    response = post_credentials(hub, invite(hub), url)
    assert response.json()["status_code"] == 2001, response.text
    assert response.json()["status_message"].startswith("url: ")
    assert listener.received == []
    assert parties.get_party(PartyRef(country_code="PT", party_id="ZZZ")).registration == "INVITED"


def test_a_token_a_cannot_tell_an_open_loopback_port_from_a_closed_one(hub, strict_policy, listener):
    """The port scan: the answer for a listening port and a closed one is the same refusal."""
    open_port = listener.base_url.rsplit(":", 1)[1]
    answers = []
    for port in (open_port, str(free_port())):
        message = post_credentials(hub, invite(hub), f"https://127.0.0.1:{port}/ocpi/versions").json()
        answers.append((message["status_code"], message["status_message"].replace(port, "PORT")))
    assert answers[0] == answers[1]
    assert answers[0][0] == 2001
    assert listener.received == []


def test_the_operator_cannot_register_a_party_on_loopback_either(hub, strict_policy, listener):
    with pytest.raises(Exception, match="versions_url"):
        HttpAdmin(hub.base_url).call(
            "parties.register", {"versions_url": f"{listener.base_url}/ocpi/versions", "token_a": "x"}
        )
    assert listener.received == []


def test_version_and_endpoint_urls_read_from_the_party_are_checked_too(hub, hub_store):
    """Even with loopback open (the sandbox), a party cannot list the metadata service or the hub
    itself as its version details or credentials endpoint."""
    with running_emsp(party_id="ZZZ") as party:
        party.accepted_tokens = {"token-for-the-hub"}  # what post_credentials gives the hub
        party.override["versions"] = lambda: envelope(
            [{"version": "2.2.1", "url": "http://169.254.169.254/x"}]
        )
        response = post_credentials(hub, invite(hub), party.versions_url)
        assert response.json()["status_code"] == 3001
        assert "169.254.169.254" in response.json()["status_message"]

        details = {
            "version": "2.2.1",
            "endpoints": [
                {
                    "identifier": "credentials",
                    "role": "RECEIVER",
                    "url": f"{hub.base_url}/admin/parties.renew_due",
                }
            ],
        }
        party.override = {"details": lambda: envelope(details)}
        response = post_credentials(hub, invite(hub), party.versions_url)
        assert response.json()["status_code"] == 3001
        assert "own address" in response.json()["status_message"]


def test_a_redirect_into_loopback_is_not_followed(hub, hub_store, listener):
    with running_emsp(party_id="ZZZ") as party:
        party.accepted_tokens = {"token-for-the-hub"}
        party.override["versions"] = lambda: RedirectResponse(
            f"{listener.base_url}/ocpi/versions", status_code=307
        )
        response = post_credentials(hub, invite(hub), party.versions_url)
    assert response.json()["status_code"] == 3001
    assert "HTTP 307" in response.json()["status_message"]
    assert listener.received == []


def test_token_a_is_burnt_after_three_failed_registrations(hub, strict_policy, listener):
    token_a = invite(hub)
    statuses = [post_credentials(hub, token_a, "file:///etc/passwd").json()["status_code"] for _ in range(3)]
    assert statuses == [2001, 2001, 2001]
    # The fourth try, even a good one, is not authenticated any more: the operator must invite again.
    assert post_credentials(hub, token_a, "https://emsp.example/ocpi/versions").status_code == 401
    assert (
        httpx.get(f"{hub.base_url}/ocpi/versions", headers={"Authorization": f"Token {token_a}"}).status_code
        == 401
    )


# --- response_url ----------------------------------------------------------------------------------
def commands_stored() -> int:
    return table("commands").scan(Select="COUNT")["Count"]  # tests may scan


def test_a_response_url_into_the_admin_interface_is_refused_and_nothing_reaches_the_station(hub, emsp):
    _, credentials = emsp
    admin = f"{hub.base_url}/admin/parties.renew_due"

    async def scenario():
        async with online(hub, STATION) as station:
            before = commands_stored()
            refused = await send_raw(hub, credentials, "START_SESSION", admin)
            accepted = await send(hub, emsp, "STOP_SESSION", {"session_id": "no-such-session"})
            return refused, before, commands_stored(), list(station.received), accepted

    refused, before, after, received, accepted = run(scenario())
    assert refused.status_code == 400
    assert refused.json()["status_code"] == 2001
    assert refused.json()["status_message"].startswith("response_url: ")
    assert "own address" in refused.json()["status_message"]
    assert (after, received) == (before, [])
    assert sessions.active_session_on_evse(STATION, EVSE) is None
    assert accepted["result"] == "UNKNOWN_SESSION"  # the EMSP's own response_url is still fine


@pytest.mark.parametrize(
    "response_url", ["file:///etc/passwd", "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/cb"]
)
def test_other_internal_response_urls_are_refused(hub, emsp, response_url):
    _, credentials = emsp
    refused = run(send_raw(hub, credentials, "START_SESSION", response_url))
    assert refused.json()["status_code"] == 2001
    assert refused.json()["status_message"].startswith("response_url: ")


def test_the_outbound_client_never_posts_into_the_hubs_own_admin_interface(hub, emsp):
    """The choke point itself: even a response_url stored before this check cannot be delivered."""
    party = parties.get_party(PartyRef(country_code="PT", party_id="EDP"))
    with pytest.raises(OutboundCallFailed, match="own address"):
        get_client().send_to(party, "POST", f"{hub.base_url}/admin/parties.renew_due", body={})


async def send_raw(hub, credentials, name: str, response_url: str) -> httpx.Response:
    body = {"response_url": response_url, "token": rfid_token(), "location_id": STATION, "evse_uid": EVSE}
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(
            f"{hub.base_url}/ocpi/2.2.1/commands/{name}", json=body, headers=credentials.headers
        )
