"""OCPI 2.2.1 mod_commands §13.3-§13.4: command requests, the CPO's response and the async result.

MOBI.E supports START_SESSION, STOP_SESSION and UNLOCK_CONNECTOR (profile §11); the other objects are
here so that any OCPI command request parses and can be answered NOT_SUPPORTED.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field

from mobie_hub.core.models import DisplayText, OcpiModel
from mobie_hub.core.types import URL, CiString36, OcpiDateTime
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


class CommandResultType(StrEnum):
    """OCPI 2.2.1 mod_commands §13.4.2 CommandResultType."""

    ACCEPTED = "ACCEPTED"
    CANCELED_RESERVATION = "CANCELED_RESERVATION"
    EVSE_OCCUPIED = "EVSE_OCCUPIED"
    EVSE_INOPERATIVE = "EVSE_INOPERATIVE"
    FAILED = "FAILED"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    TIMEOUT = "TIMEOUT"
    UNKNOWN_RESERVATION = "UNKNOWN_RESERVATION"


class CommandResponse(OcpiModel):
    """OCPI 2.2.1 mod_commands §13.3.2 CommandResponse (the synchronous answer)."""

    result: CommandResponseType
    timeout: Annotated[int, Field(ge=0)]
    message: list[DisplayText] | None = None


class CommandResult(OcpiModel):
    """OCPI 2.2.1 mod_commands §13.3.3 CommandResult (POSTed later to the ``response_url``)."""

    result: CommandResultType
    message: list[DisplayText] | None = None


class CancelReservation(OcpiModel):
    """OCPI 2.2.1 mod_commands §13.3.1 CancelReservation."""

    response_url: URL
    reservation_id: CiString36


class ReserveNow(OcpiModel):
    """OCPI 2.2.1 mod_commands §13.3.4 ReserveNow."""

    response_url: URL
    token: Token
    expiry_date: OcpiDateTime
    reservation_id: CiString36
    location_id: CiString36
    evse_uid: CiString36 | None = None
    authorization_reference: CiString36 | None = None


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
