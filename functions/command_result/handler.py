"""The command lifecycle's decide task: the CommandResult by the profile §11 tables, POSTed to the
EMSP's response_url (``mobie_hub.commands.workflow_steps``)."""

from mobie_hub.audit.recorder import batched
from mobie_hub.commands.workflow_steps import decide_step
from mobie_hub.core.observability import logger
from mobie_hub.wiring import aws

aws.install()  # the composition root: which adapter fills which port in AWS


@logger.inject_lambda_context(clear_state=True)
@batched()  # the POST's request and response records: one Firehose delivery
def handler(event: dict, context) -> dict:
    return decide_step(event)
