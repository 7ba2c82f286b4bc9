"""Versions module (OCPI 2.2.1 version_information_endpoint §1-§2): versions list and details."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from mobie_hub.core.modules import MODULES, SUPPORTED_VERSIONS, OcpiVersion
from mobie_hub.core.settings import get_settings
from mobie_hub.ocpi.auth import caller_for
from mobie_hub.ocpi.envelope import OcpiResponse, ocpi_response
from mobie_hub.ocpi.versioning import request_version

router = APIRouter(dependencies=[Depends(caller_for("versions"))])


def versions_list() -> list[dict[str, str]]:
    settings = get_settings()
    return [{"version": v.value, "url": settings.ocpi_url(v.value, "details")} for v in SUPPORTED_VERSIONS]


def version_details(version: OcpiVersion) -> dict:
    settings = get_settings()
    endpoints = [
        {"identifier": m.identifier, "role": m.role.value, "url": settings.ocpi_url(version.value, m.identifier)}
        for m in MODULES
        if m.in_details
    ]
    return {"version": version.value, "endpoints": endpoints}


@router.get("/ocpi/versions")
def get_versions() -> OcpiResponse:
    return ocpi_response(versions_list())


@router.get("/ocpi/{version}/details")
def get_version_details(version: OcpiVersion = Depends(request_version)) -> OcpiResponse:
    return ocpi_response(version_details(version))
