"""OCPI 2.2.1 mod_commands §13.3-§13.4: the command requests MOBI.E supports (START_SESSION,
STOP_SESSION, UNLOCK_CONNECTOR, profile §11) and the CPO's response: what the commands Lambda reads
and answers. The asynchronous CommandResult, which the lifecycle POSTs, is ``commands.results``; the
reservation requests, answered NOT_SUPPORTED without being parsed (profile §13), ``commands.reservations``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field

from mobie_hub.core.models import DisplayText, OcpiModel
from mobie_hub.core.types import URL, CiString36
from mobie_hub.tokens.models import Token


class CommandType(StrEnum):
    """OCPI 2.2.1 mod_commands §13.4.3 CommandType."""

    CANCEL_RESERVATION = "CANCEL_RESERVATION"
    RESERVE_NOW = "RESERVE_NOW"
    START_SESSION = "START_SESSION"
    STOP_SESSION = "STOP_SESSION"
    UNLOCK_CONNECTOR = "UNLOCK_CONNECTOR"


class CommandResponseType(StrEnum):
    """OCPI 2.2.1 mod_commands §13.4.1 CommandResponseType."""

    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    ACCEPTED = "ACCEPTED"
    UNKNOWN_SESSION = "UNKNOWN_SESSION"


class CommandResponse(OcpiModel):
    """OCPI 2.2.1 mod_commands §13.3.2 CommandResponse (the synchronous answer)."""

    result: CommandResponseType
    timeout: Annotated[int, Field(ge=0)]
    message: list[DisplayText] | None = None


class StartSession(OcpiModel):
    """OCPI 2.2.1 mod_commands §13.3.5 StartSession (``connector_id`` is new in 2.2.1).

    OCPI leaves ``evse_uid`` optional; MOBI.E requires it (profile §11), which the command logic checks.
    """

    ocpi_2_2_1_only: ClassVar[frozenset[str]] = frozenset({"connector_id"})

    response_url: URL
    token: Token
    location_id: CiString36
    evse_uid: CiString36 | None = None
    connector_id: CiString36 | None = None
    authorization_reference: CiString36 | None = None


class StopSession(OcpiModel):
    """OCPI 2.2.1 mod_commands §13.3.6 StopSession."""

    response_url: URL
    session_id: CiString36


class UnlockConnector(OcpiModel):
    """OCPI 2.2.1 mod_commands §13.3.7 UnlockConnector."""

    response_url: URL
    location_id: CiString36
    evse_uid: CiString36
    connector_id: CiString36
