"""The local hub as a user runs it: a real process, real HTTP on loopback, the real CLI."""

from __future__ import annotations

import json
import signal

import httpx
import pytest

from mobie_hub.admin.client import HttpAdmin
from tests.support.local_hub import local_hub

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def hub():
    with local_hub("--no-demo") as running:
        yield running


def test_ocpi_answers_unknown_tokens_with_401_in_the_envelope(hub):
    response = httpx.get(f"{hub.base_url}/ocpi/versions", headers={"Authorization": "Token bm9wZQ=="})

    assert response.status_code == 401
    assert response.json()["status_code"] == 2000
    assert response.headers["X-Request-ID"] != response.headers["X-Correlation-ID"]


def test_status_command_prints_one_json_object(hub):
    result = hub.cli("status", "--json")

    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["versions_url"] == f"{hub.base_url}/ocpi/versions"
    assert status["ocpi_versions"] == ["2.2.1", "2.2"]


def test_unknown_admin_operation_is_a_clear_error(hub):
    response = httpx.post(f"{hub.base_url}/admin/nonsense", json={}, headers=HttpAdmin(hub.base_url).headers())
    assert response.status_code == 400
    assert "unknown admin operation" in response.json()["message"]


def test_cli_reports_an_unreachable_hub_on_stderr(hub):
    result = hub.cli("status", hub="http://127.0.0.1:9")
    assert result.returncode == 1
    assert "cannot reach the hub" in result.stderr
    assert result.stdout == ""


def test_ctrl_c_stops_the_hub_cleanly():
    with local_hub("--no-demo") as running:
        running.process.send_signal(signal.SIGINT)
        assert running.process.wait(timeout=20) == 0
        output = running.output()
        assert "Traceback" not in output
        assert "hub stopped" in output
