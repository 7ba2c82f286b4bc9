"""OCPI list pages from a ``<last_updated>#<id>`` index: one Query a page when the client follows Link.

Each list table has gsi1 (ALL: the page) and gsi2 (KEYS_ONLY, same keys: counts and offset skips).
A list whose items are rewritten often may instead have one KEYS_ONLY index alone (``page_index`` =
``keys_index``, e.g. sessions): a page is then one Query of its keys and one BatchGetItem of
the items, read as they are now. The ``cursor`` the hub writes into ``Link`` carries the last key read
and the total, so every page after the first is exactly one Query (and that BatchGetItem); a page
asked for by a bare ``offset`` costs one extra keys-only Query to skip. The cursor is only trusted
for the offset it was issued for and its own partition. ``query_merged_page`` serves such an index
merged with entries the caller read itself (below).
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


# -- lists with live entries ----------------------------------------------------------------------
# A list whose items may be served newer than their index key says (e.g. an ACTIVE session, its
# ``last_updated`` its running meter's time) keeps those items out of the index's range partition,
# in a partition of their own the caller reads whole: ``query_merged_page`` serves the index's range
# and those *live* entries as one list in sort-key order. Its cursor carries, beside the index's start
# key, the sort key of the last item served (``m``), so a page resumes both at once.


@dataclass(frozen=True)
class LiveEntry:
    """An item listed beside the index: its list sort key as served (``<time>#<id>``, inside the
    page's range) and its table key (``pk``, ``sk``)."""

    sort_key: str
    key: dict[str, str]


def _decode_merged_cursor(
    cursor: str | None, page: PageRequest, source: ListIndex
) -> tuple[dict[str, Any] | None, int, str] | None:
    """A merged list's cursor (``_decode_cursor``'s checks, a start key that may be none yet, and
    the last sort key served inside the page's range)."""
    if not cursor:
        return None
    low, high = time_range_bounds(page.date_from, page.date_to)
    try:
        data = json_limits.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        key, total, at, served = data["k"], int(data["t"]), int(data["o"]), data["m"]
        partition, sort = _keys_of(source, source.page_index)
        valid = (
            at == page.offset and total >= 0 and isinstance(served, str) and low <= served <= high
            and (key is None or (
                set(key) == {"pk", "sk", partition, sort} and key[partition] == source.partition
                and all(isinstance(v, str) for v in key.values()) and low <= key[sort] <= served
            ))
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return (key, total, served) if valid else None


class _Merge:
    """The index's range (read a Query at a time, from ``start``) and the live entries after
    ``served``, consumed in sort-key order."""

    def __init__(self, source: ListIndex, page: PageRequest, live: list[LiveEntry],
                 start: dict[str, Any] | None, served: str) -> None:
        self.source, self.page = source, page
        self.partition, self.sort = _keys_of(source, source.page_index)
        self.live = [entry for entry in live if entry.sort_key > served]
        self.start = start  # the last index entry consumed (the next Query's ExclusiveStartKey)
        self.served = served
        self.buffered: list[dict[str, Any]] = []
        self.read_to: dict[str, Any] | None = start  # where the index was read up to
        self.exhausted = False

    def _fill(self, want: int) -> None:
        if self.buffered or self.exhausted:
            return
        condition, values = _condition(self.source, self.source.page_index, self.page)
        response = table(self.source.table_key).query(
            IndexName=self.source.page_index, KeyConditionExpression=condition, Limit=max(want, 1),
            ExpressionAttributeValues={":p": self.source.partition, **values},
            **({"ExclusiveStartKey": self.read_to} if self.read_to else {}),
        )
        self.buffered = list(response["Items"])
        self.read_to = response.get("LastEvaluatedKey")
        self.exhausted = self.read_to is None

    def take(self, count: int) -> list[dict[str, str]]:
        """The table keys of the next ``count`` items (fewer at the list's end)."""
        taken: list[dict[str, str]] = []
        while len(taken) < count:
            self._fill(count - len(taken))
            entry = self.buffered[0] if self.buffered else None
            live = self.live[0] if self.live else None
            if entry is None and live is None:
                break
            if live is None or (entry is not None and entry[self.sort] < live.sort_key):
                self.buffered.pop(0)
                self.start = {name: entry[name] for name in ("pk", "sk", self.partition, self.sort)}
                self.served = entry[self.sort]
                taken.append({"pk": entry["pk"], "sk": entry["sk"]})
            else:
                self.live.pop(0)
                self.served = live.sort_key
                taken.append(live.key)
        return taken

    @property
    def more(self) -> bool:
        return bool(self.buffered or self.live or not self.exhausted)


def query_merged_page(source: ListIndex, page: PageRequest, live: list[LiveEntry]) -> Page[dict[str, Any]]:
    """One page of the index's range (a keys-only index: ``source.keys_only_pages``) merged with
    ``live`` (entries inside the page's range, in any order): its items (one BatchGetItem, both
    kinds), the total (the index's count + the live entries) and the cursor of the next page. A page
    by a bare ``offset`` reads the keys before it (as ``query_page``)."""
    assert source.keys_only_pages, "live entries are merged by key: the pages must be read back"
    live = sorted(live, key=lambda entry: entry.sort_key)
    resumed = _decode_merged_cursor(page.cursor, page, source)
    if resumed:
        start, total, served = resumed
        merge = _Merge(source, page, live, start, served)
    else:
        total = count(source, page) + len(live)
        if page.offset >= total:
            return Page([], total)
        merge = _Merge(source, page, live, None, "")
        if len(merge.take(page.offset)) < page.offset:  # the list shrank since it was counted
            return Page([], total)
    keys = merge.take(page.limit)
    items = read_back(source.table_key, keys)
    next_offset = page.offset + len(keys)
    cursor = None
    if merge.more and next_offset < total:
        raw = {"k": merge.start, "t": total, "o": next_offset, "m": merge.served}
        cursor = base64.urlsafe_b64encode(json.dumps(raw, separators=(",", ":")).encode()).decode().rstrip("=")
    return Page(items, total, cursor)
