"""The decision tables of profile §11 (START_SESSION, STOP_SESSION and UNLOCK_CONNECTOR): here the
CommandResult tables, which the command lifecycle decides by, and the CommandResponse ones of
``commands.response_tables`` (how a table reads is told there). They are apart so the receiver, and so
the commands Lambda, loads only the tables it answers by. Pure: facts in, ``Decision`` out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from mobie_hub.commands.response_tables import (
    Decision,
    Row,
    decide,
    start_session_response,
    stop_session_response,
    unlock_response,
)
from mobie_hub.commands.results import CommandResultType as Result

__all__ = [
    "Decision",
    "Row",
    "StartFacts",
    "StopFacts",
    "UnlockFacts",
    "decide",
    "start_session_response",
    "start_session_result",
    "stop_session_response",
    "stop_session_result",
    "unlock_response",
    "unlock_result",
]


# --- START_SESSION -------------------------------------------------------------------------------
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
def start_session_result(facts: StartFacts) -> Decision:
    return decide(START_SESSION_RESULT, facts)


def stop_session_result(facts: StopFacts) -> Decision:
    return decide(STOP_SESSION_RESULT, _stop_facts(facts))


def unlock_result(facts: UnlockFacts) -> Decision:
    return decide(UNLOCK_RESULT, facts)
