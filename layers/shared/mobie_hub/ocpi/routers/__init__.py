"""One FastAPI router per OCPI module, imported lazily so each Lambda loads only its own module."""

from __future__ import annotations

from importlib import import_module

from fastapi import APIRouter

from mobie_hub.ocpi.modules import MODULES_BY_ID

# Modules whose router exists (``mobie_hub.ocpi.routers.<identifier>``). A module listed in the
# catalogue but not here answers 404 in the OCPI envelope until its issue lands.
IMPLEMENTED: frozenset[str] = frozenset({
    "commands",
    "cdrs",
    "credentials",
    "hubclientinfo",
    "locations",
    "sessions",
    "tariffs",
    "tokens",
    "versions",
})


def load_router(identifier: str) -> APIRouter | None:
    if identifier not in MODULES_BY_ID:
        raise ValueError(f"unknown OCPI module {identifier!r}")
    if identifier not in IMPLEMENTED:
        return None
    return import_module(f"{__name__}.{identifier}").router
