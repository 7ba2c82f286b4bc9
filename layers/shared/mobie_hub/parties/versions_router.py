"""Versions module (OCPI 2.2.1 version_information_endpoint §1-§2): versions list and details.

The details list the modules and interface roles the caller's role is offered (``core.modules``):
an EMSP and a CPO of the same platform read different endpoints with their two tokens."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from mobie_hub.core.context import Caller
from mobie_hub.core.modules import SUPPORTED_VERSIONS, OcpiVersion, endpoints_for
from mobie_hub.core.settings import get_settings
from mobie_hub.ocpi.auth import caller_for
from mobie_hub.ocpi.envelope import OcpiResponse, ocpi_response
from mobie_hub.ocpi.versioning import request_version

caller = caller_for("versions")
router = APIRouter(dependencies=[Depends(caller)])


def versions_list() -> list[dict[str, str]]:
    settings = get_settings()
    return [{"version": v.value, "url": settings.ocpi_url(v.value, "details")} for v in SUPPORTED_VERSIONS]


def version_details(version: OcpiVersion, caller_role: str) -> dict:
    settings = get_settings()
    endpoints = [
        {"identifier": module, "role": interface.value, "url": settings.ocpi_url(version.value, module)}
        for module, interface in endpoints_for(caller_role)
    ]
    return {"version": version.value, "endpoints": endpoints}


@router.get("/ocpi/versions")
def get_versions() -> OcpiResponse:
    return ocpi_response(versions_list())


@router.get("/ocpi/{version}/details")
def get_version_details(
    version: OcpiVersion = Depends(request_version), who: Caller = Depends(caller)
) -> OcpiResponse:
    return ocpi_response(version_details(version, who.role))
