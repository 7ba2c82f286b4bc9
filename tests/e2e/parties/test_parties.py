"""Registration, renewal and mutual TLS as an operator and an EMSP see them: the real `mobie-hub serve`
process, the real CLI, a fake EMSP on loopback, real TLS."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.fake_emsp import running_emsp
from tests.support.local_hub import _env, local_hub

pytestmark = pytest.mark.e2e


def run_json(hub, *args: str) -> dict:
    result = hub.cli(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # exactly one JSON object


@pytest.fixture(scope="module")
def hub():
    # Renew every party whose credentials are older than ~1 s, checking every second.
    with local_hub("--no-demo", "--allow-loopback-parties", "--renewal-interval", "1", "--renewal-days", "0.00001") as running:
        yield running


def test_both_registration_directions_through_the_cli(hub):
    with running_emsp(party_id="EDP") as edp, running_emsp(party_id="GLP") as glp:
        # EMSP-initiated: the operator invites, the EMSP registers with the token A
        invited = run_json(
            hub, "parties", "invite", "--country-code", "PT", "--party-id", "EDP", "--role", "EMSP"
        )
        assert invited["versions_url"] == f"{hub.base_url}/ocpi/versions"
        assert edp.register(invited["versions_url"], invited["token_a"]).json()["status_code"] == 1000
        # MOBI.E-initiated: the operator registers with the EMSP's versions URL and token A
        registered = run_json(
            hub, "parties", "register", "--versions-url", glp.versions_url, "--token-a", glp.issue_token_a()
        )
        assert registered["party"]["registration"] == "REGISTERED"
        listed = run_json(hub, "parties", "list")["parties"]
        assert [(p["party_id"], p["registration"]) for p in listed] == [
            ("EDP", "REGISTERED"),
            ("GLP", "REGISTERED"),
        ]
        # The renewal timer renews both within a few seconds (new tokens both ways)
        first_tokens = (edp.hub_token, glp.hub_token)
        deadline = time.monotonic() + 20
        while (edp.hub_token, glp.hub_token) == first_tokens or any(
            t in first_tokens for t in (edp.hub_token, glp.hub_token)
        ):
            assert time.monotonic() < deadline, "the renewal timer did not renew"
            time.sleep(0.3)
        assert httpx.get(f"{hub.base_url}/ocpi/2.2.1/hubclientinfo", headers=edp.headers()).status_code == 200
        gone = run_json(hub, "parties", "unregister", "--country-code", "PT", "--party-id", "GLP")
        assert gone["party_notified"] is True and gone["party"]["registration"] == "UNREGISTERED"


def test_a_failed_registration_is_one_clear_error_on_stderr(hub):
    result = hub.cli(
        "parties", "register", "--versions-url", "http://127.0.0.1:9/ocpi/versions", "--token-a", "x"
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "unreachable" in result.stderr


def test_an_unreadable_certificate_file_is_a_cli_error(hub, tmp_path):
    result = hub.cli(
        "parties",
        "invite",
        "--country-code",
        "PT",
        "--party-id",
        "IBD",
        "--client-cert",
        str(tmp_path / "missing.pem"),
    )
    assert result.returncode == 2 and "cannot read the certificate" in result.stderr


def certs_json(*args: str) -> dict:
    """``mobie-hub certs …`` works on local files and needs no hub."""
    result = subprocess.run(
        [sys.executable, "-m", "mobie_hub.cli", "certs", *args, "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env=_env(),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def tls(ca: Path, cert: Path | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca))
    if cert is not None:
        context.load_cert_chain(str(cert), str(cert.with_suffix(".key")))
    return context


def test_mutual_tls_end_to_end(tmp_path):
    certs = str(tmp_path / "certs")
    made = certs_json("init", "--dir", certs)
    edp_cert = Path(certs_json("issue", "--dir", certs, "--country-code", "PT", "--party-id", "EDP")["cert"])
    glp_cert = Path(certs_json("issue", "--dir", certs, "--country-code", "PT", "--party-id", "GLP")["cert"])
    ca = Path(made["ca"])
    server = made["server"]
    with (
        local_hub(
            "--no-demo", "--tls-cert", server["cert"], "--tls-key", server["key"], "--client-ca", str(ca),
            "--allow-loopback-parties", "--allow-http-parties",  # the fake EMSPs: loopback, plain http
        ) as hub,
        running_emsp(party_id="EDP") as edp,
    ):
        assert hub.base_url.startswith("https://")
        invited = run_json(
            hub,
            "parties",
            "invite",
            "--country-code",
            "PT",
            "--party-id",
            "EDP",
            "--client-cert",
            str(edp_cert),
            "--hub-ca",
            str(ca),
        )
        assert invited["party"]["cert_fingerprints"] == [
            run_json(
                hub, "parties", "show", "--country-code", "PT", "--party-id", "EDP", "--hub-ca", str(ca)
            )["party"]["cert_fingerprints"][0]
        ]
        registered = edp.register(invited["versions_url"], invited["token_a"], verify=tls(ca, edp_cert))
        assert registered.json()["status_code"] == 1000
        url = f"{hub.base_url}/ocpi/2.2.1/credentials"
        right = httpx.get(url, headers=edp.headers(), verify=tls(ca, edp_cert))
        assert right.status_code == 200
        other = httpx.get(url, headers=edp.headers(), verify=tls(ca, glp_cert))
        assert other.status_code == 403 and other.json()["status_code"] == 2000
        none = httpx.get(url, headers=edp.headers(), verify=tls(ca, None))
        assert none.status_code == 403
