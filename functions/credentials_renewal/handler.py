"""The credentials renewal workflow's task (Step Functions Standard, started daily by EventBridge
Scheduler): ``list_due``, ``renew`` one party, ``record_failure`` — see
``mobie_hub.parties.renewal.workflow_step``."""

from mobie_hub.core.observability import logger
from mobie_hub.outbound import get_client
from mobie_hub.parties.renewal import workflow_step
from mobie_hub.wiring import aws

aws.install()  # the composition root: which adapter fills which port in AWS


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context) -> dict:
    return workflow_step(event, get_client())
