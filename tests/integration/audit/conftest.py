"""The audit trail under test: an in-memory store installed as the process's sink and finder,
plus the OCPP gateway and the loopback hub fixtures of the ocpp and parties suites."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mobie_hub.audit import runtime
from tests.integration.ocpp.conftest import (  # noqa: F401  (fixtures)
    authority,
    central_system,
    clock,
    connections,
    listener,
    location,
    station,
)
from tests.integration.parties.conftest import edp, hub  # noqa: F401  (fixtures)
from tests.support.audit import MemoryAuditStore


@pytest.fixture(autouse=True)
def trail() -> Iterator[MemoryAuditStore]:
    store = MemoryAuditStore()
    runtime.use(store, store)
    yield store
    runtime.use(None)
