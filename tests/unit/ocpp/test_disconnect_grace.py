"""The disconnect grace's rules without DynamoDB (issue #18; the sweep itself: tests/integration/ocpp/
test_offline_stations.py): which liveness items the sweep treats as silent or as disconnected, and
the setting's bounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from mobie_hub.core.settings import Settings
from mobie_hub.ocpp.liveness_repository import Unheard

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
EPOCH = int(NOW.timestamp())


@pytest.mark.parametrize(
    ("station", "silent", "gone"),
    [
        (Unheard("A", seen=EPOCH - 3901), True, False),  # heard before the offline cutoff
        (Unheard("B", seen=EPOCH - 3900), False, False),  # exactly the grace: not longer yet
        (Unheard("C", seen=EPOCH, disconnected=EPOCH - 121), False, True),  # gone longer than 120 s
        (Unheard("D", seen=EPOCH, disconnected=EPOCH - 120), False, False),
        (Unheard("E", seen=None, disconnected=EPOCH - 500), False, True),  # never heartbeated, then left
        (Unheard("F", seen=EPOCH - 4000, disconnected=EPOCH - 4000), True, True),
    ],
)
def test_silent_and_disconnected_are_longer_than_their_grace(station, silent, gone):
    assert station.silent_before(NOW - timedelta(seconds=3900)) is silent
    assert station.disconnected_before(NOW - timedelta(seconds=120)) is gone


def test_the_disconnect_grace_defaults_to_two_minutes_and_0_is_allowed_to_mark_at_once():
    assert Settings().ocpp_disconnect_grace_seconds == 120
    assert Settings(ocpp_disconnect_grace_seconds=0).ocpp_disconnect_grace_seconds == 0
    with pytest.raises(ValidationError):
        Settings(ocpp_disconnect_grace_seconds=-1)
    with pytest.raises(ValidationError):
        Settings(ocpp_disconnect_grace_seconds=3600)  # not short against what an EMSP sees
