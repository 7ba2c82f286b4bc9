"""The push workflows' tasks and the push sweep (docs/events.md).

- ``recipients`` (fan-out workflow): the EventBridge event → ``{"event": envelope, "recipients": [party keys]}``
- ``push`` (fan-out workflow, one per party of the Map): ``{"event": envelope, "party": key}`` → the outcome
- ``owner`` (owner workflow): the EventBridge event of a session or CDR → the outcome of its one push
- ``resync`` (a schedule): the session rechecks that are due → ``SessionResync`` events on the bus
A failed push is reported, not raised: the workflows never retry a push (profile §3; a CDR's is
retried by ``functions/cdr_redelivery``)."""

from mobie_hub.core.observability import logger
from mobie_hub.core.settings import get_settings
from mobie_hub.events import fanout
from mobie_hub.events.envelope import DomainEvent
from mobie_hub.events.publisher import EventBridgePublisher
from mobie_hub.parties.repository import get_party
from mobie_hub.wiring import aws

aws.install()  # the composition root: which adapter fills which port in AWS


@logger.inject_lambda_context(clear_state=True)
def recipients(event: dict, context) -> dict:
    envelope = DomainEvent.model_validate(event["detail"])
    return {"event": envelope.as_json(), "recipients": fanout.recipients(envelope)}


@logger.inject_lambda_context(clear_state=True)
def push(event: dict, context) -> dict:
    envelope = DomainEvent.model_validate(event["event"])
    party = get_party(event["party"])
    if party is None:
        return {"event_name": envelope.event_name, "party": event["party"], "ok": False, "error": "party unknown"}
    return fanout.push(envelope, party)


@logger.inject_lambda_context(clear_state=True)
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
