"""The push workflows' tasks and the push sweep (docs/events.md).

- ``recipients`` (fan-out workflow): the EventBridge event of a Location → its claimed fan-out
  ``{"next": "push", "event", "lease", "batches": [[party keys]]}``, ``{"next": "wait", "wait": s}``
  (planned again after the workflow's Wait) or ``{"next": "done", "skipped": why}``
  (``events.location_push.plan``)
- ``push`` (fan-out workflow, one per batch of the Map): ``{"event", "lease", "parties": [keys]}`` →
  the outcome of each party's push, all made at once
- ``owner`` (owner workflow): the EventBridge event of a session or CDR → the outcome of its one push
- ``resync`` (a schedule): the session rechecks that are due → ``SessionResync`` events on the bus
A failed push is reported, not raised: the workflows never retry a push (profile §3; a CDR's is
retried by ``functions/cdr_redelivery``)."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from mobie_hub.audit.recorder import batched
from mobie_hub.core.observability import logger
from mobie_hub.core.settings import get_settings
from mobie_hub.events import fanout, location_push
from mobie_hub.events.envelope import DomainEvent
from mobie_hub.events.location_claims import Lease
from mobie_hub.events.publisher import EventBridgePublisher
from mobie_hub.parties.repository import get_party
from mobie_hub.wiring import aws

aws.install()  # the composition root: which adapter fills which port in AWS


@logger.inject_lambda_context(clear_state=True)
def recipients(event: dict, context) -> dict:
    planned = location_push.plan(DomainEvent.model_validate(event["detail"]))
    # A busy event keeps its bus event, so the workflow's Wait hands it back here as it came.
    return planned | {"detail": event["detail"]} if planned["next"] == "wait" else planned


@logger.inject_lambda_context(clear_state=True)
@batched()  # the audit records of every call of the batch leave in one Firehose delivery, not 2 a call
def push(event: dict, context) -> list[dict]:
    lease = Lease(**event["lease"]) if event.get("lease") else None
    with _warnings_only():
        return location_push.push_batch(DomainEvent.model_validate(event["event"]), event["parties"], lease)


@contextmanager
def _warnings_only() -> Iterator[None]:
    """A batch logs its failures only: each call is in the audit trail (Firehose), and the batch's
    PushSent metric counts them; an 'ocpi call' line per push was ~0.5 KB of CloudWatch Logs each."""
    level = logger.log_level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


@logger.inject_lambda_context(clear_state=True)
@batched()  # the call's request and response records: one Firehose delivery
def owner(event: dict, context) -> dict:
    envelope = DomainEvent.model_validate(event["detail"])
    outcome = fanout.push_to_owner(envelope, get_party)
    return outcome or {"event_name": envelope.event_name, "party": fanout.owner_key(envelope), "ok": True,
                       "skipped": "no registered receiver"}


RESYNC_BATCH = 100
RESERVE_MS = 10_000  # start a batch only with this much time left (a batch reads 2 items a recheck)


@logger.inject_lambda_context(clear_state=True)
def resync(event: dict, context) -> dict:
    publisher = EventBridgePublisher(get_settings().event_bus_name)
    total = {"due": 0, "published": 0}
    while context.get_remaining_time_in_millis() > RESERVE_MS:
        batch = fanout.resync_due(publisher.publish, limit=RESYNC_BATCH)
        total = {key: total[key] + batch[key] for key in total}
        if batch["due"] < RESYNC_BATCH:
            break
    return total
