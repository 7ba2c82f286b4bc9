"""The hub served on loopback (uvicorn in a thread, moto's DynamoDB) and fake EMSPs beside it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from mobie_hub.admin.secret import HEADER
from mobie_hub.cli.serve import create_local_app
from mobie_hub.core.settings import get_settings
from mobie_hub.outbound import use_client
from tests.support.fake_emsp import FakeEmsp, running_emsp
from tests.support.local_hub import free_port
from tests.support.servers import serve_in_thread

ADMIN_SECRET = "integration-admin-secret"
ADMIN_HEADERS = {HEADER: ADMIN_SECRET}


@dataclass(frozen=True)
class Hub:
    base_url: str

    @property
    def versions_url(self) -> str:
        return f"{self.base_url}/ocpi/versions"

    def credentials_url(self, version: str = "2.2.1") -> str:
        return f"{self.base_url}/ocpi/{version}/credentials"

    def admin(self, operation: str, **payload) -> httpx.Response:
        return httpx.post(
            f"{self.base_url}/admin/{operation}", json=payload, timeout=30, headers=ADMIN_HEADERS
        )


@pytest.fixture
def hub(aws, monkeypatch) -> Iterator[Hub]:
    port = free_port()
    monkeypatch.setenv("MOBIE_PUBLIC_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("MOBIE_OUTBOUND_TIMEOUT_SECONDS", "5")
    get_settings.cache_clear()
    use_client(None)
    with serve_in_thread(create_local_app(admin_secret=ADMIN_SECRET), port=port) as base_url:
        yield Hub(base_url)
    use_client(None)


@pytest.fixture
def edp() -> Iterator[FakeEmsp]:
    with running_emsp() as emsp:
        yield emsp


@pytest.fixture
def glp() -> Iterator[FakeEmsp]:
    with running_emsp(party_id="GLP") as emsp:
        yield emsp
