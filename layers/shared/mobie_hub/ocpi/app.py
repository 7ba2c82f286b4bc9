"""Build the FastAPI app for one OCPI module (a Lambda) or for all of them (the local hub)."""

from __future__ import annotations

from importlib import import_module

from fastapi import APIRouter, FastAPI

from mobie_hub.core.modules import MODULES, MODULES_BY_ID
from mobie_hub.ocpi.audit_middleware import AuditMiddleware
from mobie_hub.ocpi.error_mapping import install_error_handlers
from mobie_hub.ocpi.middleware import BodyGuardMiddleware, OcpiHeadersMiddleware

# Each OCPI module's router lives in its feature package, imported lazily so that each Lambda loads
# only its own module (cold start: `make bench`).
ROUTERS: dict[str, str] = {
    "cdrs": "mobie_hub.cdrs.router",
    "commands": "mobie_hub.commands.router",
    "credentials": "mobie_hub.parties.credentials_router",
    "hubclientinfo": "mobie_hub.parties.client_info_router",
    "locations": "mobie_hub.locations.router",
    "sessions": "mobie_hub.sessions.router",
    "tariffs": "mobie_hub.tariffs.router",
    "tokens": "mobie_hub.tokens.router",
    "versions": "mobie_hub.parties.versions_router",
}


def load_router(identifier: str) -> APIRouter | None:
    """The router of one catalogued module; None for a catalogued module the hub does not serve
    (it answers 404 in the OCPI envelope)."""
    if identifier not in MODULES_BY_ID:
        raise ValueError(f"unknown OCPI module {identifier!r}")
    path = ROUTERS.get(identifier)
    return None if path is None else import_module(path).router


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
