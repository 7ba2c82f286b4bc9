"""Build the FastAPI app for one OCPI module (a Lambda) or for all of them (the local hub)."""

from __future__ import annotations

from fastapi import FastAPI

from mobie_hub.audit.asgi import AuditMiddleware
from mobie_hub.ocpi.error_mapping import install_error_handlers
from mobie_hub.ocpi.middleware import BodyGuardMiddleware, OcpiHeadersMiddleware
from mobie_hub.ocpi.modules import MODULES
from mobie_hub.ocpi.routers import load_router


def create_app(*modules: str) -> FastAPI:
    """An app serving the named modules (all of them when none is named)."""
    app = FastAPI(
        title="MOBI.E OCPI hub",
        version="2.2.1",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # the OCPI spec is the contract; no schema endpoint on the EMSP-facing API
    )
    install_error_handlers(app)
    app.add_middleware(BodyGuardMiddleware)  # authenticated before the body is read; body limits
    app.add_middleware(OcpiHeadersMiddleware)
    app.add_middleware(AuditMiddleware)  # outermost: every OCPI request and response into the audit trail
    for identifier in modules or tuple(m.identifier for m in MODULES):
        router = load_router(identifier)
        if router is not None:
            app.include_router(router)
    return app
