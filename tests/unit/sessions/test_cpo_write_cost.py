"""What the CPO's list costs a session write (issue #16): a Session rewritten by a reading (an INVALID
session's; an ACTIVE one's readings go to its TX item) must pay as little as it can for the CPO
index. By the cost model's rules (``cost.capacity``): on the hub's own stations nothing at all; on a
CPO's station the ``cpo`` attribute (an ACTIVE session's: ``PT#GLP#ACTIVE``, its list partition) and
the keys-only gsi3 entry moving with ``last_updated`` (2 WRU), nothing in the table or the other
indexes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from boto3.dynamodb.types import TypeSerializer

from cost import capacity
from mobie_hub.core.tables import SESSIONS
from mobie_hub.sessions import lifecycle
from mobie_hub.sessions.lifecycle import SessionRecord
from mobie_hub.sessions.plausibility import Limits
from mobie_hub.sessions.repository import session_item
from tests.unit.sessions.test_lifecycle import T0, opened

_serializer = TypeSerializer()


def wire(item: dict) -> dict:
    return {name: _serializer.serialize(value) for name, value in item.items()}


def charging(cpo: tuple[str, str] | None, readings: int = 6) -> tuple[SessionRecord, SessionRecord]:
    """The session before and after its last MeterValues, one reading every 5 minutes."""
    record = before = replace(opened(), cpo=cpo)
    for n in range(1, readings + 1):
        at = T0 + timedelta(minutes=5 * n)
        applied = lifecycle.metered(record, [(Decimal(1000 + 1800 * n), at)], at + timedelta(seconds=2),
                                    Limits(22000, timedelta(hours=48)))
        before, record = record, replace(applied.record, revision=record.revision + 1)
    return before, record


def write_units(old: SessionRecord, new: SessionRecord) -> dict[str, float]:
    old_item, new_item = wire(session_item(old, old.revision)), wire(session_item(new, new.revision))
    return capacity.write_units(SESSIONS, old_item, new_item, transactional=True).write


def test_the_cpo_index_costs_a_meter_write_its_own_keys_only_entry_and_nothing_else():
    hub = write_units(*charging(None))
    cpo = write_units(*charging(("PT", "GLP")))
    assert "sessions/gsi3" not in hub
    assert cpo == {**hub, "sessions/gsi3": 2}


def test_a_meter_write_costs_the_indexes_only_the_keys_only_list_entry_it_moves():
    """Issue #18: every index of a Session is keys-only, so a rewrite pays only for the list entry its
    ``last_updated`` moves (gsi1: delete + put, 2 WRU), nothing for gsi2 (EVSE and start stay)."""
    before, after = charging(None)
    units = write_units(before, after)
    assert units == {"sessions": units["sessions"], "sessions/gsi1": 2}


def test_the_cpo_index_adds_only_the_cpo_attribute_to_the_item():
    _, hub = charging(None)
    _, cpo = charging(("PT", "GLP"))
    hub_size = capacity.item_size(wire(session_item(hub, 1)))
    assert cpo.status.value == "ACTIVE"
    assert capacity.item_size(wire(session_item(cpo, 1))) - hub_size == len("cpo") + len("PT#GLP#ACTIVE")
