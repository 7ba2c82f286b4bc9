"""OCPP from the command line, as an operator and an EMSP use it: ``mobie-hub serve`` as a real
process, ``mobie-hub simulate station`` and ``mobie-hub stations …`` against it."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tests.support.local_hub import _env, local_hub

pytestmark = pytest.mark.e2e

STATION = "LSB-00175"  # demo stations
OTHER = "LSB-00421"
BULK = ["PRT-00107", "PRT-00042"]
PASSWORD = "0123456789abcdef"


@pytest.fixture(scope="module")
def hub():
    with local_hub() as running:
        yield running


def simulate(hub, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    ocpp_url = hub.base_url.replace("http://", "ws://") + "/ocpp"
    return subprocess.run(
        [sys.executable, "-m", "mobie_hub.cli", "simulate", "station", "--url", ocpp_url, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_env(),
    )


def test_a_simulated_demo_station_authenticates_by_itself_and_an_unknown_one_is_refused(hub):
    # The serve process gave each demo station a password; the simulator asks the hub's admin interface
    booted = simulate(hub, "--id", STATION, "--once")
    unknown = simulate(hub, "--id", "NOPE-00001", "--once")

    assert booted.returncode == 0, booted.stderr
    assert "BootNotification: Accepted, heartbeat every 300 s" in booted.stdout
    assert unknown.returncode == 2
    assert "HTTP 401" in unknown.stderr


def test_a_station_password_set_by_the_operator_is_then_required(hub):
    set_password = hub.cli("stations", "set-password", OTHER, PASSWORD, "--json")
    try:
        assert json.loads(set_password.stdout) == {"station_id": OTHER, "password_set": True}
        stale = simulate(hub, "--id", OTHER, "--once")  # the demo password no longer holds
        wrong = simulate(hub, "--id", OTHER, "--password", "fedcba9876543210", "--once")
        right = simulate(hub, "--id", OTHER, "--password", PASSWORD, "--once")
    finally:
        hub.cli("stations", "clear-password", OTHER)

    assert (stale.returncode, wrong.returncode, right.returncode) == (2, 2, 0)
    assert "HTTP 401" in stale.stderr and "HTTP 401" in wrong.stderr
    shown = json.loads(hub.cli("stations", "show", OTHER, "--json").stdout)
    assert shown["boot"]["chargePointModel"] == "Simulator"
    assert shown["password_set"] is False
    assert simulate(hub, "--id", OTHER, "--once").returncode == 2  # no password: refused (by default)


def test_passwords_are_provisioned_in_bulk_from_a_csv_or_generated(hub, tmp_path):
    # Given a CSV of station_id,password rows (a header row, a hex-free password each)
    rows = tmp_path / "stations.csv"
    rows.write_text(f"station_id,password\n{BULK[0]},{PASSWORD}\n{BULK[1]},{PASSWORD[::-1]}\n")

    from_file = hub.cli("stations", "set-password", "--from-file", str(rows), "--json")
    generated = hub.cli("stations", "set-password", "--generate", BULK[0], "--json")
    refused = hub.cli("stations", "set-password", "--generate", "NOPE-00001", "--json")

    assert from_file.returncode == 0, from_file.stderr
    assert json.loads(from_file.stdout) == {"password_set": sorted(BULK), "count": 2}
    assert simulate(hub, "--id", BULK[1], "--password", PASSWORD[::-1], "--once").returncode == 0
    new = json.loads(generated.stdout)["passwords"][0]
    assert new["station_id"] == BULK[0] and len(new["password"]) == 40
    assert simulate(hub, "--id", BULK[0], "--password", PASSWORD, "--once").returncode == 2
    assert simulate(hub, "--id", BULK[0], "--password", new["password"], "--once").returncode == 0
    assert refused.returncode == 1 and "NOPE-00001" in refused.stderr


def test_the_operator_calls_a_connected_station_and_reads_its_answer(hub):
    ocpp_url = hub.base_url.replace("http://", "ws://") + "/ocpp"
    station = subprocess.Popen(
        [sys.executable, "-m", "mobie_hub.cli", "simulate", "station", "--url", ocpp_url, "--id", STATION],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(),
    )
    try:
        deadline = time.monotonic() + 30
        while not json.loads(hub.cli("stations", "show", STATION, "--json").stdout)["connected"]:
            assert time.monotonic() < deadline, "the simulator did not connect"
            time.sleep(0.2)
        called = hub.cli(
            "stations", "call", STATION, "UnlockConnector", "--payload", '{"connectorId": 1}', "--json"
        )
        refused = hub.cli("stations", "call", STATION, "Heartbeat")
    finally:
        station.terminate()
        station.wait(timeout=20)

    assert called.returncode == 0, called.stderr
    assert json.loads(called.stdout)["outcome"] == {"result": {"status": "Unlocked"}}
    assert refused.returncode == 1
    assert "no OCPP 1.6 call a central system sends" in refused.stderr


def test_only_serve_insecure_open_stations_lets_a_station_without_password_in_and_says_so_loudly():
    # --require-station-auth is kept for old scripts: it changes nothing, stations authenticate anyway
    with local_hub("--insecure-open-stations", "--require-station-auth") as open_hub:
        open_hub.cli("stations", "clear-password", OTHER)
        without = simulate(open_hub, "--id", OTHER, "--password", "", "--once")
    output = open_hub.output()

    assert without.returncode == 0, without.stderr
    assert "INSECURE: --insecure-open-stations" in output
