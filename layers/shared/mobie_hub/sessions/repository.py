"""OCPI Sessions in the ``sessions`` table (docs/dynamodb.md), beside the OCPP ``TX#`` facts.

| item | pk | sk | gsi1 | gsi2 | gsi3 |
|---|---|---|---|---|---|
| Session | ``SESSION#<id>`` | ``SESSION`` | ``PARTY#<emsp cc>#<emsp pid>`` / ``<last_updated>#<id>`` (only with an owner; ACTIVE: ``…#ACTIVE`` / ``<last_updated>#<id>#TX#<transaction id>``) | ``EVSE#<location id>#<evse uid>`` / ``<start_date_time>#<id>`` | ``cpo`` / ``gsi1sk`` (only with an owner and a CPO; ACTIVE: ``<cc>#<pid>#ACTIVE``) |

Beside ``doc`` (the Session) an item keeps ``status``, ``revision`` (every write is conditional on
the revision read: two messages cannot lose each other's update), ``meter`` (the periods so far, exact
Wh and seconds), ``transaction_id``, ``station_id``, ``invalid_reason``, ``max_power_w`` (the
EVSE's most power at the start: meter plausibility), ``owner`` (``<cc>#<pid>`` of the token's EMSP)
and ``cpo`` (``<cc>#<pid>`` of the station's CPO when the session was created; none on the hub's own
stations). Every index is keys-only: a keys-only entry costs nothing when its keys stay and 2 WRU
when they move, where an ALL one costs the session's size on every rewrite (twice when its key
moves). An ACTIVE session's readings are on its TX item (``running_meter``): it is served
with them, and listed from partitions of its own (``LIVE``) by the ``last_updated`` it is served
with, so its keys move only at state changes. A list (an EMSP's on gsi1, a CPO's on gsi3) is one
Query of keys that counts and pages merged with the party's ACTIVE sessions (a Query of their keys,
one BatchGetItem of their TX items), plus one BatchGetItem of the page (``core.listing``); the EVSE lookups
(gsi2) are one Query of keys plus one BatchGetItem of the sessions they need to look at. gsi3's keys
are ``cpo`` and gsi1's sort key, so the index adds no attribute to the item.

Functions for the commands module: ``open_pending_session``, ``get_session``,
``active_session_on_evse``, ``last_session_on_evse``, ``invalidate_pending_session``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from mobie_hub.core import documents, retry, transact
from mobie_hub.core.dynamodb import batch_get, table
from mobie_hub.core.keys import sortable_time, time_range_bounds
from mobie_hub.core.listing import ListIndex, LiveEntry, query_merged_page, read_back
from mobie_hub.core.observability import logger
from mobie_hub.core.paging import Page, PageRequest
from mobie_hub.core.settings import get_settings
from mobie_hub.core.tables import TABLES_BY_KEY
from mobie_hub.core.types import parse_datetime, utcnow
from mobie_hub.ocpp.ports import TokenRef
from mobie_hub.sessions import lifecycle, running_meter
from mobie_hub.sessions import transaction_repository as transactions
from mobie_hub.sessions.lifecycle import SessionRecord
from mobie_hub.sessions.models import Session, SessionStatus
from mobie_hub.sessions.periods import MeterState

TABLE = "sessions"
SK = "SESSION"
SESSION_ACTION = "session"  # the Session's name in a transaction (``put_action``)
_EVSE_LOOKBACK = 5  # newest sessions read on an EVSE: an ACTIVE one is among the last few
LIVE = "#ACTIVE"  # the list partitions (gsi1pk, gsi3's ``cpo``) of ACTIVE sessions end with it
_TX_MARK = "#TX#"  # an ACTIVE session's list sort key ends with its transaction: ``#TX#<id>``


def new_session_id() -> str:
    return str(uuid.uuid4())


def session_key(session_id: str) -> dict[str, str]:
    return {"pk": f"SESSION#{session_id}", "sk": SK}


def party_index(country_code: str, party_id: str) -> ListIndex:
    """The sessions list of one EMSP (gsi1, keys only: counts and pages; the items by BatchGetItem)."""
    return ListIndex(TABLE, f"PARTY#{country_code.upper()}#{party_id.upper()}", keys_index="gsi1", page_index="gsi1")


def cpo_index(country_code: str, party_id: str) -> ListIndex:
    """The sessions list of one CPO (gsi3, keys only: counts and pages; the items by BatchGetItem)."""
    return ListIndex(TABLE, f"{country_code.upper()}#{party_id.upper()}", keys_index="gsi3", page_index="gsi3")


def _evse_partition(location_id: str, evse_uid: str) -> str:
    return f"EVSE#{location_id}#{evse_uid}"


def session_item(record: SessionRecord, revision: int) -> dict[str, Any]:
    session = record.session
    item: dict[str, Any] = {
        **session_key(session.id),
        "doc": documents.encode(session),
        "status": session.status.value,
        "revision": revision,
        "last_updated": sortable_time(session.last_updated),
        "gsi2pk": _evse_partition(session.location_id, session.evse_uid),
        "gsi2sk": f"{sortable_time(session.start_date_time)}#{session.id}",
    }
    # An ACTIVE session is served with its running meter (its last_updated moves with every reading
    # while the item stays): it is listed from partitions of its own, read whole (``_live``).
    live = session.status is SessionStatus.ACTIVE and record.transaction_id is not None
    suffix = LIVE if live else ""
    if record.owner is not None:
        index = party_index(*record.owner)
        list_key = f"{item['last_updated']}#{session.id}" + (f"{_TX_MARK}{record.transaction_id}" if live else "")
        item.update(owner="#".join(record.owner), gsi1pk=index.partition + suffix, gsi1sk=list_key)
    if record.cpo is not None:  # on gsi3 (cpo / gsi1sk) only with an owner: a valid CdrToken
        item["cpo"] = cpo_index(*record.cpo).partition + suffix
    if record.meter is not None:
        item["meter"] = record.meter.to_json()
    for name in ("transaction_id", "station_id", "invalid_reason", "max_power_w"):
        if getattr(record, name) is not None:
            item[name] = getattr(record, name)
    return item


def party_attribute(value: object) -> str | None:
    """An item's ``owner`` or ``cpo`` as the party's ``PT#EDP`` (``cpo`` of an ACTIVE session: its
    list partition, ``PT#EDP#ACTIVE``)."""
    return str(value).removesuffix(LIVE) if value else None


def _party_of(value: object) -> tuple[str, str] | None:
    """``PT#EDP`` (an item's ``owner`` or ``cpo``) → ("PT", "EDP")."""
    party = party_attribute(value)
    if not party:
        return None
    country_code, party_id = party.split("#", 1)
    return country_code, party_id


def record_of(item: dict[str, Any]) -> SessionRecord:
    return SessionRecord(
        session=documents.decode(item, Session), owner=_party_of(item.get("owner")), cpo=_party_of(item.get("cpo")),
        meter=MeterState.from_json(item["meter"]) if item.get("meter") else None,
        transaction_id=int(item["transaction_id"]) if item.get("transaction_id") is not None else None,
        station_id=item.get("station_id"), invalid_reason=item.get("invalid_reason"),
        revision=int(item["revision"]),
        max_power_w=int(item["max_power_w"]) if item.get("max_power_w") is not None else None,
    )


def put_action(record: SessionRecord) -> transact.Action:
    """Write ``record`` as the next revision: a new item only if none exists (revision 0), else only
    if nobody wrote it since it was read."""
    if record.revision == 0:
        return transact.put(TABLE, session_item(record, 1), "attribute_not_exists(pk)", name=SESSION_ACTION)
    return transact.put(
        TABLE, session_item(record, record.revision + 1), "revision = :read", name=SESSION_ACTION,
        ExpressionAttributeValues={":read": record.revision},
    )


def get_stored_record(session_id: str) -> SessionRecord | None:
    """The Session item as written (strongly consistent): an ACTIVE one's meter as of the latest push
    window's first reading (``sessions.transactions``)."""
    item = table(TABLE).get_item(Key=session_key(session_id), ConsistentRead=True).get("Item")
    return record_of(item) if item else None


def get_record(session_id: str) -> SessionRecord | None:
    """The Session as it is now: an ACTIVE one with its transaction's running meter when newer (the
    readings since its latest write: one more GetItem, of the TX item)."""
    record = get_stored_record(session_id)
    return running_meter.current(record) if record else None


def get_session(session_id: str) -> Session | None:
    """The Session with that id (strongly consistent), or None."""
    record = get_record(session_id)
    return record.session if record else None


def _on_evse(location_id: str, evse_uid: str, limit: int) -> list[SessionRecord]:
    """The newest sessions on an EVSE (by start), newest first, as stored: one Query of gsi2's keys,
    then one BatchGetItem of those sessions (none when the EVSE has none). A session gone between
    the two is left out."""
    response = table(TABLE).query(
        IndexName="gsi2", KeyConditionExpression="gsi2pk = :p",
        ExpressionAttributeValues={":p": _evse_partition(location_id, evse_uid)},
        ScanIndexForward=False, Limit=limit,
    )
    return [record_of(item) for item in read_back(TABLE, response["Items"])]


def active_session_on_evse(location_id: str, evse_uid: str) -> Session | None:
    """The ACTIVE session on an EVSE (STOP_SESSION, busy checks), or None. A Query and a BatchGetItem."""
    recent = _on_evse(location_id, evse_uid, _EVSE_LOOKBACK)
    found = next((r for r in recent if r.status is SessionStatus.ACTIVE), None)
    return found.session if found else None


def last_session_on_evse(location_id: str, evse_uid: str) -> Session | None:
    """The latest session started on an EVSE, whatever its status, with its ``end_date_time`` if it
    ended (the 24-hour rule of UNLOCK_CONNECTOR). A Query and a BatchGetItem (of one item)."""
    found = _on_evse(location_id, evse_uid, 1)
    return found[0].session if found else None


def pending_on_evse(location_id: str, evse_uid: str, token: TokenRef) -> SessionRecord | None:
    """The PENDING session a START_SESSION left on this EVSE for this token, if any."""
    return next(
        (r for r in _on_evse(location_id, evse_uid, _EVSE_LOOKBACK)
         if r.status is SessionStatus.PENDING and r.owns(token)),
        None,
    )


def open_pending_session(
    location_id: str, evse_uid: str, connector_id: str, token: TokenRef,
    authorization_reference: str | None = None, now: datetime | None = None,
    operator: tuple[str, str] | None = None,
) -> Session:
    """A new PENDING session (a START_SESSION sent to the station); the StartTransaction that follows
    on this EVSE with this token adopts it (same id, ACTIVE). ``operator``: the Location's
    (country_code, party_id), the station's CPO unless it is the hub. One conditional Put."""
    hub = get_settings().hub
    record = lifecycle.pending(
        new_session_id(), (hub.country_code, hub.party_id), location_id, evse_uid, connector_id,
        token, authorization_reference, now or utcnow(), operator,
    )
    transact.write([put_action(record)])
    logger.info("session pending", session_id=record.session.id, location_id=location_id, evse_uid=evse_uid)
    return record.session


def invalidate_pending_session(
    session_id: str, reason: str = "START_SESSION failed", now: datetime | None = None
) -> bool:
    """A START_SESSION that failed: its PENDING session becomes INVALID (nothing stays PENDING forever).
    Returns False when the session is unknown or no longer PENDING (e.g. the station started it)."""

    def invalidate(_: retry.Attempt) -> bool:
        record = get_record(session_id)
        if record is None or record.status is not SessionStatus.PENDING:
            return False
        try:
            transact.write([put_action(lifecycle.invalidated(record, reason, now or utcnow()))])
        except transact.Cancelled as cancelled:
            if cancelled.condition_failed(SESSION_ACTION) or cancelled.conflict:
                raise retry.ReadAgain from None
            raise
        logger.info("pending session invalidated", session_id=session_id, reason=reason)
        return True

    return retry.optimistic(invalidate, gave_up=f"session {session_id} kept changing; not invalidated")


def sessions_page(country_code: str, party_id: str, page: PageRequest) -> Page[Session]:
    """One page of an EMSP's sessions by last_updated (date_from inclusive, date_to exclusive)."""
    return _page(party_index(country_code, party_id), page)


def cpo_sessions_page(country_code: str, party_id: str, page: PageRequest) -> Page[Session]:
    """One page of the sessions on a CPO's stations by last_updated (as ``sessions_page``)."""
    return _page(cpo_index(country_code, party_id), page)


def _live(index: ListIndex, page: PageRequest) -> tuple[list[LiveEntry], dict[str, dict[str, Any]]]:
    """The party's ACTIVE sessions served inside the page's range (by their running meter's time),
    and their TX items by Session pk: the ACTIVE partition's keys (a Query; stored keys after the
    range cannot be served inside it: a running meter only moves a session later) and one
    BatchGetItem (per 100) of their TX items."""
    low, high = time_range_bounds(page.date_from, page.date_to)
    live = ListIndex(index.table_key, index.partition + LIVE, index.keys_index, index.page_index)
    partition, sort = _list_keys(live)
    query: dict[str, Any] = {
        "IndexName": live.page_index, "KeyConditionExpression": f"{partition} = :p AND {sort} <= :high",
        "ExpressionAttributeValues": {":p": live.partition, ":high": high},
    }
    entries: list[dict[str, Any]] = []
    while True:
        response = table(TABLE).query(**query)
        entries.extend(response["Items"])
        if "LastEvaluatedKey" not in response:
            break
        query["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    marked = [(entry, entry[sort].rsplit(_TX_MARK, 1)) for entry in entries if _TX_MARK in entry[sort]]
    txs = {item["pk"]: item for item in batch_get(TABLE, [transactions.tx_key(int(tx)) for _, (_, tx) in marked])}
    found, served = [], {}
    for entry, (stored, transaction_id) in marked:
        stored_at, session_id = stored.split("#", 1)
        tx = txs.get(transactions.tx_key(int(transaction_id))["pk"])
        at = running_meter.served_time(parse_datetime(stored_at), tx) if tx else parse_datetime(stored_at)
        sort_key = f"{sortable_time(at)}#{session_id}"
        if low <= sort_key <= high:
            found.append(LiveEntry(sort_key, {"pk": entry["pk"], "sk": entry["sk"]}))
            if tx:
                served[entry["pk"]] = tx
    return found, served


def _list_keys(index: ListIndex) -> tuple[str, str]:
    spec = next(i for i in TABLES_BY_KEY[index.table_key].indexes if i.name == index.page_index)
    return spec.partition_key, spec.sort_key


def _page(index: ListIndex, page: PageRequest) -> Page[Session]:
    """A list page: the party's sessions by their stored ``last_updated`` (ended or PENDING) merged
    with its ACTIVE ones by their served one (``core.listing.query_merged_page``), each served with
    its running meter."""
    live, txs = _live(index, page)
    raw = query_merged_page(index, page, live)
    records = [record_of(item) for item in raw.items]
    served = [running_meter.current(r, txs[item["pk"]]) if item["pk"] in txs else r
              for r, item in zip(records, raw.items, strict=True)]
    return Page([r.session for r in served], raw.total, raw.next_cursor)
