"""The push fan-out workflow's two tasks (Step Functions Express: Map over recipients).

- ``recipients``: the EventBridge event → ``{"event": envelope, "recipients": [party keys]}``
- ``push``: ``{"event": envelope, "party": key}`` → the outcome (a failed push is reported, not raised:
  the workflow never retries a push, profile §3; a CDR's is retried by ``functions/cdr_redelivery``)."""

from mobie_hub.core.observability import logger
from mobie_hub.events import fanout
from mobie_hub.events.envelope import DomainEvent
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
