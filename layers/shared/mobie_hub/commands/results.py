"""OCPI 2.2.1 mod_commands §13.3.3, §13.4.2: the CommandResult the command lifecycle POSTs to the
request's ``response_url`` (``commands.delivery``), decided by ``commands.tables``. Apart from the
requests (``commands.models``): the commands Lambda answers a CommandResponse and never builds one.
"""

from __future__ import annotations

from enum import StrEnum

from mobie_hub.core.models import DisplayText, OcpiModel


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


class CommandResult(OcpiModel):
    """OCPI 2.2.1 mod_commands §13.3.3 CommandResult (POSTed later to the ``response_url``)."""

    result: CommandResultType
    message: list[DisplayText] | None = None
