"""Lambda entry of the OCPP gateway: the $connect REQUEST authorizer (station, subprotocol, HTTP Basic auth)."""

from mobie_hub.core.observability import logger
from mobie_hub.ocpp.lambda_entry import authorize
from mobie_hub.wiring import aws

aws.install()  # the composition root: which adapter fills which port in AWS


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context) -> dict:
    return authorize(event)
