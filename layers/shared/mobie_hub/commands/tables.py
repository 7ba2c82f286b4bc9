"""The decision tables of profile §11, row by row (CommandResponse and CommandResult of START_SESSION,
STOP_SESSION and UNLOCK_CONNECTOR). Pure: facts in, ``Decision`` out.

A table is a tuple of ``Row``s, read top to bottom; the first row whose named columns all equal the
facts decides. A column a row does not name is the profile's ``*`` / ``–`` (any value). Messages
are the profile's text exactly; ``{stop_timestamp}`` and ``{reason}`` are filled from the facts.
Rows marked (choice) are the hub's where the profile says nothing (docs/commands.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from mobie_hub.commands.models import CommandResponseType as Response
from mobie_hub.commands.models import CommandResultType as Result
from mobie_hub.core.types import format_datetime


@dataclass(frozen=True)
class Row:
    when: dict[str, Any]
    result: Response | Result
    message: str | None = None


@dataclass(frozen=True)
class Decision:
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
@dataclass(frozen=True)
class StartRequestFacts:
    token_valid: bool
    evse_in_location: bool
    station_online: bool
    remote_capable: bool  # the EVSE's capabilities list REMOTE_START_STOP_CAPABLE


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


@dataclass(frozen=True)
class StartFacts:
    """RST = RemoteStartTransaction, ST = StartTransaction.req (profile §11)."""

    conf_received: bool
    conf_status: str | None  # "Accepted" / "Rejected" (a CALLERROR counts as Rejected)
    st_received: bool
    active_same_token: bool
    active_other_token: bool
    evse_out_of_service: bool
    timed_out: bool
    send_failure: str | None = None  # (choice) the call could not be sent: "offline" / "busy"


NOT_STARTED = "The charging station has not confirmed that it started the transaction."
REJECTED_BY_STATION = "The charging station has rejected the request."
SEND_FAILURES: tuple[Row, ...] = (  # (choice) both tables: the call never reached the station
    Row({"send_failure": "offline"}, Result.FAILED, "The requested charging station is currently offline."),
    Row({"send_failure": "busy"}, Result.FAILED, "The charging station is busy with another request."),
)
START_SESSION_RESULT: tuple[Row, ...] = (
    *SEND_FAILURES,
    Row(
        {"conf_received": True, "conf_status": "Accepted", "st_received": True, "timed_out": False},
        Result.ACCEPTED,
    ),
    Row(
        {"conf_received": False, "st_received": True, "timed_out": False},
        Result.ACCEPTED,
        "WARNING! Original ack not received.",
    ),
    Row(
        {"conf_received": True, "conf_status": "Accepted", "st_received": False, "timed_out": True},
        Result.FAILED,
        NOT_STARTED,
    ),
    Row(
        {
            "conf_received": True,
            "conf_status": "Rejected",
            "st_received": False,
            "active_same_token": True,
            "active_other_token": False,
            "timed_out": False,
        },
        Result.EVSE_OCCUPIED,
        "The current user has an active transaction on the EVSE.",
    ),
    Row(
        {
            "conf_received": True,
            "conf_status": "Rejected",
            "st_received": False,
            "active_same_token": False,
            "active_other_token": False,
            "evse_out_of_service": True,
            "timed_out": False,
        },
        Result.EVSE_INOPERATIVE,
        "The requested EVSE is out of service.",
    ),
    Row(
        {
            "conf_received": True,
            "conf_status": "Rejected",
            "st_received": False,
            "active_same_token": False,
            "active_other_token": True,
            "timed_out": False,
        },
        Result.EVSE_OCCUPIED,
        "The EVSE is currently occupied.",
    ),
    Row({"conf_received": False, "st_received": False, "timed_out": True}, Result.TIMEOUT),
    Row({"conf_status": "Rejected"}, Result.REJECTED, REJECTED_BY_STATION),  # (choice) none of the above
    Row({}, Result.FAILED, NOT_STARTED),  # (choice) unreachable by the lifecycle; never ACCEPTED without ST
)


# --- STOP_SESSION --------------------------------------------------------------------------------
@dataclass(frozen=True)
class StopRequestFacts:
    session_exists: bool
    active: bool
    owned: bool
    station_online: bool
    remote_capable: bool  # the session's EVSE lists REMOTE_START_STOP_CAPABLE


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


@dataclass(frozen=True)
class StopFacts:
    """RSP = RemoteStopTransaction, SP = StopTransaction.req (profile §11)."""

    conf_received: bool
    conf_status: str | None
    sp_received: bool
    sp_reason: str | None
    timed_out: bool
    ocpp_version: str = "1.6"  # the hub speaks OCPP 1.6 only; the 1.5 column is kept for the table
    not_supported: bool = False  # (choice) the station answered CALLERROR NotSupported / NotImplemented
    send_failure: str | None = None

    @property
    def remote(self) -> bool:
        return self.sp_reason == "Remote" or self.ocpp_version == "1.5"


def _stop_facts(facts: StopFacts) -> dict[str, Any]:
    return {**asdict(facts), "remote": facts.remote}


STOP_SESSION_RESULT: tuple[Row, ...] = (
    *SEND_FAILURES,
    Row({"not_supported": True}, Result.NOT_SUPPORTED),
    Row(
        {
            "conf_received": True,
            "conf_status": "Accepted",
            "sp_received": True,
            "remote": True,
            "timed_out": False,
        },
        Result.ACCEPTED,
    ),
    Row(
        {
            "conf_received": True,
            "conf_status": "Accepted",
            "sp_received": True,
            "remote": False,
            "timed_out": False,
        },
        Result.ACCEPTED,
        "{sp_reason}",
    ),
    Row(
        {"conf_received": False, "sp_received": True, "timed_out": False},
        Result.ACCEPTED,
        "WARNING! Original ack not received. {sp_reason}",
    ),
    Row(
        {"conf_received": True, "conf_status": "Accepted", "sp_received": False, "timed_out": True},
        Result.FAILED,
        "The charging station has not confirmed that it stopped the transaction.",
    ),
    Row(
        {"conf_received": True, "conf_status": "Rejected", "sp_received": False, "timed_out": False},
        Result.FAILED,
        REJECTED_BY_STATION,
    ),
    Row({"conf_received": False, "sp_received": False, "timed_out": True}, Result.TIMEOUT),
    Row({}, Result.FAILED, REJECTED_BY_STATION),  # (choice) e.g. Rejected, then a StopTransaction anyway
)


# --- UNLOCK_CONNECTOR ----------------------------------------------------------------------------
@dataclass(frozen=True)
class UnlockRequestFacts:
    active_session_of_emsp: bool
    recent_session_of_emsp: bool  # else: the last user was the EMSP's, under 24 h ago
    station_online: bool
    stop_timestamp: str | None = None


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


@dataclass(frozen=True)
class UnlockFacts:
    conf_received: bool
    status: str | None  # UnlockStatus (1.6: Unlocked, UnlockFailed, NotSupported; 1.5: Accepted, Rejected)
    timed_out: bool
    send_failure: str | None = None


UNLOCK_RESULT: tuple[Row, ...] = (
    *SEND_FAILURES,
    Row({"conf_received": True, "status": "Unlocked", "timed_out": False}, Result.ACCEPTED),
    Row({"conf_received": True, "status": "Accepted", "timed_out": False}, Result.ACCEPTED),
    Row({"conf_received": True, "status": "Rejected", "timed_out": False}, Result.REJECTED),
    Row({"conf_received": True, "status": "UnlockFailed", "timed_out": False}, Result.FAILED),
    Row({"conf_received": True, "status": "NotSupported", "timed_out": False}, Result.NOT_SUPPORTED),
    Row({"conf_received": False, "timed_out": True}, Result.TIMEOUT),
    Row({}, Result.FAILED),  # (choice) a CALLERROR from the station
)


# --- the entry points --------------------------------------------------------------------------------
def start_session_response(
    *, token_valid: bool, evse_in_location: bool, station_online: bool, remote_capable: bool
) -> Decision:
    facts = StartRequestFacts(token_valid, evse_in_location, station_online, remote_capable)
    return decide(START_SESSION_RESPONSE, facts)


def start_session_result(facts: StartFacts) -> Decision:
    return decide(START_SESSION_RESULT, facts)


def stop_session_response(
    *, session_exists: bool, active: bool, owned: bool, station_online: bool, remote_capable: bool
) -> Decision:
    facts = StopRequestFacts(session_exists, active, owned, station_online, remote_capable)
    return decide(STOP_SESSION_RESPONSE, facts)


def stop_session_result(facts: StopFacts) -> Decision:
    return decide(STOP_SESSION_RESULT, _stop_facts(facts))


def unlock_response(
    *, active_session_of_emsp: bool, recent_stop: datetime | None, station_online: bool
) -> Decision:
    """``recent_stop``: when the EMSP's user's last session on the EVSE ended, if under 24 h ago."""
    facts = UnlockRequestFacts(
        active_session_of_emsp,
        recent_stop is not None,
        station_online,
        format_datetime(recent_stop) if recent_stop else None,
    )
    return decide(UNLOCK_RESPONSE, facts)


def unlock_result(facts: UnlockFacts) -> Decision:
    return decide(UNLOCK_RESULT, facts)
