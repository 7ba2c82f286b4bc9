"""Lambda entry of the operator's admin operations (invoked with IAM by `mobie-hub ... --stack`)."""

from mobie_hub.admin.lambda_entry import handle
from mobie_hub.core.observability import logger
from mobie_hub.wiring import aws

aws.install()  # the composition root: which adapter fills which port in AWS


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context) -> dict:
    return handle(event)
