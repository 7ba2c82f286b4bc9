"""The EMSPs' tokens — MOBI.E's whitelist — in the ``tokens`` table (docs/dynamodb.md, profile §10).

For the OCPP gateway (Authorize, StartTransaction, StopTransaction)::

    from mobie_hub.repositories.tokens import find_by_id_tag
    stored = find_by_id_tag(id_tag)          # one Query on gsi1; None when no token has that idTag
    stored.token                             # the OCPI Token as the EMSP sent it
    stored.country_code, stored.party_id     # its owner, the EMSP (party key: stored.owner_party_key)
    authorization_status(stored.token if stored else None)   # mobie_hub.logic.tokens

and for RemoteStartTransaction ``mobie_hub.logic.tokens.id_tag_for(token)`` gives the idTag to send.
An RFID token's idTag is its uid; an APP_USER / AD_HOC_USER token's is derived from its key
(``logic.tokens.derive_id_tag``). idTags are case-insensitive (OCPP CiString20): keys are upper-cased.

Item: pk=``TOKEN#<CC>#<PID>#<TYPE>#<UID>``, sk=``TOKEN``, ``doc`` (the Token), ``id_tag``, ``last_updated``
(sortable); gsi1pk=``IDTAG#<id tag>`` / gsi1sk=``<CC>#<PID>#<TYPE>#<UID>`` (idTag → token);
gsi2pk=``PARTY#<CC>#<PID>`` / gsi2sk=``<last_updated>#<TYPE>#<UID>`` (a party's tokens, pull sync).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mobie_hub.errors import ConflictingWrite
from mobie_hub.logic.tokens import id_tag_for, normalize_id_tag
from mobie_hub.models.common import TokenType
from mobie_hub.models.tokens import Token
from mobie_hub.observability import logger
from mobie_hub.repositories import documents
from mobie_hub.repositories.credentials_tokens import party_key
from mobie_hub.repositories.dynamodb import table
from mobie_hub.repositories.keys import sortable_time

SK = "TOKEN"
TABLE = "tokens"


@dataclass(frozen=True)
class TokenKey:
    """The OCPI identity of a token: owner, type and uid (mod_tokens: uid + type unique per eMSP)."""

    country_code: str
    party_id: str
    type: TokenType
    uid: str

    @classmethod
    def of(cls, token: Token) -> TokenKey:
        return cls(token.country_code, token.party_id, TokenType(token.type), token.uid)

    @property
    def normalized(self) -> str:
        """``CC#PID#TYPE#UID``, upper-cased: every part is a CiString (case-insensitive)."""
        return "#".join((self.country_code.upper(), self.party_id.upper(), self.type.value, self.uid.upper()))

    @property
    def pk(self) -> str:
        return f"TOKEN#{self.normalized}"

    @property
    def owner(self) -> str:
        """``CC/PID`` of the owning party, upper-cased."""
        return f"{self.country_code.upper()}/{self.party_id.upper()}"

    def __str__(self) -> str:
        return f"{self.owner}/{self.type.value}/{self.uid}"


@dataclass(frozen=True)
class StoredToken:
    """A token as the hub holds it, with its idTag and owner. ``revision`` is the stored document,
    used as the expected value of a conditional write (optimistic concurrency for PATCH and sync)."""

    token: Token
    id_tag: str
    revision: str

    @property
    def key(self) -> TokenKey:
        return TokenKey.of(self.token)

    @property
    def country_code(self) -> str:
        return self.token.country_code.upper()

    @property
    def party_id(self) -> str:
        return self.token.party_id.upper()

    @property
    def owner_party_key(self) -> str:
        """The owning EMSP's credentials record key (``credentials_tokens.party_key``)."""
        return party_key("EMSP", self.country_code, self.party_id)


def party_partition(country_code: str, party_id: str) -> str:
    return f"PARTY#{country_code.upper()}#{party_id.upper()}"


def token_item(token: Token) -> dict[str, Any]:
    """The item of a token: the OCPI key, the idTag index and the owner's index."""
    key = TokenKey.of(token)
    last_updated = sortable_time(token.last_updated)
    id_tag = id_tag_for(token)
    return {
        "pk": key.pk,
        "sk": SK,
        "id_tag": id_tag,
        "last_updated": last_updated,
        "gsi1pk": f"IDTAG#{id_tag}",
        "gsi1sk": key.normalized,
        "gsi2pk": party_partition(key.country_code, key.party_id),
        "gsi2sk": f"{last_updated}#{key.type.value}#{key.uid.upper()}",
        "doc": documents.encode(token),
    }


def _stored(item: dict[str, Any]) -> StoredToken:
    return StoredToken(token=documents.decode(item, Token), id_tag=item["id_tag"], revision=item["doc"])


def _conditional_put(item: dict[str, Any], condition: str, **expression: Any) -> bool:
    """PutItem under ``condition``; False (nothing written) when the condition does not hold."""
    tokens = table(TABLE)
    try:
        tokens.put_item(Item=item, ConditionExpression=condition, **expression)
    except tokens.meta.client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def get_token(key: TokenKey) -> StoredToken | None:
    """GET on the receiver interface: one strongly consistent GetItem (a PUT is visible at once)."""
    item = table(TABLE).get_item(Key={"pk": key.pk, "sk": SK}, ConsistentRead=True).get("Item")
    return _stored(item) if item else None


def put_token(token: Token) -> bool:
    """Create or replace a token in one PutItem; True when it was created. No read before the write:
    ``ReturnValues=ALL_OLD`` tells whether an item was replaced (HTTP 200) or created (201)."""
    response = table(TABLE).put_item(Item=token_item(token), ReturnValues="ALL_OLD")
    return "Attributes" not in response


def replace_token(token: Token, *, expected: StoredToken) -> None:
    """Write ``token`` over ``expected`` only if the stored document is still ``expected``'s;
    else ``ConflictingWrite`` (another write came in between the read and this write)."""
    written = _conditional_put(
        token_item(token),
        "#doc = :expected",
        ExpressionAttributeNames={"#doc": "doc"},
        ExpressionAttributeValues={":expected": expected.revision},
    )
    if not written:
        raise ConflictingWrite(f"token {expected.key} changed while it was being updated")


def put_token_unless_newer(token: Token) -> bool:
    """Create ``token``, or replace the stored one if that is not more recent (pull sync: an EMSP
    push that arrived meanwhile wins). True when written, False when the stored copy is newer."""
    return _conditional_put(
        token_item(token),
        "attribute_not_exists(pk) OR last_updated <= :listed",
        ExpressionAttributeValues={":listed": sortable_time(token.last_updated)},
    )


@dataclass(frozen=True)
class TokenState:
    """What a pull sync compares without decoding every token: key, last update, stored document."""

    key: str  # TokenKey.normalized
    last_updated: str  # sortable_time of the token's last_updated
    id_tag: str
    revision: str  # the stored document

    def stored(self) -> StoredToken:
        return StoredToken(Token.model_validate_json(self.revision), self.id_tag, self.revision)


def token_states_of_party(country_code: str, party_id: str) -> Iterator[TokenState]:
    """Every token of one EMSP (Query gsi2, page by page), oldest update first."""
    query: dict[str, Any] = {
        "IndexName": "gsi2",
        "KeyConditionExpression": "gsi2pk = :party",
        "ExpressionAttributeValues": {":party": party_partition(country_code, party_id)},
        "ProjectionExpression": "gsi1sk, last_updated, id_tag, #doc",
        "ExpressionAttributeNames": {"#doc": "doc"},
    }
    while True:
        page = table(TABLE).query(**query)
        for item in page.get("Items", []):
            yield TokenState(item["gsi1sk"], item["last_updated"], item["id_tag"], item["doc"])
        if "LastEvaluatedKey" not in page:
            return
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def find_all_by_id_tag(id_tag: str) -> list[StoredToken]:
    """Every token known by ``id_tag`` (usually one; see ``find_by_id_tag``): one Query on gsi1."""
    page = table(TABLE).query(
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :tag",
        ExpressionAttributeValues={":tag": f"IDTAG#{normalize_id_tag(id_tag)}"},
    )
    return [_stored(item) for item in page.get("Items", [])]


def find_by_id_tag(id_tag: str) -> StoredToken | None:
    """The token (and owner) an OCPP idTag stands for, in one read (Query on gsi1), or None.

    Two EMSPs may list the same RFID card (a driver who changed provider, say). Then the valid one
    wins, and among equals the most recently updated, so a card re-issued by a new EMSP is billed to
    it. The index is eventually consistent: a token PUT is found typically within a second.
    """
    candidates = find_all_by_id_tag(id_tag)
    if not candidates:
        return None
    if len(candidates) > 1:
        logger.warning("idTag held by several tokens", id_tag=normalize_id_tag(id_tag), count=len(candidates))
    return max(candidates, key=lambda s: (s.token.valid, s.token.last_updated, s.key.normalized))
