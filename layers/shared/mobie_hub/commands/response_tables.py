"""The CommandResponse tables of profile §11 (START_SESSION, STOP_SESSION, UNLOCK_CONNECTOR): what the
receiver answers at once. Pure: facts in, ``Decision`` out. The CommandResult tables, which the command
lifecycle decides by, are ``commands.tables`` (the receiver, and so the commands Lambda, needs none).

A table is a tuple of ``Row``s, read top to bottom; the first row whose named columns all equal the
facts decides. A column a row does not name is the profile's ``*`` / ``–`` (any value). Messages
are the profile's text exactly; ``{stop_timestamp}`` and ``{reason}`` are filled from the facts.
Rows marked (choice) are the hub's where the profile says nothing (docs/commands.md).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from mobie_hub.commands.models import CommandResponseType as Response
from mobie_hub.core.types import format_datetime

if TYPE_CHECKING:  # the CommandResult tables (commands.tables) reuse Row and Decision
    from mobie_hub.commands.results import CommandResultType as Result


class Row(NamedTuple):
    when: dict[str, Any]
    result: Response | Result
    message: str | None = None


class Decision(NamedTuple):
    result: Response | Result
    message: str | None = None


def decide(table: tuple[Row, ...], facts: Any) -> Decision:
    values = facts if isinstance(facts, dict) else asdict(facts)
    for row in table:
        if all(values[column] == wanted for column, wanted in row.when.items()):
            message = row.message.format(**values) if row.message else None
            return Decision(row.result, message)
    raise AssertionError(f"no row of the table matches {values}")  # every table ends with a catch-all


# --- START_SESSION -------------------------------------------------------------------------------
# Columns: token_valid, evse_in_location, station_online, remote_capable (the EVSE's capabilities
# list REMOTE_START_STOP_CAPABLE).
# Profile §11 STOP_SESSION (seed §3.9.3.2): "If the given charging station does not support remotely
# stopping a session, then the following CommandResponse result shall be given: NOT_SUPPORTED" (no
# message). (choice) START_SESSION answers an EVSE that cannot start remotely the same way: its
# capabilities say so (OCPI EVSE.capabilities), so the hub neither calls the station nor stores a command.
NOT_REMOTE_CAPABLE = Row({"evse_in_location": True, "remote_capable": False}, Response.NOT_SUPPORTED)
START_SESSION_RESPONSE: tuple[Row, ...] = (
    NOT_REMOTE_CAPABLE,
    Row({"token_valid": True, "evse_in_location": True, "station_online": True}, Response.ACCEPTED),
    Row({"station_online": False}, Response.REJECTED, "The requested charging station is currently offline."),
    Row({"token_valid": False}, Response.REJECTED, "The requested token is invalid."),
    Row(
        {"evse_in_location": False},
        Response.REJECTED,
        "The requested EVSE UID does not exist in the location.",
    ),
)


# --- STOP_SESSION --------------------------------------------------------------------------------
# Columns: session_exists, active, owned, station_online, remote_capable (the session's EVSE lists
# REMOTE_START_STOP_CAPABLE).
NOT_OWNED = "The requested session is not owned by the requesting party."
STOP_SESSION_RESPONSE: tuple[Row, ...] = (
    # the profile's NOT_SUPPORTED rule, before the table; (choice) only for the EMSP's own session, so
    # another party's session tells it nothing more than "not owned"
    Row({"session_exists": True, "owned": True, "remote_capable": False}, Response.NOT_SUPPORTED),
    Row({"session_exists": True, "active": True, "owned": True, "station_online": True}, Response.ACCEPTED),
    Row(
        {"session_exists": True, "active": True, "owned": True, "station_online": False},
        Response.REJECTED,
        "The requested session is currently offline.",
    ),
    Row({"session_exists": True, "active": True, "owned": False}, Response.REJECTED, NOT_OWNED),
    Row(
        {"session_exists": True, "active": False, "owned": True},
        Response.REJECTED,
        "The requested session is no longer active.",
    ),
    Row({"session_exists": True, "active": False, "owned": False}, Response.REJECTED, NOT_OWNED),
    Row({"session_exists": False}, Response.UNKNOWN_SESSION),
)


# --- UNLOCK_CONNECTOR ----------------------------------------------------------------------------
# Columns: active_session_of_emsp, recent_session_of_emsp (else: the last user was the EMSP's, under
# 24 h ago), station_online, stop_timestamp.
OFFLINE = "Impossible to perform the requested command as the charging station is offline."
ENDED_AT = "Warning: the charging session had ended at {stop_timestamp}"
UNLOCK_RESPONSE: tuple[Row, ...] = (
    Row({"active_session_of_emsp": True, "station_online": True}, Response.ACCEPTED),
    Row({"active_session_of_emsp": True, "station_online": False}, Response.REJECTED, OFFLINE),
    Row({"recent_session_of_emsp": True, "station_online": True}, Response.ACCEPTED, ENDED_AT),
    Row(
        {"recent_session_of_emsp": True, "station_online": False}, Response.REJECTED, f"{OFFLINE} {ENDED_AT}"
    ),
    Row({}, Response.REJECTED, "There is no valid session owned by the EMSP on the charging station"),
)


# --- the entry points --------------------------------------------------------------------------------
def start_session_response(
    *, token_valid: bool, evse_in_location: bool, station_online: bool, remote_capable: bool
) -> Decision:
    facts = {
        "token_valid": token_valid,
        "evse_in_location": evse_in_location,
        "station_online": station_online,
        "remote_capable": remote_capable,
    }
    return decide(START_SESSION_RESPONSE, facts)


def stop_session_response(
    *, session_exists: bool, active: bool, owned: bool, station_online: bool, remote_capable: bool
) -> Decision:
    facts = {
        "session_exists": session_exists,
        "active": active,
        "owned": owned,
        "station_online": station_online,
        "remote_capable": remote_capable,
    }
    return decide(STOP_SESSION_RESPONSE, facts)


def unlock_response(
    *, active_session_of_emsp: bool, recent_stop: datetime | None, station_online: bool
) -> Decision:
    """``recent_stop``: when the EMSP's user's last session on the EVSE ended, if under 24 h ago."""
    facts = {
        "active_session_of_emsp": active_session_of_emsp,
        "recent_session_of_emsp": recent_stop is not None,
        "station_online": station_online,
        "stop_timestamp": format_datetime(recent_stop) if recent_stop else None,
    }
    return decide(UNLOCK_RESPONSE, facts)
