"""Shared fixtures: an isolated AWS environment (moto), the hub's tables, settings reset per test."""

from __future__ import annotations

import asyncio
import os

import pytest

from mobie_hub.core.dynamodb import reset_clients
from mobie_hub.core.settings import get_settings
from mobie_hub.wiring import aws as aws_wiring

# The tests run the Lambdas' composition (mobie_hub.wiring.aws) unless a test installs its own adapters
# (each feature's ``runtime.use``) or a local hub composes itself (mobie_hub.wiring.local).
aws_wiring.install()


# The environment every test starts from. Set once for the whole run and never removed between tests:
# the in-process hubs' background threads (pipeline, CDR redelivery, watchdog) read settings at any
# moment, and a key deleted and set again around each test let one of them cache settings from the gap
# (an e2e command then met "response_url: the scheme must be https").
BASE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "MOBIE_PUBLIC_URL": "https://hub.test",
    # The fake parties of the tests live on loopback over http: the test environment opens both
    # explicitly, as `mobie-hub serve --allow-loopback-parties` does. The default stays closed
    # (tests/unit/outbound, tests/e2e/abuse/test_ssrf.py switch these off to test it).
    "MOBIE_OUTBOUND_ALLOW_LOOPBACK": "true",
    "MOBIE_OUTBOUND_ALLOW_HTTP": "true",
}
os.environ.update(BASE_ENVIRONMENT)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch):
    """No test reaches AWS: fake credentials, a fixed region, settings rebuilt from a clean slate
    (every other MOBIE_ variable removed; a test's own changes undone after it)."""
    for name in list(os.environ):
        if name.startswith("MOBIE_") and name not in BASE_ENVIRONMENT:
            monkeypatch.delenv(name)
    for name, value in BASE_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)  # restored to the same value after the test: never a gap
    get_settings.cache_clear()
    reset_clients()
    yield
    get_settings.cache_clear()
    reset_clients()


@pytest.fixture(autouse=True)
def _no_event_loop_left_behind():
    """Each test starts as a fresh Lambda process does: no event loop chosen for the main thread.
    ``asyncio.run`` ends by setting "no loop", after which Mangum (the OCPI Lambdas run in-process)
    cannot get one: without this, a Lambda test failed or passed by the order the tests ran in."""
    yield
    asyncio.set_event_loop_policy(None)


@pytest.fixture
def aws():
    """moto's in-memory AWS with every hub table created from the shared table specs."""
    from moto import mock_aws

    from mobie_hub.core.dynamodb import dynamodb_resource
    from mobie_hub.core.schema import ensure_tables

    with mock_aws():
        ensure_tables(dynamodb_resource().meta.client)
        yield
