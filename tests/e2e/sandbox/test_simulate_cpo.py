"""``mobie-hub simulate cpo --json`` as a real process (Phase 2): it registers as the CPO of PT/GLP,
pushes its tariff and a new version typed on its input, receives the session and the CDR of a charge
at one of its stations (a ``simulate station`` process charging with a simulated EMSP's RFID card),
priced with that version, reads its lists from the hub, and unregisters on ``quit``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.e2e.sandbox.conftest import Process
from tests.support.local_hub import _env

pytestmark = pytest.mark.e2e

STATION, TARIFF = "PRT-00107", "GLP-DC-ULTRA"


def party(hub, party_id: str, role: str) -> dict:
    shown = hub.cli(
        "parties", "show", "--role", role, "--country-code", "PT", "--party-id", party_id, "--json"
    )
    return json.loads(shown.stdout)["party"]


def test_a_simulated_cpo_pushes_its_tariff_and_receives_the_session_and_cdr_priced_with_it(sandbox_hub):
    url = sandbox_hub.base_url
    cpo = Process("simulate", "cpo", "--party-id", "GLP", "--tariff-id", TARIFF, "--hub", url, "--json")
    emsp = Process("simulate", "emsp", "--party-id", "EMC", "--hub", url, "--json")
    try:
        # Given the CPO registered and pushed its tariff, then a new version with an activation fee
        cpo.wait_for(lambda e: e["kind"] == "ready", timeout=60)  # a registration: the hub calls it back
        registered = party(sandbox_hub, "GLP", "CPO")
        cpo.type("tariff 0.6 0.35")
        pushed = cpo.wait_for(lambda e: e["kind"] == "tariff_pushed" and e.get("activation") == 0.35)
        emsp.wait_for(lambda e: e["kind"] == "ready", timeout=60)
        rfid = next(e for e in emsp.events if e["kind"] == "token")["what"].split()[-1]

        # When a driver charges with the EMSP's card at the CPO's station
        charge = subprocess.run(
            [sys.executable, "-m", "mobie_hub.cli", "simulate", "station", "--id", STATION,
             "--url", url.replace("http://", "ws://") + "/ocpp", "--meter-interval", "1",
             "--rfid", rfid, "--charge-seconds", "3", "--once"],
            check=False, capture_output=True, text=True, timeout=90, env=_env(),
        )  # fmt: skip

        # Then the CPO receives the session and the CDR, priced with the version it pushed
        session = cpo.wait_for(
            lambda e: e["kind"] == "session" and e.get("status") == "COMPLETED", timeout=40
        )
        cdr = cpo.wait_for(lambda e: e["kind"] == "cdr", timeout=40)
        emsp_cdr = emsp.wait_for(lambda e: e["kind"] == "cdr", timeout=40)
        cpo.type("sessions")
        listed = cpo.wait_for(lambda e: e["kind"] == "list_read")
        cpo.type("quit")
        code = cpo.process.wait(timeout=30)
    finally:
        cpo.stop()
        emsp.stop()
    cpo.wait_for(lambda e: e["kind"] == "unregistered", timeout=5)

    assert charge.returncode == 0, charge.stdout + charge.stderr
    assert registered["registration"] == "REGISTERED"
    assert {e["identifier"] for e in registered["endpoints"]} >= {"sessions", "cdrs"}
    assert (pushed["ref"], pushed["per_kwh"]) == (TARIFF, 0.6)
    assert cdr["session"] == session["ref"] == emsp_cdr["session"]
    assert cdr["tariffs"] == [TARIFF] and "OPC_ACTIVATION 0.35" in cdr["lines"]
    assert cdr["cost_incl_vat"] == emsp_cdr["cost_incl_vat"] > 0
    assert any(e["kind"] == "listed" and e["ref"] == session["ref"] for e in cpo.events)
    assert listed["count"] >= 1
    assert code == 0 and party(sandbox_hub, "GLP", "CPO")["registration"] == "UNREGISTERED"
