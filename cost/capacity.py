"""DynamoDB on-demand units from item sizes, by AWS's published rules (moto reports no real capacity:
its ``ConsumedCapacity`` is a constant, so the units are computed here from the items themselves).

- Item size: the attribute names' UTF-8 bytes plus the values' (string: UTF-8 bytes; number: about
  one byte per two significant digits, plus one; binary: its bytes; boolean/null: 1; list/map: 3 +
  1 per element + the elements; sets: the elements) — "Item sizes and formats", DynamoDB guide.
- A write: 1 WRU per started KB of the larger of the old and new item (a delete: the old item; a
  write that changes nothing or fails its condition still pays at least 1). Transactional: 2 WRU per KB.
- A global secondary index: its entry is the projected attributes plus the table's and the index's
  keys. A write that puts an item into the index, takes it out, or changes a projected attribute
  costs 1 WRU per KB of the entry; one that changes the index's key costs 2 (delete + put). Index
  propagation is asynchronous even for a transaction, so index writes are billed as standard writes.
- A read: 1 RRU per started 4 KB (strongly consistent), half that eventually consistent, 2 for a
  transactional read; a Query adds up the sizes of the items it reads (on an index, their entries)
  and rounds once; an empty Query or a missing item still pays the minimum.
- Storage: the item plus 100 bytes of overhead; each index entry plus 100 bytes.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mobie_hub.core.tables import TableSpec

Item = Mapping[str, Any]  # the low-level (wire) form: {"name": {"S": "…"}}

KB = 1024
READ_UNIT_BYTES = 4 * KB
STORAGE_OVERHEAD = 100


def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").lstrip("0").rstrip("0") or "0"
    return math.ceil(len(digits) / 2) + 1


def value_size(value: Mapping[str, Any]) -> int:
    (kind, inner), = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return _number_size(inner)
    if kind == "B":
        return len(base64.b64decode(inner)) if isinstance(inner, str) else len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in inner)
    if kind == "NS":
        return sum(_number_size(n) for n in inner)
    if kind == "BS":
        return sum(len(base64.b64decode(b)) if isinstance(b, str) else len(b) for b in inner)
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in inner)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + value_size(element) for name, element in inner.items())
    raise ValueError(f"unknown DynamoDB attribute type {kind!r}")


def item_size(item: Item | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def index_entry(spec: TableSpec, index_name: str, item: Item | None) -> dict[str, Any] | None:
    """The item's entry in a global secondary index, or None when the item is not in it (a sparse
    index: an item without both index keys has no entry)."""
    if not item:
        return None
    index = next(i for i in spec.indexes if i.name == index_name)
    if index.partition_key not in item or index.sort_key not in item:
        return None
    if index.projection == "ALL":
        return dict(item)
    keys = {spec.partition_key, spec.sort_key, index.partition_key, index.sort_key}
    return {name: value for name, value in item.items() if name in keys}


@dataclass(frozen=True)
class Units:
    """Units of one request, by where they are billed: ``table`` or ``table/index``."""

    write: dict[str, float]
    read: dict[str, float]
    storage: dict[str, int]  # bytes added (negative: removed), overhead included


def _key_of(spec: TableSpec, index_name: str, entry: Mapping[str, Any]) -> tuple:
    index = next(i for i in spec.indexes if i.name == index_name)
    return (entry.get(index.partition_key), entry.get(index.sort_key))


def write_units(spec: TableSpec, old: Item | None, new: Item | None, *, transactional: bool = False) -> Units:
    """One item written (put, update or delete) from ``old`` to ``new`` (None: absent)."""
    factor = 2 if transactional else 1
    size = max(item_size(old), item_size(new))
    write = {spec.key: factor * max(1, math.ceil(size / KB))}
    storage = {spec.key: _stored(new) - _stored(old)}
    for index in spec.indexes:
        where = f"{spec.key}/{index.name}"
        before, after = index_entry(spec, index.name, old), index_entry(spec, index.name, new)
        units = 0
        if before is not None and after is not None:
            if _key_of(spec, index.name, before) != _key_of(spec, index.name, after):
                units = math.ceil(item_size(before) / KB) + math.ceil(item_size(after) / KB)
            elif before != after:
                units = math.ceil(max(item_size(before), item_size(after)) / KB)
        elif before is not None or after is not None:
            units = math.ceil(item_size(before or after) / KB)
        if units:
            write[where] = units
        delta = _stored(after) - _stored(before)
        if delta:
            storage[where] = delta
    return Units(write=write, read={}, storage=storage)


def _stored(item: Item | None) -> int:
    return item_size(item) + STORAGE_OVERHEAD if item else 0


def read_units(sizes: list[int], *, consistent: bool, transactional: bool = False, rounded_once: bool = True) -> float:
    """Read units for the items read by one request: a Query rounds their total once (``rounded_once``),
    GetItem/BatchGetItem/TransactGetItems round each item."""
    per_unit = 2.0 if transactional else 1.0 if consistent else 0.5
    if rounded_once:
        return per_unit * max(1, math.ceil(sum(sizes) / READ_UNIT_BYTES))
    return per_unit * sum(max(1, math.ceil(size / READ_UNIT_BYTES)) for size in sizes or [0])
