"""The Central System (OCPP 1.6's name for the server side): the one object both transports drive —
API Gateway WebSocket (``functions/ocpp_*``) and the local websocket (``local.ocpp``). The AWS
resources in front of it are the OCPP gateway (``infra/constructs/ocpp_gateway.py``).

``admit`` → ``connected`` → ``receive`` (every frame) … → ``disconnected``; ``send_call`` at any time.
A station whose current connection ends and that does not reconnect within the disconnect grace,
or that stops heartbeating, is marked offline (``ocpp.watchdog``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mobie_hub.core.errors import HubError, StationBusy, StationOffline
from mobie_hub.core.observability import logger
from mobie_hub.core.settings import get_settings
from mobie_hub.core.types import utcnow
from mobie_hub.ocpp import (
    admission,
    calls,
    configuration,
    connection_repository,
    frames,
    liveness_repository,
    schemas,
    watchdog,
)
from mobie_hub.ocpp.actions import ALL_ACTIONS, STATION_ACTIONS
from mobie_hub.ocpp.audit import audited_handle, audited_send_call
from mobie_hub.ocpp.evse_status import UnknownConnector
from mobie_hub.ocpp.frames import CallFrame, ErrorCode, FrameError
from mobie_hub.ocpp.ports import (
    CallOutcome,
    CallResultListener,
    FollowUp,
    IdTagAuthority,
    StationConnections,
    TransactionEvents,
)
from mobie_hub.ocpp.station_messages import HANDLERS, STATUS_RECOVERY, MessageContext


@dataclass(frozen=True)
class Reply:
    """What the hub sends back for one frame: ``text`` (the answer, if any), then ``follow_ups`` —
    calls that must reach the station after the answer (``CentralSystem.send_follow_ups``)."""

    text: str | None
    follow_ups: tuple[FollowUp, ...] = ()


class _StatusRecovery(CallResultListener):
    """The answer to the hub's own TriggerMessage after a reconnect: refused (Rejected, NotImplemented,
    a CALLERROR) means no report will come, so the last known statuses are restored
    (``watchdog.restore_known``). Every outcome then goes on to ``then``."""

    def __init__(self, then: CallResultListener, clock: Callable[[], datetime]) -> None:
        self._then = then
        self._clock = clock

    def on_outcome(self, outcome: CallOutcome) -> None:
        self._then.on_outcome(outcome)
        if outcome.context.get(STATUS_RECOVERY) != "reconnect":
            return
        refused = (outcome.result or {}).get("status") != "Accepted" if outcome.ok else (
            outcome.failure is not None and outcome.failure.code != calls.STATION_DISCONNECTED
        )
        if not refused:
            return
        try:
            watchdog.restore_known(outcome.station_id, self._clock())
        except Exception:  # noqa: BLE001 - an answer is never answered; the next report sets the status
            logger.exception("restoring the last known statuses failed", station_id=outcome.station_id)


class _Configuration(CallResultListener):
    """The hub's ChangeConfiguration calls after a boot, each sent when the previous one is answered
    (``ocpp.configuration``). Every outcome first goes on to ``then``."""

    def __init__(self, then: CallResultListener, send: Callable[[str, tuple[FollowUp, ...]], None]) -> None:
        self._then = then
        self._send = send

    def on_outcome(self, outcome: CallOutcome) -> None:
        self._then.on_outcome(outcome)
        follow_up = configuration.next_call(outcome)
        if follow_up is not None:
            self._send(outcome.station_id, (follow_up,))  # never raises: logged and skipped


@dataclass
class CentralSystem:
    connections: StationConnections
    authority: IdTagAuthority
    transactions: TransactionEvents
    listener: CallResultListener
    clock: Callable[[], datetime] = field(default=utcnow)

    @property
    def _outcomes(self) -> CallResultListener:
        return _Configuration(_StatusRecovery(self.listener, self.clock), self.send_follow_ups)

    # --- connection lifecycle ---------------------------------------------------------------------
    def admit(self, station_id: str, *, authorization: str | None, offered: list[str]) -> admission.Admission:
        """Raises ``AdmissionRefused`` (401 / 400; 404 in open mode) for a connection that must not open."""
        return admission.admit(
            station_id,
            authorization=authorization,
            offered=offered,
            policy=admission.AuthPolicy.from_settings(get_settings()),
        )

    def connected(self, station_id: str, connection_id: str) -> None:
        """Map the station to this connection; an older connection it replaces is closed. Only ever
        called after ``admit`` succeeded (both transports): a refused connection changes nothing."""
        previous = connection_repository.put_connection(station_id, connection_id, self.clock())
        logger.info(
            "station connected", station_id=station_id, connection_id=connection_id, replaced=previous
        )
        if previous is not None:
            calls.fail_pending(
                station_id,
                self.listener,
                connection_id=previous,
                code=calls.STATION_DISCONNECTED,
                description="the station opened a new connection",
            )
            self.connections.close(previous)

    def disconnected(self, station_id: str, connection_id: str) -> None:
        """Unmap the station unless a newer connection already replaced this one; when this was its
        current connection, record when it left: its EVSEs become UNKNOWN if it does not reconnect within
        ``MOBIE_OCPP_DISCONNECT_GRACE_SECONDS`` (the watchdog sweep; at once when that is 0). A late
        disconnect of a replaced connection changes nothing."""
        removed = connection_repository.delete_connection(station_id, connection_id)
        logger.info(
            "station disconnected", station_id=station_id, connection_id=connection_id, current=removed
        )
        calls.fail_pending(
            station_id,
            self._outcomes,
            connection_id=connection_id,
            code=calls.STATION_DISCONNECTED,
            description="the station disconnected",
        )
        if not removed:
            return
        now = self.clock()
        try:
            disconnected = liveness_repository.record_disconnected(station_id, now)
            if disconnected is not None and get_settings().ocpp_disconnect_grace_seconds == 0:
                watchdog.mark_offline(station_id, now, watchdog.Why.DISCONNECTED, disconnected=disconnected)
        except Exception:  # noqa: BLE001 - the watchdog marks it once it has been silent for its grace
            logger.exception("recording the disconnected station failed", station_id=station_id)

    # --- frames from the station ------------------------------------------------------------------
    def receive(self, station_id: str, text: str | bytes) -> Reply:
        """One frame from the station: the answer, then the calls to send once it went out. The
        transports send the answer first and then ``send_follow_ups`` (in AWS both through the
        Management API when there are follow-ups, since the route's response would come last)."""
        follow_ups: list[FollowUp] = []
        text_out = self.handle(station_id, text, follow_ups=follow_ups)
        return Reply(text_out, tuple(follow_ups))

    def send_follow_ups(self, station_id: str, follow_ups: tuple[FollowUp, ...]) -> None:
        """Send the calls a message asked for; never raises (the station's message was answered): a
        station offline again or busy with another call is logged and skipped."""
        for follow_up in follow_ups:
            try:
                self.send_call(station_id, follow_up.action, follow_up.payload, context=follow_up.context)
            except (StationOffline, StationBusy) as error:
                logger.info("follow-up call not sent", station_id=station_id, action=follow_up.action,
                            reason=str(error))
                if isinstance(error, StationBusy) and configuration.CONFIGURE in follow_up.context:
                    # the chain would end here: its next Heartbeat starts it again
                    liveness_repository.mark_unconfigured(station_id)
            except Exception:  # noqa: BLE001 - the answer went out; a failed extra must not surface
                logger.exception("follow-up call failed", station_id=station_id, action=follow_up.action)

    @audited_handle  # every frame in and every answer out into the audit trail (mobie_hub.audit)
    def handle(
        self, station_id: str, text: str | bytes, *, follow_ups: list[FollowUp] | None = None
    ) -> str | None:
        """One frame from the station; returns the frame to answer with, if any. Calls to send after
        the answer are appended to ``follow_ups`` (left out when None: use ``receive``)."""
        try:
            frame = frames.parse(text)
        except FrameError as error:
            logger.warning(
                "malformed OCPP frame", station_id=station_id, code=error.code, reason=error.description
            )
            if error.answerable:
                return error.to_text()
            if error.message_id != frames.UNKNOWN_MESSAGE_ID:
                calls.fail_pending(
                    station_id,
                    self._outcomes,
                    message_id=error.message_id,
                    code=calls.INVALID_RESULT,
                    description=f"{error.code}: {error.description}",
                )
            return None
        if isinstance(frame, CallFrame):
            return self._answer(station_id, frame, follow_ups if follow_ups is not None else [])
        try:
            calls.route_answer(station_id, frame, self._outcomes)
        except Exception:  # an answer is never answered; a failure to route it is logged, not raised
            logger.exception("routing an answer failed", station_id=station_id, message_id=frame.message_id)
        return None

    def _answer(self, station_id: str, call: CallFrame, follow_ups: list[FollowUp]) -> str:
        if call.action not in STATION_ACTIONS:
            code = ErrorCode.NOT_SUPPORTED if call.action in ALL_ACTIONS else ErrorCode.NOT_IMPLEMENTED
            reason = (
                "is not supported from a charging station by this central system"
                if call.action in ALL_ACTIONS
                else "is not an OCPP 1.6 action"
            )
            return frames.error_text(call.message_id, code, f"{call.action} {reason}")
        context = MessageContext(station_id, call.message_id, self.clock(), self.authority, self.transactions)
        try:
            schemas.check_call(call.action, call.payload, message_id=call.message_id)
            response = HANDLERS[call.action](context, call.payload)
        except FrameError as error:
            logger.info(
                "OCPP call refused",
                station_id=station_id,
                action=call.action,
                code=error.code,
                reason=error.description,
            )
            return error.to_text()
        except UnknownConnector as error:
            return frames.error_text(
                call.message_id, ErrorCode.PROPERTY_CONSTRAINT_VIOLATION, str(error), {"path": "connectorId"}
            )
        except HubError as error:
            logger.warning(
                "OCPP call failed", station_id=station_id, action=call.action, reason=error.message
            )
            return frames.error_text(call.message_id, ErrorCode.INTERNAL_ERROR, error.message)
        except Exception:  # the last resort: a bug answers InternalError (the station retries), logged
            logger.exception("OCPP call crashed", station_id=station_id, action=call.action)
            return frames.error_text(call.message_id, ErrorCode.INTERNAL_ERROR, "internal error")
        try:  # the hub's own answer must hold to the schema too: a failure here is a bug of the hub
            schemas.check_result(call.action, response, message_id=call.message_id)
        except FrameError as error:
            logger.error(
                "invalid OCPP answer", station_id=station_id, action=call.action, reason=error.description
            )
            return frames.error_text(call.message_id, ErrorCode.INTERNAL_ERROR, "internal error")
        follow_ups.extend(context.follow_ups)  # only after a CALLRESULT: a refused message asks for nothing
        return frames.result_text(call.message_id, response)

    # --- calls to the station ---------------------------------------------------------------------
    @audited_send_call
    def send_call(
        self,
        station_id: str,
        action: str,
        payload: dict[str, Any],
        *,
        context: dict[str, Any] | None = None,
        timeout: timedelta | None = None,
    ) -> str:
        """Send a call; returns its message id (see ``calls.send_call``)."""
        return calls.send_call(
            station_id,
            action,
            payload,
            connections=self.connections,
            context=context,
            timeout=timeout or timedelta(seconds=get_settings().ocpp_call_timeout_seconds),
            clock=self.clock,
        )
