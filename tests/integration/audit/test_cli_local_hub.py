"""`mobie-hub audit` against the real `mobie-hub serve` process: an operator finds what an EMSP and a
station sent and what the hub answered, and no token or station password is in the answer or the hub's output."""

from __future__ import annotations

import base64
import json
import uuid

import httpx
import pytest
from websockets.sync.client import connect

from tests.support.fake_emsp import running_emsp
from tests.support.local_hub import local_hub

pytestmark = pytest.mark.e2e  # a real process over loopback


def audit(hub, *args: str) -> dict:
    result = hub.cli("audit", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_an_operator_finds_an_emsps_messages_and_a_stations_frames():
    with local_hub("--allow-loopback-parties") as hub:  # the fake EMSP lives on loopback
        with running_emsp(party_id="EDP") as edp:
            # Given an EMSP that registered (tokens both ways) and then asked for the hub's client info
            invited = json.loads(
                hub.cli(
                    "parties",
                    "invite",
                    "--country-code",
                    "PT",
                    "--party-id",
                    "EDP",
                    "--role",
                    "EMSP",
                    "--json",
                ).stdout
            )
            assert (
                edp.register(f"{hub.base_url}/ocpi/versions", invited["token_a"]).json()["status_code"]
                == 1000
            )
            tokens = {invited["token_a"], edp.hub_token, *edp.accepted_tokens}
            correlation = str(uuid.uuid4())
            httpx.get(
                f"{hub.base_url}/ocpi/2.2.1/hubclientinfo",
                headers={**edp.headers(), "X-Correlation-ID": correlation},
            )
        # And a station with a password that connected (HTTP Basic) and sent a Heartbeat
        password = f"pw-{uuid.uuid4().hex[:20]}"
        assert hub.cli("stations", "set-password", "LSB-00175", password).returncode == 0
        basic = "Basic " + base64.b64encode(f"LSB-00175:{password}".encode()).decode()
        tokens |= {password, basic.removeprefix("Basic ")}
        with connect(
            f"{hub.base_url.replace('http', 'ws')}/ocpp/LSB-00175",
            subprotocols=["ocpp1.6"],
            additional_headers={"Authorization": basic},
        ) as ws:
            ws.send(json.dumps([2, "hb-1", "Heartbeat", {}]))
            assert json.loads(ws.recv())[0] == 3

        # When the operator asks by correlation id, by party and by station
        exchange = audit(hub, "--correlation-id", correlation)
        by_party = audit(hub, "--party", "PT/EDP", "--since", "10m")
        frames = audit(hub, "--station", "LSB-00175")

        # Then the request and the answer are there once each
        assert [(r["direction"], r["kind"], r.get("http_status")) for r in exchange["records"]] == [
            ("in", "request", None),
            ("out", "response", 200),
        ]
        # And the registration: the EMSP's POST in, the hub's calls to the EMSP out, each answered
        kinds = {(r["direction"], r["kind"], r["method"], r.get("module")) for r in by_party["records"]}
        assert {
            ("in", "request", "POST", "credentials"),
            ("out", "request", "GET", "versions"),
            ("in", "response", "GET", "versions"),
        } <= kinds
        # And the station's CALL and the hub's CALLRESULT
        assert [(r["direction"], r["kind"], r["message_id"]) for r in frames["records"]] == [
            ("in", "call", "hb-1"),
            ("out", "callresult", "hb-1"),
        ]
        # And the readable form names them
        readable = hub.cli("audit", "--correlation-id", correlation)
        assert readable.returncode == 0 and "2 message(s)" in readable.stdout
        answers = json.dumps([exchange, by_party, frames])
    output = hub.output()
    assert "hub listening" in output  # the hub's log is what is searched
    for token in tokens:
        assert token not in answers and token not in output
