"""Who holds an OCPP idTag: one claim item per idTag in the ``tokens`` table (issue #12, finding 1).

The receiver first Queries the idTag index (gsi1) to refuse an idTag another party holds with a clear
error, but the index is eventually consistent and two PUTs can cross. The claim is the guard: every
write of a VALID token puts ``IDTAG#<tag>`` / ``CLAIM`` (owner, token pk, a fresh ``rev``) in the same
TransactWriteItems as the token, on condition that nobody else holds it. A claim is not released
when its token turns invalid or its party unregisters; a later claimant takes a stale claim over
only after a strongly consistent read shows the holder's token invalid (or gone, or its party not
registered), on condition that neither the claim nor that token changed since. Invalid tokens are
written without a claim (one plain PutItem): they authorise nothing.

Claim item: pk=``IDTAG#<tag>``, sk=``CLAIM``, ``owner`` (``CC/PID``), ``party_key``, ``token_pk``,
``rev``; no index attributes, so it never appears in the idTag or party listings.
"""

from __future__ import annotations

import uuid
from typing import Any

from mobie_hub.core import retry, transact
from mobie_hub.core.dynamodb import table
from mobie_hub.core.errors import ConflictingWrite, IdTagConflict
from mobie_hub.core.models import STORED_CONTEXT
from mobie_hub.parties import api as parties
from mobie_hub.tokens.models import Token

TABLE = "tokens"
CLAIM_SK = "CLAIM"


def claim_key(id_tag: str) -> dict[str, str]:
    return {"pk": f"IDTAG#{id_tag}", "sk": CLAIM_SK}


def _claim(item: dict[str, Any], token: Token, condition: str, values: dict[str, Any]) -> transact.Action:
    claim = {
        **claim_key(item["id_tag"]),
        "owner": f"{token.country_code.upper()}/{token.party_id.upper()}",
        "party_key": f"PARTY#EMSP#{token.country_code.upper()}#{token.party_id.upper()}",
        "token_pk": item["pk"],
        "rev": uuid.uuid4().hex,
    }
    names = {name: name[1:] for name in ("#owner", "#rev") if name in condition}  # only those used
    return transact.put(
        TABLE, claim, condition, name="claim", return_old=True,
        ExpressionAttributeNames=names, ExpressionAttributeValues=values,
    )


def _expression(names: dict[str, str] | None, values: dict[str, Any] | None) -> dict[str, Any]:
    return {
        **({"ExpressionAttributeNames": names} if names else {}),
        **({"ExpressionAttributeValues": values} if values else {}),
    }


def _plain_put(item: dict[str, Any], condition: str | None, expression: dict[str, Any]) -> bool:
    tokens = table(TABLE)
    try:
        tokens.put_item(Item=item, **({"ConditionExpression": condition} if condition else {}), **expression)
    except tokens.meta.client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def _holder_is_live(claim: dict[str, Any]) -> tuple[bool, str | None]:
    """Whether the claim's token is valid and its party registered (strongly consistent reads), and
    the token document seen (None when the token is gone), for the takeover's condition."""
    key = {"pk": claim["token_pk"], "sk": "TOKEN"}
    found = table(TABLE).get_item(Key=key, ConsistentRead=True).get("Item")
    if found is None:
        return False, None
    valid = Token.model_validate_json(found["doc"], context=STORED_CONTEXT).valid
    live = valid and claim["party_key"] in parties.registered_keys([claim["party_key"]], consistent=True)
    return live, found["doc"]


def write(
    token: Token,
    item: dict[str, Any],
    *,
    condition: str | None = None,
    names: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> bool:
    """Put the token ``item`` under ``condition``; for a valid token, claim its idTag in the same
    transaction. False when ``condition`` failed (nothing written); ``IdTagConflict`` when another
    party's live claim stands; ``ConflictingWrite`` (HTTP 409, retried by a PATCH) when another
    transaction was writing the same items."""
    expression = _expression(names, values)
    if not token.valid:
        return _plain_put(item, condition, expression)
    token_action = transact.put(TABLE, item, condition, name="token", **expression)
    owner = f"{token.country_code.upper()}/{token.party_id.upper()}"
    claim = _claim(item, token, "attribute_not_exists(pk) OR #owner = :me", {":me": owner})
    first = [claim, token_action]
    actions = first

    def attempt(_: retry.Attempt) -> bool:
        nonlocal actions
        try:
            transact.write(actions)
            return True
        except transact.Cancelled as cancelled:
            failed = cancelled.failed
            if "token" in failed:
                return False
            if not failed:  # a TransactionConflict: another request is writing the token or its claim
                busy = f"{item['id_tag']} is being written by another request; try again"
                raise ConflictingWrite(busy) from None
            if "claim" not in failed:  # the holder's token changed meanwhile: look at the claim again
                actions = first
                raise retry.ReadAgain from None
            held = cancelled.item("claim") or {}
        live, seen = _holder_is_live(held)
        if live:
            raise IdTagConflict(f"{item['id_tag']} is the idTag of a valid token of another party", field="uid")
        # A takeover of a dead claim, which may lose to another write: then start again from the new claim.
        takeover = {":held": held["owner"], ":rev": held["rev"]}
        actions = [
            _claim(item, token, "#owner = :held AND #rev = :rev", takeover),
            _unchanged(held["token_pk"], seen),
            token_action,
        ]
        raise retry.ReadAgain

    try:
        return retry.optimistic(attempt, gave_up=f"{item['id_tag']}: the idTag kept changing hands")
    except retry.KeptChanging:  # refused as the conflict it is (2001, field uid), not a 409
        raise IdTagConflict(f"{item['id_tag']}: the idTag kept changing hands; try again", field="uid") from None


def _unchanged(token_pk: str, seen: str | None) -> transact.Action:
    """The holder's token is still as seen (``"holder"``)."""
    key = {"pk": token_pk, "sk": "TOKEN"}
    if seen is None:
        return transact.condition_check(TABLE, key, "attribute_not_exists(pk)", name="holder")
    return transact.condition_check(
        TABLE, key, "#doc = :seen", name="holder",
        ExpressionAttributeNames={"#doc": "doc"}, ExpressionAttributeValues={":seen": seen},
    )
