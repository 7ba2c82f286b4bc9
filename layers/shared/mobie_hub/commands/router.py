"""Commands module, receiver interface (OCPI 2.2.1 mod_commands §13.2.1; profile §11): EMSPs ask
MOBI.E to start or stop a session or to unlock a connector.

``POST /ocpi/{version}/commands/{START_SESSION|STOP_SESSION|UNLOCK_CONNECTOR}`` answers at once a
CommandResponse (``result``, ``timeout``, ``message``) chosen by the profile's tables, and later POSTs
the CommandResult to the request's ``response_url`` (``mobie_hub.commands``, docs/commands.md).
Reservations are not in Phase 1 (profile §13): RESERVE_NOW and CANCEL_RESERVATION answer
NOT_SUPPORTED. Any other command is unknown: 2001, HTTP 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends
from pydantic import BaseModel

from mobie_hub.commands import runtime
from mobie_hub.commands.models import (
    CommandResponse,
    CommandResponseType,
    CommandType,
    StartSession,
    StopSession,
    UnlockConnector,
)
from mobie_hub.commands.receiver import CommandReceiver, Requester
from mobie_hub.core import context, validation
from mobie_hub.core.context import Caller
from mobie_hub.core.errors import InvalidRequest, UnknownCommand
from mobie_hub.core.models import DisplayText
from mobie_hub.core.modules import OcpiVersion
from mobie_hub.ocpi.auth import caller_for
from mobie_hub.ocpi.envelope import OcpiResponse, ocpi_response
from mobie_hub.ocpi.versioning import request_version

caller = caller_for("commands")
router = APIRouter(dependencies=[Depends(caller)])
REQUESTS: dict[str, type[BaseModel]] = {
    CommandType.START_SESSION: StartSession,
    CommandType.STOP_SESSION: StopSession,
    CommandType.UNLOCK_CONNECTOR: UnlockConnector,
}
RESERVATIONS = frozenset({CommandType.RESERVE_NOW, CommandType.CANCEL_RESERVATION})


@router.post("/ocpi/{version}/commands/{command}")
def receive_command(
    command: str,
    body: Any = Body(None),
    version: OcpiVersion = Depends(request_version),
    who: Caller = Depends(caller),
) -> OcpiResponse:
    if command in RESERVATIONS:
        text = "Reservations are not supported by MOBI.E (Phase 1)."
        response = CommandResponse(
            result=CommandResponseType.NOT_SUPPORTED,
            timeout=0,
            message=[DisplayText(language="en", text=text)],
        )
        return ocpi_response(response)
    if command not in REQUESTS:
        raise UnknownCommand(f"{command!r} is not an OCPI command; MOBI.E supports {', '.join(REQUESTS)}")
    if not isinstance(body, dict):
        raise InvalidRequest("must be a JSON object", field="body")
    request = validation.parse(REQUESTS[command], body)
    receiver = CommandReceiver(runtime.sessions(), runtime.workflow())
    # the request's X-Correlation-ID (OcpiHeadersMiddleware): the CommandResult POST carries it back
    requester = Requester(who.country_code, who.party_id, context.correlation_id.get())
    handle = {
        CommandType.START_SESSION: receiver.start_session,
        CommandType.STOP_SESSION: receiver.stop_session,
        CommandType.UNLOCK_CONNECTOR: receiver.unlock_connector,
    }[CommandType(command)]
    return ocpi_response(handle(request, requester))
