"""Lambda entry of the operator's admin operations (invoked with IAM by `mobie-hub ... --stack`)."""

from mobie_hub.admin.lambda_entry import handle
from mobie_hub.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context) -> dict:
    return handle(event)
