"""Admin interface: loopback only, unknown operations refused, bad payloads named."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from mobie_hub.admin.lambda_entry import handle
from mobie_hub.admin.secret import HEADER
from mobie_hub.local.admin_http import router

SECRET = "unit-admin-secret"


def client_from(host: str) -> TestClient:
    app = FastAPI()
    app.include_router(router)
    app.state.admin_secret = SECRET
    # The CLI's request: Host names this hub (TestClient serves on port 80), the secret, JSON.
    return TestClient(app, client=(host, 50000), base_url="http://127.0.0.1", headers={HEADER: SECRET})


def test_loopback_clients_may_run_operations():
    for host in ("127.0.0.1", "127.8.9.10", "::1"):
        response = client_from(host).post("/admin/status", json={})
        assert response.status_code == 200, host
        assert response.json()["hub"] == "PT/MOB"


def test_other_clients_are_refused():
    response = client_from("192.0.2.10").post("/admin/status", json={})
    assert response.status_code == 403
    assert response.json()["error"] == "Forbidden"


def test_lambda_entry_wraps_results_and_errors():
    assert handle({"operation": "status", "payload": {}})["ok"] is True
    refused = handle({"operation": "drop-everything"})
    assert refused["ok"] is False
    assert refused["error"] == "InvalidRequest"
