"""The writes of the credentials flows (registration, renewal, token rotation, a token A's failures):
a party with the credentials token items that change with it, in one TransactWriteItems, so a token
rotation is never half done; and the token items alone (docs/dynamodb.md, docs/credentials.md).

Apart from ``parties.repository`` because these are the writes that delete token items: a function's
DynamoDB grants follow the modules it can load (infra/grants.py), and only the credentials, renewal and
admin Lambdas load this one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mobie_hub.core import credentials_tokens
from mobie_hub.core.dynamodb import dynamodb_resource, table
from mobie_hub.core.errors import ConflictingWrite
from mobie_hub.core.settings import get_settings
from mobie_hub.parties.party import Party
from mobie_hub.parties.repository import party_item, revision_condition


def save(
    party: Party,
    *,
    expected_revision: int | None,
    new_tokens: Sequence[dict[str, Any]] = (),
    replaced_tokens: Sequence[dict[str, Any]] = (),
    deleted_token_hashes: Sequence[str] = (),
    consumed_token_hashes: Sequence[str] = (),
) -> Party:
    """Write ``party`` and its token changes atomically; returns the party at its new revision.

    ``expected_revision`` None means the record must not exist yet. ``new_tokens`` must not exist,
    ``replaced_tokens`` must exist (they are rewritten whole), ``consumed_token_hashes`` must exist
    and are deleted (a token A used once), ``deleted_token_hashes`` are deleted if present.
    """
    stored = party.model_copy(update={"revision": (expected_revision or 0) + 1})
    actions: list[dict[str, Any]] = [
        {"Put": {"Item": party_item(stored), **revision_condition(expected_revision)}}
    ]
    actions += [
        {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}} for item in new_tokens
    ]
    actions += [
        {"Put": {"Item": item, "ConditionExpression": "attribute_exists(pk)"}} for item in replaced_tokens
    ]
    actions += [
        {"Delete": {"Key": _token_key(h), "ConditionExpression": "attribute_exists(pk)"}}
        for h in consumed_token_hashes
    ]
    actions += [{"Delete": {"Key": _token_key(h)}} for h in deleted_token_hashes]
    transact(actions, what=f"the credentials of {party.label}")
    return stored


def put_token(item: dict[str, Any]) -> None:
    """A lone token item (a registration in progress, before the party's identity is known)."""
    transact([{"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}], what="a new token")


def delete_token(token_hash: str) -> None:
    table("parties").delete_item(Key=_token_key(token_hash))


def record_failed_registration(token: str) -> int | None:
    """Count one failed credentials POST with token A; at ``credentials_tokens.MAX_FAILED_REGISTRATIONS``
    the token is deleted. Returns the failures counted, or None when the token is no (longer a) token A."""
    parties = table("parties")
    key = {"pk": credentials_tokens.token_pk(token), "sk": credentials_tokens.SK}
    try:
        answer = parties.update_item(
            Key=key,
            UpdateExpression="ADD failed_registrations :one",
            ConditionExpression="attribute_exists(pk) AND #kind = :a",
            ExpressionAttributeNames={"#kind": "kind"},
            ExpressionAttributeValues={":one": 1, ":a": "A"},
            ReturnValues="UPDATED_NEW",
        )
    except parties.meta.client.exceptions.ConditionalCheckFailedException:
        return None
    failures = int(answer["Attributes"]["failed_registrations"])
    if failures >= credentials_tokens.MAX_FAILED_REGISTRATIONS:
        parties.delete_item(Key=key)
    return failures


def _token_key(token_hash: str) -> dict[str, str]:
    return {"pk": f"TOKEN#{token_hash}", "sk": credentials_tokens.SK}


def transact(actions: list[dict[str, Any]], *, what: str) -> None:
    """TransactWriteItems on the parties table; a failed condition becomes ``ConflictingWrite``."""
    name = get_settings().tables["parties"]
    # The resource's own client serialises Python values itself (boto3 registers its type
    # transformation on it), so the items stay plain here.
    items = [{kind: {**body, "TableName": name}} for action in actions for kind, body in action.items()]
    client = dynamodb_resource().meta.client
    try:
        client.transact_write_items(TransactItems=items)
    except client.exceptions.TransactionCanceledException as exc:
        # ConditionalCheckFailed (another writer won) or TransactionConflict (one is writing now).
        raise ConflictingWrite(
            f"{what} changed while this request was being handled; nothing was written, try again"
        ) from exc
