"""CDRs in the ``cdrs`` table (docs/dynamodb.md).

Item: pk=``CDR#<id>``, sk=``CDR``, ``doc`` (the MobieCdr), ``session_id``, ``last_updated``, and the
list keys gsi1 (ALL) / gsi2 (KEYS_ONLY, counts) = ``PARTY#<emsp cc>#<emsp pid>`` / ``<last_updated>#<id>``;
a CDR of a session on a CPO's station also keeps ``cpo`` (``<cc>#<pid>``, copied from the session),
the partition key of gsi3 (KEYS_ONLY, sort key ``gsi2sk``: counts and pages, the items by BatchGetItem).

Exactly once: a CDR's id is derived from its session's (``cdr_id_for``) and written with
``attribute_not_exists(pk)``, so a completion event delivered twice cannot create a second CDR.

Credited once: a credit CDR (``cdrs/credit.py``) is a CDR item of its own, stored in one transaction
with the mark ``credited_by`` (its id) and ``credited_at`` on the CDR it credits; the mark is not part
of the CDR document (a CDR never changes once sent), so the stream sees no new CDR in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mobie_hub.cdrs.models import MobieCdr
from mobie_hub.core import documents, transact
from mobie_hub.core.dynamodb import table
from mobie_hub.core.errors import ConflictingWrite, NotFound
from mobie_hub.core.keys import sortable_time
from mobie_hub.core.listing import ListIndex, query_page
from mobie_hub.core.paging import Page, PageRequest

TABLE = "cdrs"
SK = "CDR"


def cdr_id_for(session_id: str) -> str:
    """The id of a session's CDR: the session id itself (one CDR per session; CiString36 fits the
    CDR's CiString39), so any process creating it picks the same key."""
    return session_id


def party_index(country_code: str, party_id: str) -> ListIndex:
    return ListIndex(TABLE, f"PARTY#{country_code.upper()}#{party_id.upper()}")


def cpo_index(country_code: str, party_id: str) -> ListIndex:
    """The CDRs of one CPO's stations (gsi3, keys only)."""
    return ListIndex(TABLE, f"{country_code.upper()}#{party_id.upper()}", keys_index="gsi3", page_index="gsi3")


def cdr_key(cdr_id: str) -> dict[str, str]:
    return {"pk": f"CDR#{cdr_id}", "sk": SK}


def cdr_item(cdr: MobieCdr, cpo: tuple[str, str] | None = None) -> dict[str, Any]:
    """The CDR's item; ``cpo`` (country_code, party_id): the CPO of its session's station, if any."""
    index = party_index(cdr.cdr_token.country_code or "", cdr.cdr_token.party_id or "")
    last_updated = sortable_time(cdr.last_updated)
    list_key = f"{last_updated}#{cdr.id}"
    item = {
        **cdr_key(cdr.id),
        "doc": documents.encode(cdr),
        "session_id": cdr.session_id,
        "last_updated": last_updated,
        "gsi1pk": index.partition, "gsi1sk": list_key,
        "gsi2pk": index.partition, "gsi2sk": list_key,
    }
    if cpo is not None:  # gsi3: cpo / gsi2sk
        item["cpo"] = cpo_index(*cpo).partition
    return item


def cpo_of(item: dict[str, Any]) -> tuple[str, str] | None:
    """The ``cpo`` an item keeps (``PT#GLP``) as (country_code, party_id)."""
    if not item.get("cpo"):
        return None
    country_code, party_id = str(item["cpo"]).split("#", 1)
    return country_code, party_id


def create_cdr(cdr: MobieCdr, cpo: tuple[str, str] | None = None) -> bool:
    """Store a new CDR (``cpo``: its session's); False (and nothing written) when one with that id exists."""
    client = table(TABLE).meta.client
    try:
        table(TABLE).put_item(Item=cdr_item(cdr, cpo), ConditionExpression="attribute_not_exists(pk)")
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def get_cdr(cdr_id: str) -> MobieCdr | None:
    item = table(TABLE).get_item(Key=cdr_key(cdr_id), ConsistentRead=True).get("Item")
    return documents.decode(item, MobieCdr) if item else None


def cdrs_page(country_code: str, party_id: str, page: PageRequest) -> Page[MobieCdr]:
    """One page of an EMSP's CDRs by last_updated (date_from inclusive, date_to exclusive)."""
    return _page(party_index(country_code, party_id), page)


def cpo_cdrs_page(country_code: str, party_id: str, page: PageRequest) -> Page[MobieCdr]:
    """One page of the CDRs of a CPO's stations by last_updated (as ``cdrs_page``)."""
    return _page(cpo_index(country_code, party_id), page)


def _page(index: ListIndex, page: PageRequest) -> Page[MobieCdr]:
    raw = query_page(index, page)
    return Page([documents.decode(i, MobieCdr) for i in raw.items], raw.total, raw.next_cursor)


@dataclass(frozen=True)
class CdrRecord:
    """A stored CDR with its credit mark: ``credited_by`` is the id of the credit CDR that credits it;
    ``cpo``: the CPO of its session's station (a credit CDR goes to it too)."""

    cdr: MobieCdr
    credited_by: str | None = None
    credited_at: str | None = None
    cpo: tuple[str, str] | None = None


class AlreadyCreditedMark(Exception):
    """The CDR carries a credit mark already (raised by ``store_credit``; the caller says it to the user)."""

    def __init__(self, credited_by: str, credited_at: str | None) -> None:
        super().__init__(f"credited by {credited_by}")
        self.credited_by = credited_by
        self.credited_at = credited_at


def get_cdr_record(cdr_id: str) -> CdrRecord | None:
    item = table(TABLE).get_item(Key=cdr_key(cdr_id), ConsistentRead=True).get("Item")
    if item is None:
        return None
    return CdrRecord(
        documents.decode(item, MobieCdr), item.get("credited_by"), item.get("credited_at"), cpo_of(item)
    )


def store_credit(credit: MobieCdr, *, credited_at: datetime, cpo: tuple[str, str] | None = None) -> None:
    """Store the credit CDR and mark the CDR it credits (``credit_reference_id``), in one transaction:
    either both are written or neither. The mark's condition refuses a second credit, also one racing
    this one (``AlreadyCreditedMark``); a CDR gone meanwhile is NotFound. ``cpo``: the credited CDR's."""
    original = credit.credit_reference_id
    if not credit.credit or original is None:
        raise ValueError("store_credit stores credit CDRs only (credit: true, credit_reference_id)")
    try:
        transact.write([
            transact.put(TABLE, cdr_item(credit, cpo), "attribute_not_exists(pk)", name="credit"),
            transact.update(
                TABLE, cdr_key(original), "SET credited_by = :by, credited_at = :at",
                "attribute_exists(pk) AND attribute_not_exists(credited_by)", name="credited",
                return_old=True,
                ExpressionAttributeValues={":by": credit.id, ":at": sortable_time(credited_at)},
            ),
        ])
    except transact.Cancelled as cancelled:
        if cancelled.condition_failed("credited"):
            found = cancelled.item("credited")
            if found is None:
                raise NotFound(f"no CDR {original}") from None
            raise AlreadyCreditedMark(str(found["credited_by"]), found.get("credited_at")) from None
        # The credit's fresh id taken, or another transaction writing one of its items: none written.
        raise ConflictingWrite(f"crediting CDR {original} met a concurrent write; try again") from None


# --- CDR deliveries (cdrs/delivery.py): one item per (CDR, recipient: the EMSP, the CPO) ------------
# pk=``DELIVERY#<cdr id>``, sk=the recipient's party key; an undelivered one is also on gsi1 under
# ``DELIVERY#PENDING`` (sk ``<next attempt>#<cdr id>``, the sweep's queue) or ``DELIVERY#FAILED`` (sk
# ``<last attempt>#<cdr id>``, the operator's list); a delivered one leaves gsi1 (sparse). The key
# prefix is not ``CDR#``, so the cdrs stream's Pipe filter and converter pass these items by.

DELIVERY_FIELDS = (
    "cdr_id", "party", "status", "attempts", "next_attempt_at", "last_attempt_at", "last_error",
)


def delivery_key(cdr_id: str, party_key: str) -> dict[str, str]:
    return {"pk": f"DELIVERY#{cdr_id}", "sk": party_key}


def get_delivery(cdr_id: str, party_key: str) -> dict[str, Any] | None:
    item = table(TABLE).get_item(Key=delivery_key(cdr_id, party_key), ConsistentRead=True).get("Item")
    return {k: item[k] for k in DELIVERY_FIELDS if k in item} if item else None


def put_delivery(record: dict[str, Any], queue: str | None, queue_time: str | None) -> None:
    """Store a delivery record; ``queue`` (PENDING, FAILED or None) puts it on that gsi1 list."""
    item = {**delivery_key(record["cdr_id"], record["party"]), **record}
    if queue is not None:
        item |= {"gsi1pk": f"DELIVERY#{queue}", "gsi1sk": f"{queue_time}#{record['cdr_id']}"}
    table(TABLE).put_item(Item={k: v for k, v in item.items() if v is not None})


def deliveries_in(queue: str, until: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """The delivery records on a gsi1 list, oldest first; ``until`` bounds the time (inclusive)."""
    condition = "gsi1pk = :pk" + (" AND gsi1sk <= :until" if until else "")
    values = {":pk": f"DELIVERY#{queue}"} | ({":until": f"{until}#\uffff"} if until else {})
    items = table(TABLE).query(
        IndexName="gsi1", KeyConditionExpression=condition, ExpressionAttributeValues=values, Limit=limit
    )["Items"]
    return [{k: item[k] for k in DELIVERY_FIELDS if k in item} for item in items]


def deliveries_of(cdr_id: str) -> list[dict[str, Any]]:
    """Every delivery record of one CDR (one per party it was pushed to: its EMSP, its CPO)."""
    items = table(TABLE).query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"DELIVERY#{cdr_id}"},
        ConsistentRead=True,
    )["Items"]
    return [{k: item[k] for k in DELIVERY_FIELDS if k in item} for item in items]
