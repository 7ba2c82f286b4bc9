"""`mobie-hub smoke` against the local hub over loopback (issue #14 item 4): HTTPS with a client CA (as
the deployed custom domain's mutual TLS), an EMSP certificate, one demo station connecting over wss."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.local_hub import _env, local_hub

pytestmark = pytest.mark.e2e

STATION = "LSB-00175"  # a demo station
PASSWORD = "smoke-test-station-password"


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mobie_hub.cli", *args], capture_output=True, text=True, timeout=120,
        env={**_env(), **(env or {})}, check=False,
    )


def _json(result: subprocess.CompletedProcess) -> dict:
    assert result.stdout, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def tls_hub(tmp_path_factory):
    certs = tmp_path_factory.mktemp("smoke") / "certs"
    made = _json(_cli("certs", "init", "--dir", str(certs), "--json"))
    emsp = _json(_cli("certs", "issue", "--dir", str(certs), "--country-code", "PT", "--party-id", "SMK", "--json"))
    server = made["server"]
    with local_hub("--tls-cert", server["cert"], "--tls-key", server["key"], "--client-ca", made["ca"]) as hub:
        ca = made["ca"]
        invited = _json(hub.cli("parties", "invite", "--country-code", "PT", "--party-id", "SMK",
                                "--client-cert", emsp["cert"], "--hub-ca", ca, "--json"))
        assert hub.cli("stations", "set-password", STATION, PASSWORD, "--hub-ca", ca).returncode == 0
        yield hub, ca, Path(emsp["cert"]), invited["token_a"]


def _smoke(hub, ca: str, cert: Path, *extra: str, password: str = PASSWORD) -> subprocess.CompletedProcess:
    return _cli(
        "smoke", "--hub", hub.base_url, "--ca", ca, "--cert", str(cert), "--key", str(cert.with_suffix(".key")),
        "--station-id", STATION, "--json", *extra, env={"MOBIE_SMOKE_STATION_PASSWORD": password},
    )


def test_smoke_passes_against_a_working_hub(tls_hub):
    hub, ca, cert, token = tls_hub

    result = _smoke(hub, ca, cert, "--token", token)

    assert result.returncode == 0, result.stdout + result.stderr
    report = _json(result)
    assert report["ok"] is True
    checks = {check["name"]: check for check in report["checks"]}
    assert list(checks) == ["admin", "versions", "mtls-enforced", "station", "station-seen"]
    assert all(check["ok"] for check in checks.values())
    assert "2.2.1" in checks["versions"]["detail"]  # an authenticated OCPI 1000 answer over mutual TLS
    assert "HTTP 403" in checks["mtls-enforced"]["detail"]  # the local hub refuses without a certificate
    assert "boot Accepted" in checks["station"]["detail"] and checks["station"]["detail"].startswith("connected to wss://")


def test_smoke_fails_and_says_why_when_the_station_cannot_connect(tls_hub):
    hub, ca, cert, _ = tls_hub

    result = _smoke(hub, ca, cert, password="not-the-station-password-at-all")  # and no --token

    assert result.returncode == 1
    checks = {check["name"]: check for check in _json(result)["checks"]}
    assert checks["versions"]["ok"] and "give --token" in checks["versions"]["detail"]
    assert not checks["station"]["ok"] and "HTTP 401" in checks["station"]["detail"]


def test_smoke_refuses_a_station_without_its_password():
    result = _cli("smoke", "--station-id", STATION, env={"MOBIE_SMOKE_STATION_PASSWORD": ""})

    assert result.returncode == 2 and "--station-id needs --station-password" in result.stderr
