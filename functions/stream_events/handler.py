"""EventBridge Pipe enrichment: a batch of DynamoDB stream records → domain event envelopes.

The Pipe delivers each returned envelope to the event bus as one event's ``detail``; an empty list
sends nothing (a change no EMSP needs to hear about)."""

from mobie_hub.core.observability import logger
from mobie_hub.events.stream import events_from_records
from mobie_hub.wiring import aws

aws.install()  # the composition root: which adapter fills which port in AWS


@logger.inject_lambda_context(clear_state=True)
def handler(event: list, context) -> list:
    return [domain_event.as_json() for domain_event in events_from_records(event)]
