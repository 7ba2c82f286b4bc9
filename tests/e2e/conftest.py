"""The local hub as e2e tests drive it: one in-process hub per test module (uvicorn on a free
loopback port, embedded DynamoDB, demo data), and this test process pointed at its store."""

from __future__ import annotations

import pytest

from mobie_hub.cli.in_process import in_process_hub
from mobie_hub.core.dynamodb import reset_clients
from mobie_hub.core.settings import get_settings


@pytest.fixture(scope="module")
def hub():
    with in_process_hub() as running:
        yield running


@pytest.fixture
def hub_store(hub, monkeypatch):
    """Point this test process at the hub's embedded DynamoDB again (the isolation fixture resets it)."""
    monkeypatch.setenv("MOBIE_DYNAMODB_ENDPOINT", hub.dynamodb_endpoint)
    get_settings.cache_clear()
    reset_clients()
    yield
    get_settings.cache_clear()
    reset_clients()
