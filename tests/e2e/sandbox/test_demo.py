"""``mobie-hub demo`` as a real process against a real ``mobie-hub serve``: the whole charge as a
timeline, at a CPO's station whose tariff the simulated CPO pushed (Phase 2), exit 0; and exit 1
naming the first step that did not happen."""

from __future__ import annotations

import json

import pytest

from tests.e2e.sandbox.conftest import run_cli
from tests.support.local_hub import free_port, local_hub

pytestmark = pytest.mark.e2e

STEP_LINES = [  # one timeline line each, in this order
    "operator -> hub               parties invite PT/SIM  role EMSP",
    "EMSP PT/SIM -> hub               POST Credentials: registered",
    "EMSP PT/SIM -> hub               PUT Token RFID",
    "EMSP PT/SIM -> hub               GET Location PRT-00107",
    "operator -> hub               parties invite PT/GLP  role CPO",
    "CPO PT/GLP -> hub               POST Credentials: registered",
    "CPO PT/GLP -> hub               PUT Tariff GLP-DC-ULTRA",
    "EMSP PT/SIM -> hub               GET Tariffs: GLP-DC-ULTRA, the CPO's version",
    "station PRT-00107 -> hub               BootNotification  status Accepted",
    "station PRT-00107 -> hub               StatusNotification",
    "EMSP PT/SIM -> hub               START_SESSION -> CommandResponse  result ACCEPTED",
    "station PRT-00107 -> hub               RemoteStartTransaction -> StartTransaction",
    "EMSP PT/SIM -> hub               STOP_SESSION -> CommandResponse  result ACCEPTED",
    "station PRT-00107 -> hub               RemoteStopTransaction -> StopTransaction",
    "priced with the CPO's GLP-DC-ULTRA",
    "CPO PT/GLP -> hub               DELETE Credentials: unregistered",
    "demo                      a whole charge in",
]


def demo(hub_url: str, *args: str) -> tuple[int, str, str]:
    done = run_cli("demo", "--hub", hub_url, "--charge-seconds", "1", *args)
    return done.returncode, done.stdout, done.stderr


def test_the_demo_tells_a_whole_charge_line_by_line_and_runs_again(sandbox_hub):
    # When a newcomer runs the demo against `make run`'s hub, twice (the EMSP unregisters at the end)
    code, out, err = demo(sandbox_hub.base_url)
    again, json_out, json_err = demo(sandbox_hub.base_url, "--json")

    # Then each step is one line, in order, and both runs end well
    assert code == 0, out + err
    positions = [next(i for i, line in enumerate(out.splitlines()) if step in line) for step in STEP_LINES]
    assert positions == sorted(positions)
    assert again == 0, json_out + json_err
    events = [json.loads(line) for line in json_out.splitlines()]
    to_emsp = [e for e in events if e["target"] == "EMSP PT/SIM"]
    to_cpo = [e for e in events if e["target"] == "CPO PT/GLP"]
    [session_put] = [e for e in to_emsp if e["kind"] == "session" and e.get("status") == "ACTIVE"]
    session_id = session_put["ref"]
    about_it = [e for e in events if e.get("ref") == session_id and e["target"] != "CPO PT/GLP"]
    # meter values flowed: as PATCHes, or (a hub coalescing meter PATCHes, serve's default) in the session
    # the EMSP read back from the hub
    assert any(e["kind"] in ("session", "session_read") and e.get("kwh", 0) > 0 for e in about_it)
    assert any(e["what"].startswith("PATCH") and e.get("status") == "COMPLETED" for e in about_it)
    [cdr] = [e for e in to_emsp if e["kind"] == "cdr"]
    assert cdr["session"] == session_id and cdr["cost_incl_vat"] > 0
    assert {"OPC_ACTIVATION", "EGME", "TAR", "IEC"} <= {line.split()[0] for line in cdr["lines"]}
    # the CDR is priced with the tariff version the CPO pushed in this run, and the CPO has it too
    [pushed] = [e for e in events if e["kind"] == "tariff_pushed"]
    assert cdr["tariffs"] == [pushed["ref"]] and f"OPC_ACTIVATION {pushed['activation']}" in cdr["lines"]
    assert any(
        e["kind"] == "session" and e["ref"] == session_id and e.get("status") == "ACTIVE" for e in to_cpo
    )
    [cpo_cdr] = [e for e in to_cpo if e["kind"] == "cdr"]
    assert (cpo_cdr["session"], cpo_cdr["cost_incl_vat"], cpo_cdr["lines"]) == (
        session_id,
        cdr["cost_incl_vat"],
        cdr["lines"],
    )
    assert [e["result"] for e in events if e["kind"] == "command_result"] == ["ACCEPTED", "ACCEPTED"]
    assert events[-1]["kind"] == "done"
    assert (
        sandbox_hub.cli(
            "parties", "show", "--country-code", "PT", "--party-id", "SIM", "--json"
        ).stdout.count('"registration": "UNREGISTERED"')
        == 1
    )
    glp = sandbox_hub.cli(
        "parties", "show", "--role", "CPO", "--country-code", "PT", "--party-id", "GLP", "--json"
    )
    assert '"registration": "UNREGISTERED"' in glp.stdout


def test_the_demo_names_the_first_step_that_did_not_happen(sandbox_hub):
    # An unknown station: the EMSP registers, then cannot read its Location
    code, out, err = demo(sandbox_hub.base_url, "--station", "NOPE-00001", "--step-timeout", "5")
    # No hub at all
    nobody, _, nobody_err = demo(f"http://127.0.0.1:{free_port()}", "--step-timeout", "5")
    own, _, own_err = demo(sandbox_hub.base_url, "--station", "LSB-01033", "--step-timeout", "5")

    assert code == 1
    assert "FAILED at step 4/22 'the EMSP reads the station'" in err
    assert "2003" in err and "FAILED at step 4/22" in out.splitlines()[-1]
    assert "DELETE Credentials: unregistered" in out  # the EMSP cleaned up after itself
    assert nobody == 1
    assert "FAILED at step 1/22 'the hub answers'" in nobody_err and "make run" in nobody_err
    # MOBI.E's own station (PT/MOB): no CPO operates it
    assert own == 1 and "FAILED at step 5/22 'the CPO registers'" in own_err and "PT/MOB" in own_err


def test_a_hub_that_calls_no_loopback_party_fails_the_registration_and_says_which_option():
    # `mobie-hub serve` without --allow-loopback-parties (secure by default)
    with local_hub() as strict_hub:
        code, _, err = demo(strict_hub.base_url, "--step-timeout", "10")

    assert code == 1
    assert "FAILED at step 2/22 'the EMSP registers'" in err
    assert "--allow-loopback-parties" in err
