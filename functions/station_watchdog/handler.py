"""Lambda entry of the OCPP gateway's heartbeat watchdog (issue #17 item 4): run by a schedule, it
marks offline (EVSEs UNKNOWN) every station not heard for longer than MOBIE_OCPP_OFFLINE_GRACE_SECONDS
or disconnected for longer than MOBIE_OCPP_DISCONNECT_GRACE_SECONDS."""

from datetime import timedelta

from mobie_hub.core.observability import logger
from mobie_hub.core.settings import get_settings
from mobie_hub.core.types import utcnow
from mobie_hub.ocpp.watchdog import sweep
from mobie_hub.wiring import aws

aws.install()  # the composition root: which adapter fills which port in AWS


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context) -> dict:
    settings = get_settings()
    result = sweep(
        utcnow(),
        timedelta(seconds=settings.ocpp_offline_grace_seconds),
        timedelta(seconds=settings.ocpp_disconnect_grace_seconds),
    )
    return {"silent": result.silent, "disconnected": result.disconnected, "marked": result.marked}
