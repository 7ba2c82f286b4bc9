"""OCPI list pages from a ``<last_updated>#<id>`` index: one Query a page when the client follows Link.

Each list table has gsi1 (ALL: the page) and gsi2 (KEYS_ONLY, same keys: counts and offset skips).
The ``cursor`` the hub writes into ``Link`` carries the last key read and the total, so every page
after the first is exactly one Query; a page asked for by a bare ``offset`` costs one extra keys-only
Query to skip. The cursor is only trusted for the offset it was issued for and its own partition.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from mobie_hub.core import json_limits
from mobie_hub.core.dynamodb import table
from mobie_hub.core.keys import time_range_bounds
from mobie_hub.core.paging import Page, PageRequest


@dataclass(frozen=True)
class ListIndex:
    table_key: str
    partition: str  # the gsi1pk / gsi2pk value of every listed item
    keys_index: str = "gsi2"  # the KEYS_ONLY index with gsi1's keys (sessions use gsi2 for EVSEs: gsi3)


def _encode_cursor(last_key: dict[str, Any], total: int, offset: int) -> str:
    raw = json.dumps({"k": last_key, "t": total, "o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_START_KEY = frozenset({"pk", "sk", "gsi1pk", "gsi1sk"})  # what a gsi1 Query's LastEvaluatedKey holds


def _decode_cursor(
    cursor: str | None, page: PageRequest, partition: str
) -> tuple[dict[str, Any], int] | None:
    """The start key and total a cursor carries, if it can be one this list wrote for this page: the
    right offset, partition and key shape, its sort key inside the page's date range. DynamoDB refuses
    an ExclusiveStartKey of another shape or outside the key condition (a ValidationException, which
    would be a 500), so anything else is ignored and the page is found by offset."""
    if not cursor:
        return None
    low, high = time_range_bounds(page.date_from, page.date_to)
    try:
        # The cursor comes back from the client: read within limits (a deep one is just unreadable).
        data = json_limits.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        key, total, at = data["k"], int(data["t"]), int(data["o"])
        valid = (
            at == page.offset and total >= 0 and set(key) == _START_KEY and key["gsi1pk"] == partition
            and all(isinstance(v, str) for v in key.values()) and low <= key["gsi1sk"] <= high
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return (key, total) if valid else None


def _condition(index: str, page: PageRequest) -> tuple[str, dict[str, str]]:
    low, high = time_range_bounds(page.date_from, page.date_to)
    return (
        f"{index}pk = :p AND {index}sk BETWEEN :low AND :high",
        {":low": low, ":high": high},
    )


def _keys_query(source: ListIndex, page: PageRequest, **extra: Any) -> dict[str, Any]:
    condition, values = _condition(source.keys_index, page)
    return table(source.table_key).query(
        IndexName=source.keys_index, KeyConditionExpression=condition,
        ExpressionAttributeValues={":p": source.partition, **values}, **extra,
    )


def count(source: ListIndex, page: PageRequest) -> int:
    total, start = 0, None
    while True:
        response = _keys_query(source, page, Select="COUNT", **({"ExclusiveStartKey": start} if start else {}))
        total += response["Count"]
        start = response.get("LastEvaluatedKey")
        if not start:
            return total


def _skip(source: ListIndex, page: PageRequest) -> dict[str, Any] | None:
    """The gsi1 start key after ``page.offset`` items (read from the keys-only index), or None when
    fewer items than that exist (the list shrank since it was counted)."""
    remaining, start = page.offset, None
    while remaining > 0:
        response = _keys_query(source, page, Limit=remaining, **({"ExclusiveStartKey": start} if start else {}))
        remaining -= response["Count"]
        start = response.get("LastEvaluatedKey")
        if not start:
            return None
    keys = source.keys_index
    return {"pk": start["pk"], "sk": start["sk"], "gsi1pk": start[f"{keys}pk"], "gsi1sk": start[f"{keys}sk"]}


def query_page(source: ListIndex, page: PageRequest) -> Page[dict[str, Any]]:
    """The items of one page (raw DynamoDB items), the total, and the cursor of the next page."""
    resumed = _decode_cursor(page.cursor, page, source.partition)
    if resumed:
        start, total = resumed
    else:
        total = count(source, page)
        start = _skip(source, page) if 0 < page.offset < total else None
        if page.offset >= total or (page.offset and start is None):
            return Page([], total)
    condition, values = _condition("gsi1", page)
    response = table(source.table_key).query(
        IndexName="gsi1", KeyConditionExpression=condition, Limit=page.limit,
        ExpressionAttributeValues={":p": source.partition, **values},
        **({"ExclusiveStartKey": start} if start else {}),
    )
    items = response["Items"]
    last = response.get("LastEvaluatedKey")
    next_offset = page.offset + len(items)
    cursor = _encode_cursor(last, total, next_offset) if last and next_offset < total else None
    return Page(items, total, cursor)
