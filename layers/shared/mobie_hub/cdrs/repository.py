"""CDRs in the ``cdrs`` table (docs/dynamodb.md).

Item: pk=``CDR#<id>``, sk=``CDR``, ``doc`` (the MobieCdr), ``session_id``, ``last_updated``, and the
list keys gsi1 (ALL) / gsi2 (KEYS_ONLY, counts) = ``PARTY#<emsp cc>#<emsp pid>`` / ``<last_updated>#<id>``.

Exactly once: a CDR's id is derived from its session's (``cdr_id_for``) and written with
``attribute_not_exists(pk)``, so a completion event delivered twice cannot create a second CDR.
"""

from __future__ import annotations

from typing import Any

from mobie_hub.cdrs.models import MobieCdr
from mobie_hub.core import documents
from mobie_hub.core.dynamodb import table
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


def cdr_key(cdr_id: str) -> dict[str, str]:
    return {"pk": f"CDR#{cdr_id}", "sk": SK}


def cdr_item(cdr: MobieCdr) -> dict[str, Any]:
    index = party_index(cdr.cdr_token.country_code or "", cdr.cdr_token.party_id or "")
    last_updated = sortable_time(cdr.last_updated)
    list_key = f"{last_updated}#{cdr.id}"
    return {
        **cdr_key(cdr.id),
        "doc": documents.encode(cdr),
        "session_id": cdr.session_id,
        "last_updated": last_updated,
        "gsi1pk": index.partition, "gsi1sk": list_key,
        "gsi2pk": index.partition, "gsi2sk": list_key,
    }


def create_cdr(cdr: MobieCdr) -> bool:
    """Store a new CDR; False (and nothing written) when a CDR with that id exists already."""
    client = table(TABLE).meta.client
    try:
        table(TABLE).put_item(Item=cdr_item(cdr), ConditionExpression="attribute_not_exists(pk)")
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def get_cdr(cdr_id: str) -> MobieCdr | None:
    item = table(TABLE).get_item(Key=cdr_key(cdr_id), ConsistentRead=True).get("Item")
    return documents.decode(item, MobieCdr) if item else None


def cdrs_page(country_code: str, party_id: str, page: PageRequest) -> Page[MobieCdr]:
    """One page of an EMSP's CDRs by last_updated (date_from inclusive, date_to exclusive)."""
    raw = query_page(party_index(country_code, party_id), page)
    return Page([documents.decode(i, MobieCdr) for i in raw.items], raw.total, raw.next_cursor)
