"""Fixtures for handler → logic → DynamoDB tests: registered parties and an HTTP client."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mobie_hub.ocpi.app import create_app
from tests.support.parties import Party, issue


@pytest.fixture
def emsp(aws) -> Party:
    """A registered EMSP (holds a token C)."""
    return issue("C")


@pytest.fixture
def invited(aws) -> Party:
    """A party invited to register (holds only a token A)."""
    return issue("A", party_id="GLP")


@pytest.fixture
def client(aws) -> TestClient:
    return TestClient(create_app(), raise_server_exceptions=False)
