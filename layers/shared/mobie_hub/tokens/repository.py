"""The EMSPs' tokens — MOBI.E's whitelist — in the ``tokens`` table (docs/dynamodb.md, profile §10).

For the OCPP gateway (Authorize, StartTransaction, StopTransaction)::

    from mobie_hub.tokens.repository import resolve
    resolution = resolve(id_tag)   # one Query on gsi1 (+ one read of the owners' registration if known)
    resolution.token               # the OCPI Token it stands for; None: unknown, its EMSP not
                                   # registered, or ambiguous (resolution.conflict names the owners)
    resolution.status              # Accepted / Blocked / Invalid (tokens.rules.resolve_id_tag)

and for RemoteStartTransaction ``mobie_hub.tokens.rules.id_tag_for(token)`` gives the idTag to send.
An RFID token's idTag is its uid; an APP_USER / AD_HOC_USER token's is derived from its key
(``tokens.rules.derive_id_tag``). idTags are case-insensitive (OCPP CiString20): keys are upper-cased.

Item: pk=``TOKEN#<CC>#<PID>#<TYPE>#<UID>``, sk=``TOKEN``, ``doc`` (the Token), ``id_tag``, ``last_updated``
(sortable); gsi1pk=``IDTAG#<id tag>`` / gsi1sk=``<CC>#<PID>#<TYPE>#<UID>`` (idTag → token);
gsi2pk=``PARTY#<CC>#<PID>`` / gsi2sk=``<last_updated>#<TYPE>#<UID>`` (a party's tokens, pull sync).
Beside them, one idTag claim item per held idTag (``tokens.claims_repository``), written with every
valid token: at most one EMSP holds an idTag, however close two PUTs come (issue #12).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from mobie_hub.core import documents
from mobie_hub.core.credentials_tokens import party_key
from mobie_hub.core.dynamodb import table
from mobie_hub.core.errors import ConflictingWrite
from mobie_hub.core.keys import sortable_time
from mobie_hub.core.models import STORED_CONTEXT, TokenType
from mobie_hub.parties import api as parties
from mobie_hub.tokens import claims_repository as id_tag_claims
from mobie_hub.tokens.models import Token
from mobie_hub.tokens.rules import (
    AuthorizationStatus,
    IdTagResolution,
    id_tag_for,
    normalize_id_tag,
    owner_of,
    resolve_id_tag,
)

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


def decode(document: str) -> Token:
    """A stored token (checked when it came in: ``STORED_CONTEXT`` skips the arrival-time rules)."""
    return Token.model_validate_json(document, context=STORED_CONTEXT)


def _stored(item: dict[str, Any]) -> StoredToken:
    return StoredToken(token=decode(item["doc"]), id_tag=item["id_tag"], revision=item["doc"])


def get_token(key: TokenKey) -> StoredToken | None:
    """GET on the receiver interface: one strongly consistent GetItem (a PUT is visible at once)."""
    item = table(TABLE).get_item(Key={"pk": key.pk, "sk": SK}, ConsistentRead=True).get("Item")
    return _stored(item) if item else None


def put_token(token: Token, *, existed: bool = False) -> bool:
    """Create or replace a token; True when it was created. ``existed``: the caller's idTag Query
    (``find_all_by_id_tag``) found this token already, which decides 200 over 201 (a transaction
    cannot return the old item). A valid token claims its idTag in the same transaction
    (``id_tag_claims``): ``IdTagConflict`` when another party holds it."""
    id_tag_claims.write(token, token_item(token))
    return not existed


def replace_token(token: Token, *, expected: StoredToken) -> None:
    """Write ``token`` over ``expected`` only if the stored document is still ``expected``'s;
    else ``ConflictingWrite`` (another write came in between the read and this write)."""
    written = id_tag_claims.write(
        token,
        token_item(token),
        condition="#doc = :expected",
        names={"#doc": "doc"},
        values={":expected": expected.revision},
    )
    if not written:
        raise ConflictingWrite(f"token {expected.key} changed while it was being updated")


def put_token_unless_newer(token: Token) -> bool:
    """Create ``token``, or replace the stored one if that is not more recent (pull sync: an EMSP
    push that arrived meanwhile wins). True when written, False when the stored copy is newer."""
    return id_tag_claims.write(
        token,
        token_item(token),
        condition="attribute_not_exists(pk) OR last_updated <= :listed",
        values={":listed": sortable_time(token.last_updated)},
    )


@dataclass(frozen=True)
class TokenState:
    """What a pull sync compares without decoding every token: key, last update, stored document."""

    key: str  # TokenKey.normalized
    last_updated: str  # sortable_time of the token's last_updated
    id_tag: str
    revision: str  # the stored document

    def stored(self) -> StoredToken:
        return StoredToken(decode(self.revision), self.id_tag, self.revision)


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


def registered_owners(owners: Iterable[str], *, consistent: bool = False) -> frozenset[str]:
    """Which of the EMSPs ``owners`` (``CC/PID``) are REGISTERED: one read of the parties table (a
    party with no record is not registered). Eventually consistent unless asked: an unregistration
    takes effect at the stations within about a second."""
    keys = {party_key("EMSP", *owner.split("/")): owner for owner in owners}
    return frozenset(keys[key] for key in parties.registered_keys(keys, consistent=consistent))


def resolve(id_tag: str) -> IdTagResolution:
    """Who an OCPP idTag stands for (``tokens.rules.resolve_id_tag``): one Query on gsi1, plus one
    read of the owners' registration when the idTag is known. The index is eventually consistent:
    a token PUT is found typically within a second."""
    candidates = [c.token for c in find_all_by_id_tag(id_tag)]
    if not candidates:
        return IdTagResolution(None, AuthorizationStatus.INVALID)
    return resolve_id_tag(candidates, registered_owners({owner_of(c) for c in candidates}))


def find_by_id_tag(id_tag: str) -> StoredToken | None:
    """The stored token ``resolve`` decides ``id_tag`` stands for, or None (unknown, ambiguous, or
    its EMSP not registered)."""
    token = resolve(id_tag).token
    return None if token is None else StoredToken(token, id_tag_for(token), documents.encode(token))
