"""Issue #12 finding 5 — the local admin interface trusted the client address alone.

Reproduced as found: a request with a foreign Host header (a DNS-rebound name resolving to 127.0.0.1,
so the operator's browser sends it from loopback) got a token A from ``parties.invite``, and an empty
``text/plain`` POST (a cross-site form a browser sends without asking) ran ``parties.renew_due``. Now
every call needs the secret the hub wrote to a file only the user can read, this hub as Host, and JSON.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import httpx
import pytest

from mobie_hub.admin.client import AdminError, HttpAdmin
from mobie_hub.admin.secret import HEADER, secret_path
from mobie_hub.parties import repository as parties
from mobie_hub.parties.party import PartyRef

pytestmark = pytest.mark.e2e
INVITE = {"country_code": "PT", "party_id": "RBD"}


def admin_url(hub, operation: str) -> str:
    return f"{hub.base_url}/admin/{operation}"


def port(hub) -> int:
    return int(hub.base_url.rsplit(":", 1)[1])


def invited() -> bool:
    return parties.get_party(PartyRef(**INVITE)) is not None


def test_a_dns_rebinding_request_gets_no_token_a(hub, hub_store):
    # The attack as found: the browser's request, Host naming the attacker's domain, no secret.
    response = httpx.post(
        admin_url(hub, "parties.invite"),
        json=INVITE,
        headers={"Host": f"rebind.attacker.example:{port(hub)}"},
    )
    assert response.status_code == 403
    assert "token_a" not in response.text
    assert not invited()


def test_a_foreign_host_is_refused_even_with_the_secret(hub, hub_store):
    headers = {**HttpAdmin(hub.base_url).headers(), "Host": f"rebind.attacker.example:{port(hub)}"}
    assert httpx.post(admin_url(hub, "parties.invite"), json=INVITE, headers=headers).status_code == 403
    other_port = {**HttpAdmin(hub.base_url).headers(), "Host": "127.0.0.1:1"}
    assert httpx.post(admin_url(hub, "parties.invite"), json=INVITE, headers=other_port).status_code == 403
    assert not invited()


def test_a_cross_site_text_plain_post_runs_nothing(hub, hub_store):
    # The attack as found: an empty text/plain POST, no secret (a browser cannot read the file).
    response = httpx.post(
        admin_url(hub, "parties.renew_due"), content=b"", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 401
    # With the secret, still only JSON is taken.
    with_secret = {**HttpAdmin(hub.base_url).headers(), "Content-Type": "text/plain"}
    response = httpx.post(admin_url(hub, "parties.invite"), content=json.dumps(INVITE), headers=with_secret)
    assert response.status_code == 415
    form = {**HttpAdmin(hub.base_url).headers(), "Content-Type": "application/x-www-form-urlencoded"}
    assert httpx.post(admin_url(hub, "parties.invite"), content=b"a=b", headers=form).status_code == 415
    assert not invited()


def test_no_secret_is_401_and_a_wrong_one_403(hub, hub_store):
    assert httpx.post(admin_url(hub, "parties.invite"), json=INVITE).status_code == 401
    wrong = {HEADER: "not-the-secret"}
    assert httpx.post(admin_url(hub, "parties.invite"), json=INVITE, headers=wrong).status_code == 403
    with pytest.raises(AdminError, match="wrong admin secret"):
        HttpAdmin(hub.base_url, secret="not-the-secret").call("parties.invite", INVITE)
    assert not invited()


def test_the_secret_file_is_readable_by_the_user_only(hub):
    path = secret_path(port(hub))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0


def test_the_real_cli_still_works(hub, hub_store):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOBIE_", "AWS_"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mobie_hub.cli",
            "parties",
            "invite",
            "--country-code",
            "PT",
            "--party-id",
            "RBD",
            "--hub",
            hub.base_url,
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["token_a"]
    assert invited()
