"""Credentials module (OCPI 2.2.1 credentials §7): how parties register, update and unregister.

The logic is ``mobie_hub.parties.incoming``; this router only binds it to HTTP. The outbound client
(the hub reads the party's versions and details back) is a dependency, so tests can replace it.
"""

from __future__ import annotations

from typing import Annotated, NewType

from fastapi import APIRouter, Body, Depends

from mobie_hub.core.context import Caller
from mobie_hub.core.modules import OcpiVersion
from mobie_hub.ocpi.auth import caller_for
from mobie_hub.ocpi.envelope import OcpiResponse, ocpi_response
from mobie_hub.ocpi.versioning import request_version
from mobie_hub.outbound import OcpiClient, get_client
from mobie_hub.parties import incoming
from mobie_hub.parties.models import Credentials

router = APIRouter()
PATH = "/ocpi/{version}/credentials"
authenticated = caller_for("credentials")
# A NewType, so FastAPI builds the body's validator with the app, not at the first request (where
# pydantic would warn about the alias FastAPI attaches; tokens/router.py says why).
CredentialsBody = NewType("CredentialsBody", Credentials)


def outbound_client() -> OcpiClient:
    return get_client()


@router.get(PATH)
def get_credentials(
    version: OcpiVersion = Depends(request_version), caller: Caller = Depends(authenticated)
) -> OcpiResponse:
    return ocpi_response(incoming.current_credentials(caller))


@router.post(PATH)
def post_credentials(
    credentials: Annotated[CredentialsBody, Body()],
    version: OcpiVersion = Depends(request_version),
    caller: Caller = Depends(authenticated),
    client: OcpiClient = Depends(outbound_client),
) -> OcpiResponse:
    return ocpi_response(incoming.accept_registration(caller, credentials, version.value, client))


@router.put(PATH)
def put_credentials(
    credentials: Annotated[CredentialsBody, Body()],
    version: OcpiVersion = Depends(request_version),
    caller: Caller = Depends(authenticated),
    client: OcpiClient = Depends(outbound_client),
) -> OcpiResponse:
    return ocpi_response(incoming.accept_update(caller, credentials, version.value, client))


@router.delete(PATH)
def delete_credentials(
    version: OcpiVersion = Depends(request_version), caller: Caller = Depends(authenticated)
) -> OcpiResponse:
    incoming.accept_unregister(caller)
    return ocpi_response()
