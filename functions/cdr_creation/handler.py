"""CDR creation: an EventBridge rule on ``SessionCompleted`` → this function (``detail`` is the
domain event envelope). Creating the CDR twice is impossible (conditional Put on a derived id), so a
redelivered event is harmless."""

from mobie_hub.cdrs.creation import create_cdr_for
from mobie_hub.core.observability import logger
from mobie_hub.events.envelope import DomainEvent
from mobie_hub.wiring import aws

aws.install()  # the composition root: which adapter fills which port in AWS


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context) -> dict:
    envelope = DomainEvent.model_validate(event["detail"])
    session_id = envelope.detail["session_id"]
    return {"session_id": session_id, "outcome": create_cdr_for(session_id).value}
