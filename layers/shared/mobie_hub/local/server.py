"""``mobie-hub serve``: the whole hub on one port, backed by the embedded DynamoDB."""

from __future__ import annotations

import os
from dataclasses import dataclass

from mobie_hub.observability import logger


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None
    demo: bool = True

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"


def create_local_app():
    """Every OCPI module plus the loopback-only admin interface in one ASGI app."""
    from mobie_hub.admin.http import router as admin_router
    from mobie_hub.ocpi.app import create_app

    app = create_app()
    app.include_router(admin_router)
    return app


def serve(options: ServeOptions) -> None:
    """Run until Ctrl-C; uvicorn handles the signal and shuts down cleanly, then the store stops."""
    import uvicorn

    from mobie_hub.local.demo import load_demo_data
    from mobie_hub.local.embedded_aws import embedded_aws

    os.environ["MOBIE_PUBLIC_URL"] = options.base_url
    with embedded_aws() as endpoint:
        logger.info("embedded DynamoDB ready", endpoint=endpoint)
        if options.demo:
            counts = load_demo_data()
            logger.info("demo data loaded", **counts)
        config = uvicorn.Config(create_local_app(), host=options.host, port=options.port, log_level="info")
        logger.info("hub listening", versions_url=f"{options.base_url}/ocpi/versions")
        try:
            uvicorn.Server(config).run()
        except KeyboardInterrupt:  # uvicorn shut down gracefully, then re-raised the Ctrl-C it caught
            pass
    logger.info("hub stopped")
