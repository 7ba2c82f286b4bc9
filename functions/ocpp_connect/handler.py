"""Lambda entry of the OCPP gateway: $connect: map the station to its connection, echo the ocpp1.6 subprotocol."""

from mobie_hub.core.observability import logger
from mobie_hub.ocpp.lambda_entry import connect
from mobie_hub.wiring import aws

aws.install()  # the composition root: which adapter fills which port in AWS


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context) -> dict:
    return connect(event)
