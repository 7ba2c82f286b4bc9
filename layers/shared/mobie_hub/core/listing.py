"""OCPI list pages from a ``<last_updated>#<id>`` index: one Query a page when the client follows Link.

Each list table has gsi1 (ALL: the page) and gsi2 (KEYS_ONLY, same keys: counts and offset skips).
A list whose items are rewritten often may instead have one KEYS_ONLY index alone (``page_index`` =
``keys_index``, e.g. sessions): a page is then one Query of its keys and one BatchGetItem of
the items, read as they are now. The ``cursor`` the hub writes into ``Link`` carries the last key read
and the total, so every page after the first is exactly one Query (and that BatchGetItem); a page
asked for by a bare ``offset`` costs one extra keys-only Query to skip. The cursor is only trusted
for the offset it was issued for and its own partition.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from mobie_hub.core import json_limits
from mobie_hub.core.dynamodb import batch_get, table
from mobie_hub.core.keys import time_range_bounds
from mobie_hub.core.paging import Page, PageRequest
from mobie_hub.core.tables import TABLES_BY_KEY


@dataclass(frozen=True)
class ListIndex:
    table_key: str
    partition: str  # the index partition key's value (gsi1pk / gsi2pk …) of every listed item
    keys_index: str = "gsi2"  # the KEYS_ONLY index with gsi1's keys
    page_index: str = "gsi1"  # ALL; or ``keys_index`` itself: pages read back with BatchGetItem

    @property
    def keys_only_pages(self) -> bool:
        return self.page_index == self.keys_index


def _encode_cursor(last_key: dict[str, Any], total: int, offset: int) -> str:
    raw = json.dumps({"k": last_key, "t": total, "o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _keys_of(source: ListIndex, index: str) -> tuple[str, str]:
    """The (partition, sort) key attributes of one of the list table's indexes."""
    spec = next(i for i in TABLES_BY_KEY[source.table_key].indexes if i.name == index)
    return spec.partition_key, spec.sort_key


def _decode_cursor(
    cursor: str | None, page: PageRequest, source: ListIndex
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
        partition, sort = _keys_of(source, source.page_index)
        valid = (
            at == page.offset and total >= 0 and set(key) == {"pk", "sk", partition, sort}
            and key[partition] == source.partition
            and all(isinstance(v, str) for v in key.values()) and low <= key[sort] <= high
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return (key, total) if valid else None


def _condition(source: ListIndex, index: str, page: PageRequest) -> tuple[str, dict[str, str]]:
    low, high = time_range_bounds(page.date_from, page.date_to)
    partition, sort = _keys_of(source, index)
    return f"{partition} = :p AND {sort} BETWEEN :low AND :high", {":low": low, ":high": high}


def _keys_query(source: ListIndex, page: PageRequest, **extra: Any) -> dict[str, Any]:
    condition, values = _condition(source, source.keys_index, page)
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
    """The page index's start key after ``page.offset`` items (read from the keys-only index), or None
    when fewer items than that exist (the list shrank since it was counted)."""
    remaining, start = page.offset, None
    while remaining > 0:
        response = _keys_query(source, page, Limit=remaining, **({"ExclusiveStartKey": start} if start else {}))
        remaining -= response["Count"]
        start = response.get("LastEvaluatedKey")
        if not start:
            return None
    (keys_partition, keys_sort), (partition, sort) = (_keys_of(source, source.keys_index),
                                                      _keys_of(source, source.page_index))
    return {"pk": start["pk"], "sk": start["sk"], partition: start[keys_partition], sort: start[keys_sort]}


def read_back(table_key: str, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keys-only index entries → their items, in the entries' order (one BatchGetItem; none for no
    entries). An item gone meanwhile is left out; one rewritten meanwhile is returned as it is now."""
    keys = [{"pk": entry["pk"], "sk": entry["sk"]} for entry in entries]
    found = {(item["pk"], item["sk"]): item for item in batch_get(table_key, keys)}
    return [found[k] for k in ((key["pk"], key["sk"]) for key in keys) if k in found]


def _items_of(source: ListIndex, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A page's entries → its items: the entries themselves from an ALL index, else ``read_back``."""
    return read_back(source.table_key, entries) if source.keys_only_pages else entries


def query_page(source: ListIndex, page: PageRequest) -> Page[dict[str, Any]]:
    """The items of one page (raw DynamoDB items), the total, and the cursor of the next page."""
    resumed = _decode_cursor(page.cursor, page, source)
    if resumed:
        start, total = resumed
    else:
        total = count(source, page)
        start = _skip(source, page) if 0 < page.offset < total else None
        if page.offset >= total or (page.offset and start is None):
            return Page([], total)
    condition, values = _condition(source, source.page_index, page)
    response = table(source.table_key).query(
        IndexName=source.page_index, KeyConditionExpression=condition, Limit=page.limit,
        ExpressionAttributeValues={":p": source.partition, **values},
        **({"ExclusiveStartKey": start} if start else {}),
    )
    entries = response["Items"]
    items = _items_of(source, entries)
    last = response.get("LastEvaluatedKey")
    next_offset = page.offset + len(entries)
    cursor = _encode_cursor(last, total, next_offset) if last and next_offset < total else None
    return Page(items, total, cursor)
