"""The command lifecycle's send task (Step Functions ``lambda:invoke.waitForTaskToken``): sends the
command's OCPP call with the task token as its context (``mobie_hub.commands.workflow_steps``)."""

from mobie_hub.commands.workflow_steps import send_step
from mobie_hub.core.observability import logger
from mobie_hub.wiring import aws

aws.install()  # the composition root: which adapter fills which port in AWS


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context) -> dict:
    return send_step(event)
