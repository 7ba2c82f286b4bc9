"""Calls the hub sends to stations (RemoteStartTransaction, RemoteStopTransaction, UnlockConnector,
TriggerMessage, …) and the routing of their answers.

A CALLRESULT carries no action, so every call is stored by station (``STATION#<id>`` / ``CALL``)
with its message id, action and the sender's ``context`` before it is sent. The answer is matched
by message id, validated against the action's response schema and handed to the
``CallResultListener`` with that context. OCPP-J allows one outstanding call per direction: a second
call while one awaits its answer (and its deadline has not passed) is refused with ``StationBusy``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from mobie_hub.core.errors import InvalidRequest, StationBusy, StationOffline
from mobie_hub.core.observability import logger
from mobie_hub.core.types import format_datetime, utcnow
from mobie_hub.ocpp import call_repository, connection_repository, frames, schemas
from mobie_hub.ocpp import repository as stations
from mobie_hub.ocpp.actions import HUB_ACTIONS
from mobie_hub.ocpp.call_repository import PendingCall
from mobie_hub.ocpp.frames import ErrorFrame, FrameError, ResultFrame
from mobie_hub.ocpp.ports import (
    CallFailure,
    CallOutcome,
    CallResultListener,
    ConnectionGone,
    StationConnections,
)

INVALID_RESULT = "InvalidResult"
STATION_DISCONNECTED = "StationDisconnected"


class LoggingListener(CallResultListener):
    """The innermost listener: every outcome is logged (the command lifecycle's listener wraps it)."""

    def on_outcome(self, outcome: CallOutcome) -> None:
        if outcome.ok:
            logger.debug(
                "call answered",
                station_id=outcome.station_id,
                action=outcome.action,
                message_id=outcome.message_id,
                result=outcome.result,
            )
        else:
            logger.warning(
                "call failed",
                station_id=outcome.station_id,
                action=outcome.action,
                message_id=outcome.message_id,
                code=outcome.failure.code,
                description=outcome.failure.description,
            )


def send_call(
    station_id: str,
    action: str,
    payload: dict[str, Any],
    *,
    connections: StationConnections,
    context: dict[str, Any] | None = None,
    timeout: timedelta = timedelta(seconds=60),
    clock: Callable[[], datetime] = utcnow,
) -> str:
    """Send ``action`` to the station and return the call's message id; the answer reaches the
    ``CallResultListener`` later, with ``context``. Raises ``InvalidRequest`` (unknown action,
    payload against the 1.6 schema), ``StationOffline`` (no connection, or it is gone) or
    ``StationBusy`` (another call awaits its answer). DynamoDB: 1 read, 1 write (+1 if gone)."""
    if action not in HUB_ACTIONS:
        raise InvalidRequest(f"{action!r} is no OCPP 1.6 call a central system sends", field="action")
    message_id = str(uuid.uuid4())
    try:
        schemas.check_call(action, payload, message_id=message_id)
    except FrameError as error:
        raise InvalidRequest(f"{error.code}: {error.description}", field="payload") from None
    connection = stations.get_connection(station_id)
    if connection is None:
        raise StationOffline(f"station {station_id} is not connected")
    now = clock()
    call = PendingCall(
        station_id, message_id, action, connection.connection_id, now, now + timeout, context or {}
    )
    in_the_way = call_repository.put_pending_call(call)
    if in_the_way is not None:
        raise StationBusy(
            f"station {station_id} has not answered {in_the_way.action} ({in_the_way.message_id}) yet; "
            f"one call at a time, retry after {format_datetime(in_the_way.deadline)}"
        )
    try:
        connections.send(connection.connection_id, frames.call_text(message_id, action, payload))
    except ConnectionGone:
        call_repository.take_pending_call(station_id, message_id=message_id)
        connection_repository.delete_connection(station_id, connection.connection_id)
        raise StationOffline(f"station {station_id} is not connected (its connection is gone)") from None
    except BaseException:
        call_repository.take_pending_call(station_id, message_id=message_id)
        raise
    logger.debug("call sent", station_id=station_id, action=action, message_id=message_id)
    return message_id


def _outcome(call: PendingCall, **answer: Any) -> CallOutcome:
    return CallOutcome(
        call.station_id, call.message_id, call.action, call.sent_at, context=call.context, **answer
    )


def route_answer(station_id: str, frame: ResultFrame | ErrorFrame, listener: CallResultListener) -> None:
    """A CALLRESULT / CALLERROR from the station: match it to the pending call and route it.
    An answer nobody awaits (unknown or late message id) is logged and dropped."""
    call = call_repository.take_pending_call(station_id, message_id=frame.message_id)
    if call is None:
        logger.warning("answer to no pending call", station_id=station_id, message_id=frame.message_id)
        return
    if isinstance(frame, ErrorFrame):
        outcome = _outcome(call, failure=CallFailure(frame.code, frame.description, frame.details))
    else:
        try:
            schemas.check_result(call.action, frame.payload, message_id=frame.message_id)
            outcome = _outcome(call, result=frame.payload)
        except FrameError as error:
            outcome = _outcome(
                call,
                failure=CallFailure(
                    INVALID_RESULT, f"{error.code}: {error.description}", {"result": frame.payload}
                ),
            )
    listener.on_outcome(outcome)


def fail_pending(
    station_id: str,
    listener: CallResultListener,
    *,
    code: str,
    description: str,
    message_id: str | None = None,
    connection_id: str | None = None,
) -> None:
    """End a pending call without an answer: a broken answer frame, or its connection closed."""
    call = call_repository.take_pending_call(station_id, message_id=message_id, connection_id=connection_id)
    if call is not None:
        listener.on_outcome(_outcome(call, failure=CallFailure(code, description)))
