"""Credentials tokens the hub issued (token A for registration, token C for registered parties).

Only a SHA-256 of each token is stored: the tokens are random UUIDs (122 bits), so a fast hash is
enough, and a leaked table does not leak working credentials. One GetItem resolves a request's token.

Item: pk=``TOKEN#<sha256>``, sk=``TOKEN``; role, country_code, party_id, kind, party_key, issued_at,
and on a token A ``failed_registrations`` (issue #12: a token A is burnt after a few failed POSTs).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from mobie_hub.core.context import Caller
from mobie_hub.core.dynamodb import table
from mobie_hub.core.types import format_datetime, utcnow

SK = "TOKEN"
# A token A is revoked after this many failed credentials POSTs: a hostile holder cannot use the
# hub's read-back as a probe (of ports, of hosts) more than a few times; the operator invites again.
MAX_FAILED_REGISTRATIONS = 3


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_pk(token: str) -> str:
    return f"TOKEN#{hash_token(token)}"


def party_key(role: str, country_code: str, party_id: str) -> str:
    """The key of a party's credentials record: one per (role, country_code, party_id) (profile §2)."""
    return f"PARTY#{role}#{country_code.upper()}#{party_id.upper()}"


def new_token() -> str:
    """A fresh credentials token. UUIDs contain '-', so a plain token never parses as base64."""
    return str(uuid.uuid4())


def token_item(token: str, *, role: str, country_code: str, party_id: str, kind: str) -> dict[str, Any]:
    """The item that maps a token to its party (also used inside transactions by the credentials logic)."""
    return token_item_for_hash(
        hash_token(token), role=role, country_code=country_code, party_id=party_id, kind=kind
    )


def token_item_for_hash(
    token_hash: str,
    *,
    role: str,
    country_code: str,
    party_id: str,
    kind: str,
    key: str | None = None,
    cert_fingerprints: list[str] | tuple[str, ...] = (),
) -> dict[str, Any]:
    """The token item by the token's hash. ``key`` overrides the party key (a registration in progress
    has no identity yet); ``cert_fingerprints`` are copied from the party so that one GetItem
    authenticates a request and tells which client certificates may carry it (profile §2)."""
    return {
        "pk": f"TOKEN#{token_hash}",
        "sk": SK,
        "kind": kind,
        "role": role,
        "country_code": country_code.upper(),
        "party_id": party_id.upper(),
        "party_key": key or party_key(role, country_code, party_id),
        "cert_fingerprints": list(cert_fingerprints),
        "issued_at": format_datetime(utcnow()),
    }


def store_token(token: str, *, role: str, country_code: str, party_id: str, kind: str) -> None:
    table("parties").put_item(
        Item=token_item(token, role=role, country_code=country_code, party_id=party_id, kind=kind),
        ConditionExpression="attribute_not_exists(pk)",
    )


def find_caller(token: str) -> Caller | None:
    """The party a token belongs to, or None. Strongly consistent: a token works right after issue."""
    item = table("parties").get_item(Key={"pk": token_pk(token), "sk": SK}, ConsistentRead=True).get("Item")
    if item is None:
        return None
    return Caller(
        party_key=item["party_key"],
        role=item["role"],
        country_code=item["country_code"],
        party_id=item["party_id"],
        token_kind=item["kind"],
        cert_fingerprints=frozenset(item.get("cert_fingerprints") or ()),
        token=token,
    )
