"""Lambda entry of the OCPP gateway: $default: every OCPP frame a station sends (a two-way route: the answer is the response)."""

from mobie_hub.core.observability import logger
from mobie_hub.ocpp.lambda_entry import default
from mobie_hub.wiring import aws

aws.install()  # the composition root: which adapter fills which port in AWS


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context) -> dict:
    return default(event)
