"""Lambda entry of the OCPI hubclientinfo module: Mangum around the module's FastAPI app (built once per container)."""

from mangum import Mangum

from mobie_hub.core.observability import logger
from mobie_hub.ocpi.app import create_app
from mobie_hub.wiring import aws

aws.install()  # the composition root: which adapter fills which port in AWS

app = Mangum(create_app("hubclientinfo"), lifespan="off")


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context) -> dict:
    return app(event, context)
