"""Delivery of a CDR to its EMSP (and to the CPO of its station, issue #16: each its own record): a
CDR is a bill, so a push that fails is retried until the party accepts it, within a bound, and then
handed to the operator (docs/events.md "CDR delivery").

Profile §3 ("MOBI.E does not retry a push that fails; the data stays available through GET") is kept
for what it promises the EMSPs: nothing relies on a retry, every CDR stays readable through GET, and
locations and sessions pushes are never repeated (a later state supersedes them). A CDR is different:
it is pushed once per session and never superseded, and an EMSP that receives pushes need not pull, so
one failed POST could leave a bill unbilled with nobody told. Hence a delivery record per (CDR, party)
and a bounded backoff (``BACKOFF``: 9 attempts over about two days); after the last one the record is
FAILED, counted (``CdrUndelivered``, alarmed) and listed by ``mobie-hub cdrs undelivered``.

Each attempt is recorded *before* the POST (``begin``), with the time of the next one, so a push
that crashes or times out midway is still retried by the sweep; ``finish`` records the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from mobie_hub.cdrs import repository
from mobie_hub.core.keys import sortable_time
from mobie_hub.core.observability import count, logger

# The wait after attempt n (n = 1 …): the first retries catch a blip, the later ones an EMSP that is
# down for a day. One more attempt than waits: the last failure is final.
BACKOFF: tuple[timedelta, ...] = tuple(
    timedelta(minutes=m) for m in (1, 5, 15, 60, 3 * 60, 6 * 60, 12 * 60, 24 * 60)
)
MAX_ATTEMPTS = len(BACKOFF) + 1
UNDELIVERED_METRIC = "CdrUndelivered"  # one per delivery given up; alarmed (infra/constructs/monitoring.py)


class DeliveryStatus(str, Enum):
    PENDING = "PENDING"  # an attempt is under way or due at next_attempt_at
    DELIVERED = "DELIVERED"  # the party accepted the POST (OCPI 1000)
    FAILED = "FAILED"  # MAX_ATTEMPTS failed: the operator's (mobie-hub cdrs undelivered)


@dataclass(frozen=True)
class Delivery:
    cdr_id: str
    party: str  # the recipient's party key (PARTY#EMSP#… or PARTY#CPO#…)
    status: DeliveryStatus
    attempts: int
    next_attempt_at: str | None  # sortable UTC, while PENDING
    last_attempt_at: str | None
    last_error: str | None = None

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Delivery:
        return cls(
            cdr_id=record["cdr_id"],
            party=record["party"],
            status=DeliveryStatus(record["status"]),
            attempts=int(record["attempts"]),
            next_attempt_at=record.get("next_attempt_at"),
            last_attempt_at=record.get("last_attempt_at"),
            last_error=record.get("last_error"),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "cdr_id": self.cdr_id,
            "party": self.party,
            "status": self.status.value,
            "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at,
            "last_attempt_at": self.last_attempt_at,
            "last_error": self.last_error,
        }


def _store(delivery: Delivery) -> Delivery:
    queue, at = {
        DeliveryStatus.PENDING: ("PENDING", delivery.next_attempt_at),
        DeliveryStatus.FAILED: ("FAILED", delivery.last_attempt_at),
        DeliveryStatus.DELIVERED: (None, None),
    }[delivery.status]
    repository.put_delivery(delivery.as_json(), queue, at)
    return delivery


def get(cdr_id: str, party_key: str) -> Delivery | None:
    record = repository.get_delivery(cdr_id, party_key)
    return Delivery.from_record(record) if record else None


def begin(cdr_id: str, party_key: str, now: datetime) -> Delivery:
    """Record one more attempt as under way, due again after its backoff should it never finish.
    A CDR the party accepted already is not attempted again: the DELIVERED record is returned as is
    (a CdrCreated event delivered twice by EventBridge must not bill twice)."""
    previous = get(cdr_id, party_key)
    if previous is not None and previous.status is DeliveryStatus.DELIVERED:
        return previous
    attempts = (previous.attempts if previous else 0) + 1
    wait = BACKOFF[min(attempts, len(BACKOFF)) - 1]
    return _store(
        Delivery(
            cdr_id=cdr_id,
            party=party_key,
            status=DeliveryStatus.PENDING,
            attempts=attempts,
            next_attempt_at=sortable_time(now + wait),
            last_attempt_at=sortable_time(now),
            last_error=previous.last_error if previous else None,
        )
    )


def finish(attempt: Delivery, *, error: str | None, party_label: str) -> Delivery:
    """The outcome of the attempt ``begin`` recorded: delivered, due again, or FAILED for good."""
    if error is None:
        delivered = Delivery(
            attempt.cdr_id, attempt.party, DeliveryStatus.DELIVERED, attempt.attempts, None,
            attempt.last_attempt_at,
        )
        if attempt.attempts > 1:
            logger.info("cdr delivered after retries", cdr_id=attempt.cdr_id, party=party_label,
                        attempts=attempt.attempts)
        return _store(delivered)
    if attempt.attempts < MAX_ATTEMPTS:
        return _store(
            Delivery(
                attempt.cdr_id, attempt.party, DeliveryStatus.PENDING, attempt.attempts,
                attempt.next_attempt_at, attempt.last_attempt_at, error,
            )
        )
    logger.error("cdr undelivered: attempts exhausted, the operator must act", cdr_id=attempt.cdr_id,
                 party=party_label, attempts=attempt.attempts, reason=error)
    count(UNDELIVERED_METRIC, party=party_label)
    return _store(
        Delivery(
            attempt.cdr_id, attempt.party, DeliveryStatus.FAILED, attempt.attempts, None,
            attempt.last_attempt_at, error,
        )
    )


def due(now: datetime, limit: int = 100) -> list[Delivery]:
    """PENDING deliveries whose next attempt is due at ``now``, the longest waiting first."""
    return [Delivery.from_record(r) for r in repository.deliveries_in("PENDING", sortable_time(now), limit)]


def redeliver(cdr_id: str, now: datetime) -> list[Delivery]:
    """The operator's new round: every undelivered delivery of the CDR is due now, with its attempts
    counted afresh (the bound applies again). A delivered one is left alone: it is never sent twice."""
    again = [
        _store(Delivery(d.cdr_id, d.party, DeliveryStatus.PENDING, 0, sortable_time(now), d.last_attempt_at,
                        d.last_error))
        for d in map(Delivery.from_record, repository.deliveries_of(cdr_id))
        if d.status is not DeliveryStatus.DELIVERED
    ]
    if again:
        logger.info("cdr redelivery requested", cdr_id=cdr_id, parties=[d.party for d in again])
    return again


def undelivered(limit: int = 1000) -> list[Delivery]:
    """What the operator sees: FAILED deliveries first (oldest first), then those still being retried."""
    return [
        Delivery.from_record(r)
        for queue in ("FAILED", "PENDING")
        for r in repository.deliveries_in(queue, limit=limit)
    ]
