"""CDR creation: an EventBridge rule on ``SessionCompleted`` → this function (``detail`` is the
domain event envelope). Creating the CDR twice is impossible (conditional Put on a derived id), so a
redelivered event is harmless. The CPO's copy of a completion (``detail.owner.role`` CPO) is skipped:
the EMSP's event of the same write creates the CDR."""

from mobie_hub.cdrs.creation import create_cdr_for
from mobie_hub.core.observability import logger
from mobie_hub.events.envelope import DomainEvent
from mobie_hub.events.sessions import bills
from mobie_hub.wiring import aws

aws.install()  # the composition root: which adapter fills which port in AWS


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context) -> dict:
    envelope = DomainEvent.model_validate(event["detail"])
    session_id = envelope.detail["session_id"]
    if not bills(envelope.detail):
        return {"session_id": session_id, "outcome": "skipped"}
    return {"session_id": session_id, "outcome": create_cdr_for(session_id).value}
