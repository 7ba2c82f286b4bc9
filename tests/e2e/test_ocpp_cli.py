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

STATION = "LSB-00175"
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


def test_a_simulated_station_boots_and_reports_and_an_unknown_one_is_refused(hub):
    booted = simulate(hub, "--id", STATION, "--once")
    unknown = simulate(hub, "--id", "NOPE-00001", "--once")

    assert booted.returncode == 0, booted.stderr
    assert "BootNotification: Accepted, heartbeat every 300 s" in booted.stdout
    assert unknown.returncode == 2
    assert "HTTP 404" in unknown.stderr


def test_a_station_password_set_by_the_operator_is_then_required(hub):
    set_password = hub.cli("stations", "set-password", STATION, PASSWORD, "--json")
    try:
        assert json.loads(set_password.stdout) == {"station_id": STATION, "password_set": True}
        without = simulate(hub, "--id", STATION, "--once")
        wrong = simulate(hub, "--id", STATION, "--password", "fedcba9876543210", "--once")
        right = simulate(hub, "--id", STATION, "--password", PASSWORD, "--once")
    finally:
        hub.cli("stations", "clear-password", STATION)

    assert (without.returncode, wrong.returncode, right.returncode) == (2, 2, 0)
    assert "HTTP 401" in without.stderr and "HTTP 401" in wrong.stderr
    shown = json.loads(hub.cli("stations", "show", STATION, "--json").stdout)
    assert shown["boot"]["chargePointModel"] == "Simulator"
    assert shown["password_set"] is False


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


def test_serve_require_station_auth_refuses_stations_without_a_password():
    with local_hub("--require-station-auth") as strict:
        refused = simulate(strict, "--id", STATION, "--once")

    assert refused.returncode == 2
    assert "HTTP 401" in refused.stderr
    assert "requires authentication" in refused.stderr
