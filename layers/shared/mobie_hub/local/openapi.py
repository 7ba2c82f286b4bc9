"""The OCPI API's OpenAPI documents: what each route answers (the one table the routes do not say
themselves), the documents of OCPI 2.2 and 2.2.1, served by the local hub at ``/openapi.json`` and
``/docs``, and written into ``docs/openapi/`` by ``make openapi``
(``python -m mobie_hub.local.openapi docs/openapi``).

The Lambdas do not serve them (docs/openapi/README.md): the EMSP-facing API stays the OCPI contract
alone, with no schema endpoint to probe and nothing more to load at a cold start.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from mobie_hub.cdrs.models import MobieCdr
from mobie_hub.commands.models import CommandResponse
from mobie_hub.commands.reservations import CancelReservation, ReserveNow
from mobie_hub.commands.router import REQUESTS as COMMAND_REQUESTS
from mobie_hub.core.errors import NotFound
from mobie_hub.core.modules import SUPPORTED_VERSIONS
from mobie_hub.core.versions import Version, VersionDetails
from mobie_hub.locations.enums import CAPABILITIES_2_2_1_ONLY
from mobie_hub.locations.models import EVSE, Connector, MobieLocation
from mobie_hub.ocpi.openapi import Operation, OperationKey, build_document, ocpi_routes
from mobie_hub.parties.models import ClientInfo, Credentials
from mobie_hub.sessions.models import Session
from mobie_hub.tariffs.models import Tariff
from mobie_hub.tokens.models import Token

COMMANDS = {**COMMAND_REQUESTS, "RESERVE_NOW": ReserveNow, "CANCEL_RESERVATION": CancelReservation}
TOKEN = "/ocpi/{version}/tokens/{country_code}/{party_id}/{uid}"
LOCATION = "/ocpi/{version}/locations/{location_id}"
TARIFF = "/ocpi/{version}/tariffs/{country_code}/{party_id}/{tariff_id}"

# (method, route path) → what it answers. build_document refuses a route missing here.
OPERATIONS: dict[OperationKey, Operation] = {
    ("GET", "/ocpi/versions"): Operation("The OCPI versions the hub offers", Version, many=True),
    ("GET", "/ocpi/{version}/details"): Operation(
        "The modules of this version and their URLs", VersionDetails),
    ("GET", "/ocpi/{version}/credentials"): Operation("The hub's credentials for the caller", Credentials),
    ("POST", "/ocpi/{version}/credentials"): Operation(
        "Register with token A: the hub answers its credentials with the caller's token C", Credentials),
    ("PUT", "/ocpi/{version}/credentials"): Operation(
        "Update the caller's credentials (new token C)", Credentials),
    ("DELETE", "/ocpi/{version}/credentials"): Operation("Unregister"),
    ("GET", "/ocpi/{version}/locations"): Operation(
        "Published Locations (with mobie_voltage_level)", MobieLocation, many=True, paginated=True),
    ("GET", LOCATION): Operation("One published Location", MobieLocation),
    ("GET", LOCATION + "/{evse_uid}"): Operation("One EVSE of a published Location", EVSE),
    ("GET", LOCATION + "/{evse_uid}/{connector_id}"): Operation("One Connector of an EVSE", Connector),
    ("GET", "/ocpi/{version}/sessions"): Operation(
        "The caller's Sessions", Session, many=True, paginated=True),
    ("GET", "/ocpi/{version}/cdrs"): Operation(
        "The caller's CDRs (with mobie_cdr_extension)", MobieCdr, many=True, paginated=True),
    ("GET", "/ocpi/{version}/tariffs"): Operation("The Tariffs", Tariff, many=True, paginated=True),
    ("GET", TARIFF): Operation("A tariff of the calling CPO, as the hub holds it", Tariff),
    ("PUT", TARIFF): Operation("A CPO pushes its tariff: a new version from the hub's time (HTTP 201 when new)"),
    ("PATCH", TARIFF): Operation("Change fields of a CPO's tariff (a MOBI.E extension; last_updated required)"),
    ("DELETE", TARIFF): Operation("Delete a CPO's tariff that no connector references (else HTTP 409)"),
    ("GET", TOKEN): Operation("A token the caller pushed", Token),
    ("PUT", TOKEN): Operation("Push a token (HTTP 201 when new)"),
    ("PATCH", TOKEN): Operation("Change fields of a token (last_updated required)"),
    ("POST", "/ocpi/{version}/commands/{command}"): Operation(
        "Ask for a command; the CommandResult is POSTed to response_url later", CommandResponse,
        bodies=COMMANDS),
    ("GET", "/ocpi/{version}/hubclientinfo"): Operation(
        "The parties connected to the hub and their status", ClientInfo, many=True, paginated=True),
}

TITLE = "MOBI.E OCPI hub"
DESCRIPTION = (
    "The OCPI {version} interface of the MOBI.E hub towards EMSPs, generated from the models the hub "
    "validates with (`make openapi`). Every answer is in the OCPI envelope; errors carry an OCPI status "
    "code (2xxx client, 3xxx server, 4xxx hub) and the HTTP code of docs/architecture.md. Authenticate "
    "with `Authorization: Token <base64 of your token>`; in production with the client certificate too."
)


@cache
def document(version: str) -> dict[str, Any]:
    """The OpenAPI document of one offered OCPI version (2.2 or 2.2.1)."""
    if version not in {v.value for v in SUPPORTED_VERSIONS}:
        raise ValueError(f"OCPI {version} is not offered")
    is_2_2 = version == "2.2"
    return build_document(
        ocpi_routes(), OPERATIONS, version, title=f"{TITLE} (OCPI {version})",
        description=DESCRIPTION.format(version=version),
        removed_values={"Capability": [c.value for c in CAPABILITIES_2_2_1_ONLY]} if is_2_2 else {},
        drops_2_2_1_only=is_2_2,
    )


def file_name(version: str) -> str:
    return f"ocpi-{version}.json"


def rendered(version: str) -> str:
    """The committed form of a document (``make openapi``; the drift test compares with it)."""
    return json.dumps(document(version), indent=2, ensure_ascii=False) + "\n"


def write_documents(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for version in SUPPORTED_VERSIONS:
        path = directory / file_name(version.value)
        path.write_text(rendered(version.value), encoding="utf-8")
        written.append(path)
    return written


# Served by the local hub only (outside /ocpi: no token, not in the audit trail).
router = APIRouter(include_in_schema=False)
PREFERRED = SUPPORTED_VERSIONS[0].value


def _served(version: str, request: Request) -> JSONResponse:
    served = dict(document(version))
    served["servers"] = [{"url": str(request.base_url).rstrip("/"), "description": "this local hub"}]
    return JSONResponse(served)


@router.get("/openapi.json")
def openapi_json(request: Request) -> JSONResponse:
    """The preferred version's document (2.2.1); /openapi/2.2.json for OCPI 2.2."""
    return _served(PREFERRED, request)


@router.get("/openapi/{version}.json")
def openapi_of_version(version: str, request: Request) -> JSONResponse:
    if version not in {v.value for v in SUPPORTED_VERSIONS}:
        raise NotFound(f"OCPI {version} is not offered; see /ocpi/versions")
    return _served(version, request)


@router.get("/docs")
def docs() -> HTMLResponse:
    """Swagger UI with a version selector (its script comes from the jsDelivr CDN, loaded by the browser,
    not by the hub)."""
    urls = [{"url": f"/openapi/{v.value}.json", "name": f"OCPI {v.value}"} for v in SUPPORTED_VERSIONS]
    return get_swagger_ui_html(openapi_url="/openapi.json", title=TITLE,
                               swagger_ui_parameters={"urls": urls, "persistAuthorization": False})


def main(argv: list[str]) -> int:
    directory = Path(argv[0] if argv else "docs/openapi")
    for path in write_documents(directory):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
