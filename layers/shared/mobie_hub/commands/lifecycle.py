"""The lifecycle of an accepted command (docs/commands.md), the same steps in Step Functions and in
the local runner:

1. ``send``: store the task token (and what transaction event is awaited), send the OCPP call with
   ``context={"command_id", "task_token"}``. A station offline or busy is a fact, and resumes at once.
2. The wait (``.waitForTaskToken``, ``TimeoutSeconds`` = the promised timeout) ends when
   ``on_call_outcome`` / ``on_transaction_started`` / ``on_transaction_stopped`` record the fact the
   command's table needs and resume it, or when the timeout passes.
3. ``decide``: the CommandResult by the profile's tables, stored (first decision wins), the PENDING
   session of a failed START_SESSION invalidated, the result POSTed to ``response_url``.

A fact that arrives after the decision (a late answer) is logged and ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from mobie_hub.commands import repository as commands
from mobie_hub.commands import tables
from mobie_hub.commands.ports import CallSender, CommandWorkflow, SessionFacts
from mobie_hub.commands.repository import DECIDED, Command, await_key
from mobie_hub.commands.tables import Decision, StartFacts, StopFacts, UnlockFacts
from mobie_hub.core import retry, transact
from mobie_hub.core.errors import StationBusy, StationOffline
from mobie_hub.core.observability import count, logger
from mobie_hub.core.types import utcnow
from mobie_hub.locations.enums import Status
from mobie_hub.locations.view import location_view
from mobie_hub.ocpp.ports import CallOutcome, TransactionStarted, TransactionStopped

CALLS = {
    "START_SESSION": "RemoteStartTransaction",
    "STOP_SESSION": "RemoteStopTransaction",
    "UNLOCK_CONNECTOR": "UnlockConnector",
}
NOT_SUPPORTED_CODES = frozenset({"NotSupported", "NotImplemented"})
DISCONNECTED = "StationDisconnected"
OUT_OF_SERVICE = frozenset({Status.INOPERATIVE, Status.OUTOFORDER})


def _call(command: Command) -> tuple[str, dict[str, Any], dict[str, str] | None]:
    """The OCPP call of a command and the transaction event it then waits for (if any)."""
    if command.command_type == "START_SESSION":
        payload = {"idTag": command.id_tag, "connectorId": command.connector}
        return CALLS["START_SESSION"], payload, await_key(command.station_id, "START", command.id_tag)
    if command.command_type == "STOP_SESSION":
        payload = {"transactionId": command.transaction_id}
        return CALLS["STOP_SESSION"], payload, await_key(command.station_id, "STOP", command.transaction_id)
    return CALLS["UNLOCK_CONNECTOR"], {"connectorId": command.connector}, None


def send(
    command_id: str,
    task_token: str,
    *,
    workflow: CommandWorkflow,
    send_call: CallSender,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    command = commands.get_command(command_id)
    if command is None or command.state == DECIDED:
        logger.warning("command not waiting; nothing sent", command_id=command_id)
        return
    action, payload, awaits = _call(command)
    try:
        commands.prepare_send(command, task_token, awaits, clock())
    except transact.Cancelled:
        logger.warning("command decided before it was sent", command_id=command_id)
        return
    context = {"command_id": command_id, "task_token": task_token}
    try:
        send_call(
            command.station_id,
            action,
            payload,
            context=context,
            timeout=timedelta(seconds=command.timeout_seconds),
        )
    except (StationOffline, StationBusy) as error:
        failure = "offline" if isinstance(error, StationOffline) else "busy"
        logger.info(
            "command call not sent", command_id=command_id, station_id=command.station_id, reason=failure
        )
        if commands.record_facts(command_id, {"send_failure": failure}) is not None:
            workflow.resume(task_token, command_id)


def _awaited_fact_arrived(command: Command) -> bool:
    """Whether the wait can end: the transaction event arrived, or the call's answer needs no more."""
    facts = command.facts
    if command.command_type == "START_SESSION" and facts.get("st_received"):
        return True
    if command.command_type == "STOP_SESSION" and facts.get("sp_received"):
        return True
    if command.command_type == "UNLOCK_CONNECTOR":
        return bool(facts.get("conf_received"))
    # START / STOP: an Accepted conf waits for StartTransaction / StopTransaction (profile §11).
    return bool(facts.get("conf_received")) and facts.get("conf_status") != "Accepted"


Workflow = CommandWorkflow | Callable[[], CommandWorkflow]  # a factory: built only when a command needs it


def _record(command_id: str, facts: dict[str, Any], workflow: Workflow, why: str) -> None:
    command = commands.record_facts(command_id, facts)
    if command is None:
        logger.info("late fact ignored: the command is decided", command_id=command_id, fact=why)
        return
    if _awaited_fact_arrived(command) and command.task_token:
        runner = workflow if isinstance(workflow, CommandWorkflow) else workflow()
        if not runner.resume(command.task_token, command_id):
            logger.info("late fact ignored: the wait is over", command_id=command_id, fact=why)


def on_call_outcome(outcome: CallOutcome, workflow: Workflow) -> None:
    """The station's answer to a command's call (CALLRESULT, CALLERROR, or its connection closed)."""
    command_id = outcome.context.get("command_id")
    if not command_id:
        return
    if outcome.ok:
        status = (outcome.result or {}).get("status")
        _record(command_id, {"conf_received": True, "conf_status": status}, workflow, outcome.action)
    elif outcome.failure.code == DISCONNECTED:
        # No answer: the station may still start / stop the transaction after reconnecting; wait.
        logger.info("command call unanswered: station disconnected", command_id=command_id)
    else:  # a CALLERROR or an invalid result is an answer that is no Accepted (docs/commands.md)
        facts = {"conf_received": True, "conf_status": "Rejected", "call_error": outcome.failure.code}
        _record(command_id, facts, workflow, outcome.action)


def on_transaction_started(started: TransactionStarted, workflow: Workflow) -> None:
    command_id = commands.find_awaiting(await_key(started.station_id, "START", started.id_tag))
    if command_id:
        facts = {"st_received": True, "transaction_id": started.transaction_id}
        _record(command_id, facts, workflow, "StartTransaction")


def on_transaction_stopped(stopped: TransactionStopped, workflow: Workflow) -> None:
    command_id = commands.find_awaiting(await_key(stopped.station_id, "STOP", stopped.transaction_id))
    if command_id:
        _record(command_id, {"sp_received": True, "sp_reason": stopped.reason}, workflow, "StopTransaction")


# --- the decision ----------------------------------------------------------------------------------
def _evse_out_of_service(command: Command) -> bool:
    location = location_view(command.station_id)
    evse = next((e for e in location.evses if e.uid == command.evse_uid), None) if location else None
    return evse is not None and evse.status in OUT_OF_SERVICE


def _start_facts(command: Command, timed_out: bool, sessions: SessionFacts) -> StartFacts:
    f = command.facts
    rejected = f.get("conf_status") not in (None, "Accepted")
    active = sessions.active_on_evse(command.station_id, command.evse_uid) if rejected else None
    same = active is not None and command.token is not None and active.same_token(command.token)
    return StartFacts(
        conf_received=bool(f.get("conf_received")),
        conf_status="Accepted" if f.get("conf_status") == "Accepted" else ("Rejected" if rejected else None),
        st_received=bool(f.get("st_received")),
        active_same_token=same,
        active_other_token=active is not None and not same,
        evse_out_of_service=rejected and _evse_out_of_service(command),
        timed_out=timed_out and not f.get("st_received"),
        send_failure=f.get("send_failure"),
    )


def _stop_facts(command: Command, timed_out: bool) -> StopFacts:
    f = command.facts
    return StopFacts(
        conf_received=bool(f.get("conf_received")),
        conf_status=f.get("conf_status"),
        sp_received=bool(f.get("sp_received")),
        sp_reason=f.get("sp_reason"),
        timed_out=timed_out and not f.get("sp_received"),
        not_supported=f.get("call_error") in NOT_SUPPORTED_CODES,
        send_failure=f.get("send_failure"),
    )


def _unlock_facts(command: Command, timed_out: bool) -> UnlockFacts:
    f = command.facts
    status = f.get("call_error") if f.get("call_error") else f.get("conf_status")
    if f.get("call_error") in NOT_SUPPORTED_CODES:
        status = "NotSupported"  # (choice) a station without the feature says so either way
    return UnlockFacts(
        conf_received=bool(f.get("conf_received")),
        status=status,
        timed_out=timed_out and not f.get("conf_received"),
        send_failure=f.get("send_failure"),
    )


def result_of(command: Command, *, timed_out: bool, sessions: SessionFacts) -> Decision:
    if command.command_type == "START_SESSION":
        return tables.start_session_result(_start_facts(command, timed_out, sessions))
    if command.command_type == "STOP_SESSION":
        return tables.stop_session_result(_stop_facts(command, timed_out))
    return tables.unlock_result(_unlock_facts(command, timed_out))


def decide(
    command_id: str,
    *,
    timed_out: bool,
    sessions: SessionFacts,
    deliver: Callable[[Command, Decision], None],
    clock: Callable[[], datetime] = utcnow,
) -> Decision | None:
    """Decide, store and deliver the CommandResult; None when it was decided before (nothing sent twice)."""

    def record(_: retry.Attempt) -> tuple[Command, Decision] | None:
        command = commands.get_command(command_id)
        if command is None or command.state == DECIDED:
            return None
        decision = result_of(command, timed_out=timed_out, sessions=sessions)
        if not commands.record_decision(command, decision.result, decision.message, clock()):
            raise retry.ReadAgain  # a fact landed between the read and the write: decide on it again
        return command, decision

    decided = retry.optimistic(record, gave_up=f"command {command_id}: facts kept changing while deciding")
    if decided is None:
        logger.info("command decided already", command_id=command_id)
        return None
    command, decision = decided
    logger.info(
        "command decided",
        command_id=command_id,
        command_type=command.command_type,
        result=str(decision.result),
        result_message=decision.message,
        timed_out=timed_out,
    )
    count("CommandResults", type=command.command_type, result=str(decision.result))
    if command.command_type == "START_SESSION" and decision.result != "ACCEPTED" and command.session_id:
        sessions.invalidate_pending(command.session_id)
    deliver(command, decision)
    return decision
