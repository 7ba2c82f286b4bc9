"""``locations.view``: the two facts an EVSE's view answers by name are the OCPI values of the
enums they stand for (the view compares strings, so that its readers need not import the enums)."""

from __future__ import annotations

import pytest

from mobie_hub.locations.enums import Capability, Status
from mobie_hub.locations.view import EvseView


@pytest.mark.parametrize("status", list(Status))
def test_removed_is_the_ocpi_status_removed(status):
    evse = EvseView("E1", status.value, (), ("C1",))

    assert evse.removed is (status is Status.REMOVED)


@pytest.mark.parametrize("capability", list(Capability))
def test_remote_start_stop_capable_is_the_ocpi_capability(capability):
    evse = EvseView("E1", "AVAILABLE", (capability.value,), ("C1",))

    assert evse.remote_start_stop_capable is (capability is Capability.REMOTE_START_STOP_CAPABLE)
