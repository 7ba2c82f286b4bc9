"""Party credentials records and their token items in the ``parties`` table (docs/dynamodb.md).

Party item: pk=``PARTY#<role>#<cc>#<pid>``, sk=``PARTY``, gsi1pk=``PARTY`` / gsi1sk=``<role>#<cc>#<pid>``;
``doc`` holds the whole record as JSON (``mobie_hub.parties.party.Party``), beside it the attributes
that conditions and the parties stream read: ``registration``, ``connection_status``, ``revision``,
``last_updated``. Token items are ``mobie_hub.core.credentials_tokens``'.

Every write is conditional on the revision the party was read at, so two racing writers cannot both
win: the loser gets ``ConflictingWrite``. A write that changes tokens too (registration, renewal, token
rotation) is one TransactWriteItems with them, in ``parties.credentials_repository``: the module that
deletes token items, which only the credentials flows load (a function's DynamoDB grants follow the
modules it can load, infra/grants.py: the push Lambda, which records connection statuses here, may not
delete from the table).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mobie_hub.core.dynamodb import dynamodb_resource, table
from mobie_hub.core.errors import ConflictingWrite, NotFound
from mobie_hub.core.keys import sortable_time
from mobie_hub.core.settings import get_settings
from mobie_hub.parties.party import Party, PartyRef, Registration

SK = "PARTY"
INDEX_PK = "PARTY"


def party_item(party: Party) -> dict[str, Any]:
    return {
        "pk": party.key,
        "sk": SK,
        "gsi1pk": INDEX_PK,
        "gsi1sk": f"{party.role.value}#{party.country_code}#{party.party_id}",
        "role": party.role.value,
        "country_code": party.country_code,
        "party_id": party.party_id,
        "registration": party.registration.value,
        "connection_status": party.connection_status.value,
        "revision": party.revision,
        "last_updated": sortable_time(party.last_updated),
        "doc": party.model_dump_json(),
    }


def _decode(item: dict[str, Any]) -> Party:
    return Party.model_validate_json(item["doc"])


def get_party(ref: PartyRef | str) -> Party | None:
    """A party by reference or key; strongly consistent (a write is visible to the next read)."""
    key = ref if isinstance(ref, str) else ref.key
    item = table("parties").get_item(Key={"pk": key, "sk": SK}, ConsistentRead=True).get("Item")
    return _decode(item) if item else None


def require_party(ref: PartyRef | str) -> Party:
    party = get_party(ref)
    if party is None:
        name = ref if isinstance(ref, str) else ref.label
        raise NotFound(f"no party {name} is known to the hub")
    return party


def list_parties() -> list[Party]:
    """Every party record, ordered by role, country code and party id (Query on gsi1; tens of items)."""
    from boto3.dynamodb.conditions import Key

    parties: list[Party] = []
    kwargs: dict[str, Any] = {"IndexName": "gsi1", "KeyConditionExpression": Key("gsi1pk").eq(INDEX_PK)}
    while True:
        page = table("parties").query(**kwargs)
        parties.extend(_decode(item) for item in page["Items"])
        if "LastEvaluatedKey" not in page:
            return parties
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def registered_keys(keys: Iterable[str], *, consistent: bool = False) -> frozenset[str]:
    """Which of the party ``keys`` (``PARTY#<role>#<cc>#<pid>``) are REGISTERED: one GetItem for one
    key, one BatchGetItem for more (the idTag authority and the token conflict check ask this of the
    owners of one idTag, almost always one). Only ``registration`` is read (0.5 RCU an item)."""
    wanted = sorted(set(keys))
    if not wanted:
        return frozenset()
    projection = {"ProjectionExpression": "pk, registration", "ConsistentRead": consistent}
    if len(wanted) == 1:
        item = table("parties").get_item(Key={"pk": wanted[0], "sk": SK}, **projection).get("Item")
        return frozenset([wanted[0]] if item and item.get("registration") == Registration.REGISTERED else [])
    name = get_settings().tables["parties"]
    items: list[dict[str, Any]] = []
    for start in range(0, len(wanted), 100):  # BatchGetItem: at most 100 keys a call
        keys = [{"pk": key, "sk": SK} for key in wanted[start : start + 100]]
        request = {name: {"Keys": keys, **projection}}
        while request:  # keys left unprocessed (throttling) are asked for again
            answer = dynamodb_resource().batch_get_item(RequestItems=request)
            items += answer["Responses"].get(name, [])
            request = answer.get("UnprocessedKeys") or {}
    return frozenset(i["pk"] for i in items if i.get("registration") == Registration.REGISTERED.value)


def revision_condition(expected_revision: int | None) -> dict[str, Any]:
    """The condition of a party write: the record does not exist yet (None), or is still at the
    revision it was read at."""
    if expected_revision is None:
        return {"ConditionExpression": "attribute_not_exists(pk)"}
    return {
        "ConditionExpression": "#rev = :rev",
        "ExpressionAttributeNames": {"#rev": "revision"},
        "ExpressionAttributeValues": {":rev": expected_revision},
    }


def save(party: Party, *, expected_revision: int | None) -> Party:
    """Write ``party`` alone (no token changes: ``parties.credentials_repository.save`` writes those
    with it), conditional on ``expected_revision`` (None: the record must not exist yet); returns the
    party at its new revision. A lost race is ``ConflictingWrite``."""
    stored = party.model_copy(update={"revision": (expected_revision or 0) + 1})
    parties = table("parties")
    try:
        parties.put_item(Item=party_item(stored), **revision_condition(expected_revision))
    except (
        parties.meta.client.exceptions.ConditionalCheckFailedException,  # another writer won
        parties.meta.client.exceptions.TransactionConflictException,  # a credentials change is writing it
    ) as exc:
        raise ConflictingWrite(
            f"the record of {party.label} changed while this request was being handled; nothing was written, "
            "try again"
        ) from exc
    return stored
