"""What each party was last pushed of an object, so pushes of one object reach it in order
(docs/events.md "Order"). Kept in the ``ephemeral`` table (TTL ``expires_at``):

| item | pk | sk | attributes |
|---|---|---|---|
| last pushed | ``PUSHED#<object>`` (``SESSION#<id>``) | the party key | ``version``, ``lease_until``, ``expires_at`` |
| a recheck due | ``PUSHDUE`` | ``<due>#<object>#<party key>`` | ``object``, ``party``, ``owner``, ``expires_at`` |

A push *claims* the object's next version in one conditional UpdateItem before it calls the party:
the claim fails for a version not newer than the last one claimed (stale or duplicate: dropped),
while another push of the object is under way (its lease), or, for a coalescible update, when a
version of the same clock window was claimed already (throttled). A push that cannot go now leaves a recheck: the sweep
(``fanout.resync_due``) asks for the object's current state once it is due. Its key holds the due
time, so the same recheck asked for many times is one item.

The recheck queue is one partition (``PUSHDUE``), read with one Query a sweep: at most one item a
charging session and push interval (about 1 write a second at national scale, far below a
partition's 1,000).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from botocore.exceptions import ClientError

from mobie_hub.core.dynamodb import table
from mobie_hub.core.keys import sortable_time

TABLE = "ephemeral"
QUEUE = "PUSHDUE"
LEASE_SECONDS = 30  # longer than one push may take (the push Lambda's timeout, 15 s)
KEEP = timedelta(days=2)  # a record outlives its object's pushes by this much (TTL)


class Claim(str, Enum):
    CLAIMED = "CLAIMED"  # push now, then ``release``
    STALE = "STALE"  # the party was pushed this version or a newer one: drop
    BUSY = "BUSY"  # another push of the object is under way: recheck when its lease ends
    THROTTLED = "THROTTLED"  # coalescible, pushed less than the interval ago: recheck at the interval's end


@dataclass(frozen=True)
class Outcome:
    claim: Claim
    recheck_at: datetime | None = None  # BUSY, THROTTLED


@dataclass(frozen=True)
class Due:
    object: str
    party: str
    owner: dict[str, str]


def _key(obj: str, party: str) -> dict[str, str]:
    return {"pk": f"PUSHED#{obj}", "sk": party}


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def version_time(version: str) -> datetime:
    """A version (a sortable UTC time) as a datetime."""
    return datetime.fromisoformat(version)


def claim(
    obj: str, party: str, version: str, *, now: datetime, window: tuple[datetime, datetime] | None = None
) -> Outcome:
    """Claim ``version`` (a sortable time) of ``obj`` for a push to ``party``. ``window`` (a
    coalescible update's clock window, [start, end)): only if no version of that window was claimed."""
    condition = ("(attribute_not_exists(version) OR version < :v)"
                 " AND (attribute_not_exists(lease_until) OR lease_until < :now)")
    values: dict[str, Any] = {":v": version, ":now": _epoch(now), ":lease": _epoch(now) + LEASE_SECONDS,
                              ":exp": _epoch(now + KEEP)}
    if window is not None:
        condition += " AND (attribute_not_exists(version) OR version < :start)"
        values[":start"] = sortable_time(window[0])
    try:
        table(TABLE).update_item(
            Key=_key(obj, party),
            UpdateExpression="SET version = :v, lease_until = :lease, expires_at = :exp",
            ConditionExpression=condition,
            ExpressionAttributeValues=values,
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        return _refused(exc.response.get("Item", {}), version, now, window)
    return Outcome(Claim.CLAIMED)


def _refused(
    item: dict[str, Any], version: str, now: datetime, window: tuple[datetime, datetime] | None
) -> Outcome:
    """Why a claim failed, from the record as it was (low-level attribute values)."""
    last = item.get("version", {}).get("S")
    if last is None:  # the record vanished between the check and the answer: the next sweep tries
        return Outcome(Claim.BUSY, now)
    if last >= version:
        return Outcome(Claim.STALE)
    lease_until = int(item.get("lease_until", {}).get("N", "0"))
    if lease_until >= _epoch(now):
        return Outcome(Claim.BUSY, datetime.fromtimestamp(lease_until + 1, tz=now.tzinfo))
    assert window is not None  # the only other clause
    return Outcome(Claim.THROTTLED, window[1])


def release(obj: str, party: str, version: str) -> None:
    """The push of ``version`` is over: the next one may start. A lease another push took over after
    it expired is left alone."""
    try:
        table(TABLE).update_item(
            Key=_key(obj, party),
            UpdateExpression="REMOVE lease_until",
            ConditionExpression="version = :v",
            ExpressionAttributeValues={":v": version},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise


def recheck(obj: str, party: str, owner: dict[str, str], at: datetime) -> None:
    """Ask the sweep for ``obj``'s current state to be pushed to ``party`` once ``at`` has come."""
    table(TABLE).put_item(Item={
        "pk": QUEUE, "sk": f"{sortable_time(at)}#{obj}#{party}", "object": obj, "party": party,
        "owner": owner, "expires_at": _epoch(at + KEEP),
    })


def due(now: datetime, limit: int = 100) -> list[tuple[dict[str, str], Due]]:
    """The rechecks due at ``now``, the oldest first, each with its queue key (for ``done``)."""
    items = table(TABLE).query(
        KeyConditionExpression="pk = :pk AND sk <= :until",
        ExpressionAttributeValues={":pk": QUEUE, ":until": f"{sortable_time(now)}#\uffff"},
        Limit=limit,
    )["Items"]
    return [({"pk": QUEUE, "sk": item["sk"]}, Due(item["object"], item["party"], dict(item["owner"])))
            for item in items]


def done(keys: list[dict[str, str]]) -> None:
    with table(TABLE).batch_writer() as batch:
        for key in keys:
            batch.delete_item(Key=key)


def last_version(obj: str, party: str) -> str | None:
    item = table(TABLE).get_item(Key=_key(obj, party), ConsistentRead=True).get("Item")
    return item.get("version") if item else None
