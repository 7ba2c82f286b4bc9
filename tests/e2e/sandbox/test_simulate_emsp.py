"""``mobie-hub simulate emsp --json`` as a real process, driven through its input as a script would:
it registers, pushes its tokens, starts and stops a charge on a ``simulate station`` process, prints
every push it receives, and unregisters on ``quit``."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tests.e2e.sandbox.conftest import Process
from tests.support.local_hub import _env

pytestmark = pytest.mark.e2e

STATION, EVSE, CONNECTOR = "LSB-00175", "LSB-00175-01", "LSB-00175-01-01"


def test_a_simulated_emsp_registers_charges_through_commands_and_prints_each_push(sandbox_hub):
    ocpp_url = sandbox_hub.base_url.replace("http://", "ws://") + "/ocpp"
    emsp = Process("simulate", "emsp", "--party-id", "EMX", "--hub", sandbox_hub.base_url, "--json")
    station = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mobie_hub.cli",
            "simulate",
            "station",
            "--id",
            STATION,
            "--url",
            ocpp_url,
            "--meter-interval",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(),
    )
    try:
        # Given the EMSP registered and pushed its tokens, and the station is connected
        emsp.wait_for(lambda e: e["kind"] == "ready")
        tokens = [e for e in emsp.events if e["kind"] == "token"]
        shown = json.loads(
            sandbox_hub.cli("parties", "show", "--country-code", "PT", "--party-id", "EMX", "--json").stdout
        )["party"]
        deadline = time.monotonic() + 30
        while not json.loads(sandbox_hub.cli("stations", "show", STATION, "--json").stdout)["connected"]:
            assert time.monotonic() < deadline, "the station simulator did not connect"
            time.sleep(0.3)

        # When it starts a charge, lets meter values come, and stops it (the last ACTIVE session)
        emsp.type(f"start {STATION} {EVSE}")
        response = emsp.wait_for(lambda e: e["kind"] == "command_response")
        started = emsp.wait_for(lambda e: e["kind"] == "command_result" and e["ref"] == response["ref"])
        active = emsp.wait_for(lambda e: e["kind"] == "session" and e.get("status") == "ACTIVE")
        time.sleep(3)  # a few meter values (serve coalesces their PATCHes: the stop's PATCH has the kWh)
        emsp.type("stop")
        cdr = emsp.wait_for(lambda e: e["kind"] == "cdr", timeout=40)
        emsp.type(f"unlock {STATION} {EVSE} {CONNECTOR}")
        unlock = emsp.wait_for(lambda e: e["kind"] == "command_response" and e["what"].startswith("UNLOCK"))
        if unlock["result"] == "ACCEPTED":  # the profile's table decides; an accepted unlock has a result
            emsp.wait_for(lambda e: e["kind"] == "command_result" and e["ref"] == unlock["ref"])
        emsp.type("frobnicate")
        emsp.wait_for(lambda e: e["kind"] == "usage")
        emsp.type("quit")
        code = emsp.process.wait(timeout=30)
    finally:
        emsp.stop()
        station.terminate()
        station.wait(timeout=20)
    emsp.wait_for(lambda e: e["kind"] == "unregistered", timeout=5)

    # Then every push was printed as one event with its key figures, and the EMSP left cleanly
    assert [t["what"].split()[2] for t in tokens] == ["RFID", "APP_USER"]
    assert shown["registration"] == "REGISTERED"
    assert {e["identifier"] for e in shown["endpoints"]} >= {"sessions", "cdrs", "locations", "hubclientinfo"}
    assert (response["result"], started["result"]) == ("ACCEPTED", "ACCEPTED")
    assert active["evse"] == EVSE and active["ref"] == cdr["session"]
    stop_response = [e for e in emsp.events if e["kind"] == "command_response"][1]
    assert stop_response["what"].startswith("STOP_SESSION") and stop_response["session_id"] == active["ref"]
    assert any(e["kind"] == "session" and e.get("status") == "COMPLETED" for e in emsp.events)
    assert cdr["kwh"] > 0 and cdr["cost_incl_vat"] > 0 and cdr["lines"]
    assert unlock["location_id"] == STATION and unlock["connector_id"] == CONNECTOR
    assert code == 0
    after = json.loads(
        sandbox_hub.cli("parties", "show", "--country-code", "PT", "--party-id", "EMX", "--json").stdout
    )["party"]
    assert after["registration"] == "UNREGISTERED"
