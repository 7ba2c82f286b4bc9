"""What the EMSPs were last pushed of a Location, so its pushes reach them in order (docs/events.md
"Order of a Location's pushes"). One item per Location in the ``ephemeral`` table (TTL ``expires_at``):

| attribute | meaning |
|---|---|
| pk ``PUSHED#LOCATION#<cc>/<pid>/<id>``, sk ``FANOUT`` | the Location, for every recipient at once |
| ``V#*`` / ``V#<evse uid>`` | the version (the hub's ``last_updated``, sortable, ms) last claimed by a PUT of the Location / a PATCH of that EVSE |
| ``L#<scope>``, ``H#<scope>``, ``N#<scope>``, ``D#<scope>`` | the fan-out under way of that scope: lease end (epoch s), holder, batches, batches done |
| ``B#<scope>`` | the batches of that fan-out that reported, by index (a string set) |

One fan-out (one event, every recipient) *claims* its version in one conditional UpdateItem before any
push, and each of its batches adds one to ``D#`` when its pushes are over; the scope is free again
once every batch reported (or the lease ended). A batch whose push task failed (a crash, a timeout:
its Lambda is over) is reported by the fan-out workflow itself (``push_fanout.asl.json``
``ReleaseBatch``, a DynamoDB UpdateItem writing what ``report`` writes), so the Location's next
fan-out need not wait for the lease. A batch of the workflow names itself (``Lease.batch``, its index
in the Map) and is counted once: one that reported and then crashed is not counted again by the
workflow, so a scope is never free while a batch of it may still push.

The claim fails for a version not newer than the last one claimed (stale or repeated: dropped),
while a fan-out it must follow is under way (busy: asked again shortly), or, for a PUT, when an EVSE
was PATCHed with a newer status than the PUT carries (superseded: the current Location is PUT
instead).

Which fan-outs exclude each other: a PATCH of an EVSE waits for one of the same EVSE or a PUT of the
Location; a PUT waits for any. PATCHes of two EVSEs go side by side. So two pushes of the same state
never reach one EMSP out of order, whatever the recipients, and it costs two writes a fan-out (one
claim, one report per batch) instead of two per recipient.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from botocore.exceptions import ClientError

from mobie_hub.core.dynamodb import table

TABLE = "ephemeral"
SK = "FANOUT"
WHOLE = "*"  # the scope of a PUT: the Location with every EVSE
# Longer than a fan-out may take: its batches run side by side, each within the push Lambda's
# timeout (15 s: one outbound call of at most 10 s per party, all at once).
LEASE_SECONDS = 30
KEEP = timedelta(days=2)  # longer than EventBridge keeps retrying an event (24 h)
# A condition expression holds at most 4 KB (DynamoDB's limit), about 110 characters an EVSE: a PUT of
# a Location with more EVSEs waits for a fan-out of the Location only, not of each EVSE.
MAX_EVSES_CHECKED = 30


class Claimed(str, Enum):
    CLAIMED = "CLAIMED"  # push now; every batch then calls ``report``
    STALE = "STALE"  # this version or a newer one was claimed: drop
    BUSY = "BUSY"  # a fan-out this one must follow is under way: ask again shortly
    SUPERSEDED = "SUPERSEDED"  # a PUT older than an EVSE status already pushed: PUT the current Location


@dataclass(frozen=True)
class Target:
    """What a Location event pushes: ``scope`` is ``WHOLE`` (PUT) or an EVSE uid (PATCH)."""

    location: str  # "<country_code>/<party_id>/<location id>"
    scope: str
    version: str  # sortable UTC time with milliseconds
    evses: tuple[str, ...] = ()  # a PUT: the EVSE uids it carries


@dataclass(frozen=True)
class Lease:
    """A claimed fan-out, as its batches carry it (plain values: it travels in the workflow's state)."""

    location: str
    scope: str
    holder: str
    # The batch's index in the workflow's Map (a string, as the workflow formats it): its report counts
    # once. None: a caller that runs each batch once and reports it once (the local pipeline).
    batch: str | None = None

    def as_json(self) -> dict[str, str]:
        return {"location": self.location, "scope": self.scope, "holder": self.holder}


@dataclass(frozen=True)
class Outcome:
    claimed: Claimed
    lease: Lease | None = None


def _key(location: str) -> dict[str, str]:
    return {"pk": f"PUSHED#LOCATION#{location}", "sk": SK}


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


class _Names:
    """Short expression placeholders for per-scope attributes (an EVSE uid may hold any character)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def of(self, kind: str, scope: str) -> str:
        placeholder = f"#{kind.lower()}{len(self.names)}"
        self.names[placeholder] = f"{kind}#{scope}"
        return placeholder

    def free(self, scope: str) -> str:
        lease, done, batches = self.of("L", scope), self.of("D", scope), self.of("N", scope)
        return f"(attribute_not_exists({lease}) OR {lease} < :now OR {done} >= {batches})"


def claim(target: Target, batches: int, *, now: datetime) -> Outcome:
    """Claim ``target``'s version for a fan-out of ``batches`` batches (one conditional UpdateItem)."""
    names = _Names()
    condition = _condition(target, names)
    holder = str(uuid.uuid4())
    mine = {kind: names.of(kind, target.scope) for kind in ("V", "L", "H", "N", "D", "B")}
    try:
        table(TABLE).update_item(
            Key=_key(target.location),
            UpdateExpression=(f"SET {mine['V']} = :v, {mine['L']} = :lease, {mine['H']} = :holder,"
                              f" {mine['N']} = :batches, {mine['D']} = :zero, expires_at = :exp"
                              f" REMOVE {mine['B']}"),
            ConditionExpression=condition,
            ExpressionAttributeNames=names.names,
            ExpressionAttributeValues={
                ":v": target.version, ":now": _epoch(now), ":lease": _epoch(now) + LEASE_SECONDS,
                ":holder": holder, ":batches": batches, ":zero": 0, ":exp": _epoch(now + KEEP),
            },
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        return Outcome(_refused(_plain(exc.response.get("Item", {})), target, now))
    return Outcome(Claimed.CLAIMED, Lease(target.location, target.scope, holder))


def _condition(target: Target, names: _Names) -> str:
    """The claim's condition: newer than what was claimed, and no fan-out under way it must follow."""
    whole = names.of("V", WHOLE)
    clauses = [f"(attribute_not_exists({whole}) OR {whole} < :v)", names.free(WHOLE)]
    if target.scope == WHOLE:  # a PUT follows every fan-out of the Location and carries every EVSE
        for evse in _checked(target):
            own = names.of("V", evse)
            clauses += [names.free(evse), f"(attribute_not_exists({own}) OR {own} <= :v)"]
    else:
        own = names.of("V", target.scope)
        clauses += [names.free(target.scope), f"(attribute_not_exists({own}) OR {own} < :v)"]
    return " AND ".join(clauses)


def _checked(target: Target) -> tuple[str, ...]:
    return target.evses if len(target.evses) <= MAX_EVSES_CHECKED else ()


def _plain(item: dict[str, Any]) -> dict[str, str | int]:
    """The low-level attribute values of a refused claim's item, as strings and ints."""
    return {name: value.get("S", int(value["N"]) if "N" in value else None) for name, value in item.items()}


def _refused(item: dict[str, Any], target: Target, now: datetime) -> Claimed:
    """Why a claim failed, from the item as it was."""
    whole = item.get(f"V#{WHOLE}")
    own = item.get(f"V#{target.scope}") if target.scope != WHOLE else None
    if (whole is not None and whole >= target.version) or (own is not None and own >= target.version):
        return Claimed.STALE

    def busy(scope: str) -> bool:
        lease = item.get(f"L#{scope}")
        return lease is not None and lease >= _epoch(now) and item.get(f"D#{scope}", 0) < item.get(f"N#{scope}", 0)

    scopes = (WHOLE, *_checked(target)) if target.scope == WHOLE else (WHOLE, target.scope)
    if any(busy(scope) for scope in scopes):
        return Claimed.BUSY
    if target.scope == WHOLE and any((item.get(f"V#{evse}") or "") > target.version for evse in _checked(target)):
        return Claimed.SUPERSEDED
    return Claimed.BUSY  # the item changed between the check and the answer: ask again


def report(lease: Lease) -> None:
    """One batch of the fan-out is over. A lease another fan-out took over after it ended is left alone,
    and a batch that names itself counts once (the workflow reports a failed push task's batch again)."""
    names = _Names()
    done, holder = names.of("D", lease.scope), names.of("H", lease.scope)
    update, condition = f"ADD {done} :one", f"{holder} = :holder"
    values: dict[str, Any] = {":one": 1, ":holder": lease.holder}
    if lease.batch is not None:
        reported = names.of("B", lease.scope)
        update += f", {reported} :batches"
        condition += f" AND NOT contains({reported}, :batch)"
        values |= {":batches": {lease.batch}, ":batch": lease.batch}
    try:
        table(TABLE).update_item(
            Key=_key(lease.location),
            UpdateExpression=update,
            ConditionExpression=condition,
            ExpressionAttributeNames=names.names,
            ExpressionAttributeValues=values,
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
