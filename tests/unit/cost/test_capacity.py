"""DynamoDB units by AWS's rules: item sizes, writes per table and per index, reads."""

from __future__ import annotations

from cost import capacity
from mobie_hub.core.tables import SESSIONS, STATIONS, TOKENS


def s(value: str) -> dict:
    return {"S": value}


def test_an_item_size_is_its_names_and_values():
    assert capacity.item_size({"pk": s("ab"), "n": {"N": "12345"}, "ok": {"BOOL": True}}) == (2 + 2) + (1 + 4) + (2 + 1)
    assert capacity.item_size({"m": {"M": {"a": s("xy")}}}) == 1 + 3 + (1 + 1 + 2)
    assert capacity.item_size(None) == 0


def test_a_small_write_costs_one_unit_and_a_transaction_two_per_started_kilobyte():
    item = {"pk": s("STATION#1"), "sk": s("CONN"), "doc": s("x" * 1500)}
    assert capacity.write_units(STATIONS, None, item).write == {"stations": 2}
    assert capacity.write_units(STATIONS, item, item, transactional=True).write == {"stations": 4}
    assert capacity.write_units(STATIONS, {"pk": s("a"), "sk": s("b")}, None).write == {"stations": 1}


def test_an_index_pays_for_entering_a_changed_key_twice_and_keys_only_not_for_other_attributes():
    keys = {"pk": s("SESSION#1"), "sk": s("SESSION")}
    indexed = {**keys, "gsi1pk": s("EMSP#EDP"), "gsi1sk": s("T1"), "gsi2pk": s("E#1"), "gsi2sk": s("T0"),
               "kwh": {"N": "1"}}

    created = capacity.write_units(TOKENS, None, indexed).write
    assert created == {"tokens": 1, "tokens/gsi1": 1, "tokens/gsi2": 1}

    # an attribute and the gsi1 sort key change: gsi1 deletes and puts its entry, gsi2 (ALL) rewrites it
    moved = {**indexed, "kwh": {"N": "2"}, "gsi1sk": s("T2")}
    assert capacity.write_units(TOKENS, indexed, moved).write == {"tokens": 1, "tokens/gsi1": 2, "tokens/gsi2": 1}
    # the same on keys-only indexes (sessions): only the moved entry pays; an attribute alone costs nothing
    assert capacity.write_units(SESSIONS, indexed, moved).write == {"sessions": 1, "sessions/gsi1": 2}
    assert capacity.write_units(SESSIONS, indexed, {**indexed, "kwh": {"N": "3"}}).write == {"sessions": 1}


def test_storage_counts_the_item_the_index_entries_and_their_overhead():
    item = {"pk": s("SESSION#1"), "sk": s("SESSION"), "gsi2pk": s("E"), "gsi2sk": s("T")}
    storage = capacity.write_units(SESSIONS, None, item).storage
    assert storage == {"sessions": capacity.item_size(item) + 100, "sessions/gsi2": capacity.item_size(item) + 100}


def test_reads_round_per_item_or_once_per_query():
    assert capacity.read_units([100], consistent=False) == 0.5
    assert capacity.read_units([5000], consistent=True) == 2
    assert capacity.read_units([3000, 3000], consistent=False) == 1.0  # one Query: 6 KB → 2 units / 2
    assert capacity.read_units([3000, 3000], consistent=False, rounded_once=False) == 1.0
    assert capacity.read_units([], consistent=False) == 0.5  # an empty Query pays the minimum
    assert capacity.read_units([100], consistent=True, transactional=True) == 2
