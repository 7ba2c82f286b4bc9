"""OCPP: every frame both ways, one audit record each — CALLs from the station and the hub's answers
(``OcppGateway.handle``), the hub's CALLs (``OcppGateway.send_call``) and the station's answers.

Decorators on the two gateway methods, so every transport (API Gateway WebSocket, the local
websocket) is covered by the one place frames pass. A frame is recorded as text; a frame that is
not OCPP-J is recorded with what could be read of it. Station passwords are never in a frame (HTTP
Basic on the connection), except ``AuthorizationKey`` in ChangeConfiguration: redacted.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from mobie_hub.audit import recorder
from mobie_hub.audit.record import AuditRecord
from mobie_hub.audit.redact import redact_body
from mobie_hub.core import json_limits
from mobie_hub.core.observability import count, logger
from mobie_hub.core.types import utcnow
from mobie_hub.ocpp import frames

_KINDS = {2: "call", 3: "callresult", 4: "callerror"}
# Messages counted as a metric: only Heartbeats (the StationsOffline alarm watches them). A metric
# line per message costs ~270 bytes of log; the other counts are API Gateway's MessageCount and the
# audit trail's (Athena: GROUP BY action). CALLERRORs are always counted (OcppCallErrors).
COUNTED_ACTIONS = frozenset({"Heartbeat"})


def frame_record(
    station_id: str, direction: str, text: str | bytes, at: datetime | None = None
) -> AuditRecord:
    """The record of one OCPP-J frame (OCPP-J 1.6 §4: [2, id, action, payload] / [3, id, payload] /
    [4, id, code, description, details])."""
    try:
        frame = json_limits.loads(text)
    except ValueError:  # not JSON, or too deep: recorded as the text it is
        frame = None
    fields: dict[str, Any] = {}
    payload: Any = None
    if isinstance(frame, list) and len(frame) >= 3 and type(frame[0]) is int and frame[0] in _KINDS:
        fields["kind"] = _KINDS[frame[0]]
        fields["message_id"] = str(frame[1])
        if frame[0] == 2:
            fields["action"] = str(frame[2])
            payload = frame[3] if len(frame) > 3 else None
        elif frame[0] == 3:
            payload = frame[2]
        else:
            fields["error_code"] = str(frame[2])
    else:
        fields["kind"] = "call" if direction == "in" else "callerror"  # unreadable: what the station sent
        start = frames.frame_start(text)  # too deep or too big to parse: its start still names it
        if start is not None and start[0] in _KINDS:
            fields.update(kind=_KINDS[start[0]], message_id=start[1])
    if isinstance(payload, dict) and payload.get("transactionId") is not None:
        fields["transaction_id"] = str(payload["transactionId"])
    body, cut = redact_body(frame if frame is not None else text)
    return AuditRecord(
        at=at or utcnow(),
        channel="ocpp",
        direction=direction,
        station=station_id,
        body=body,
        body_truncated=cut,
        **fields,
    )


def _written(station_id: str, direction: str, text: str | bytes, at: datetime | None = None) -> None:
    try:
        record = frame_record(station_id, direction, text, at)
    except Exception:  # noqa: BLE001 - a frame the recorder cannot read must still reach the gateway
        logger.exception("audit record failed", station_id=station_id, direction=direction)
        count("AuditWriteFailed")
        return
    recorder.write(record)
    if record.kind == "call" and record.action in COUNTED_ACTIONS and record.direction == "in":
        count("OcppMessages", action=record.action, direction=record.direction)
    elif record.kind == "callerror":
        count("OcppCallErrors", code=record.error_code or "unreadable", direction=record.direction)


def audited_handle(handle: Callable[..., str | None]) -> Callable[..., str | None]:
    """``OcppGateway.handle``: the station's frame in, the hub's answer (if any) out."""

    @functools.wraps(handle)
    def wrapper(self: Any, station_id: str, text: str | bytes, **options: Any) -> str | None:
        logger.thread_safe_append_keys(station_id=station_id)  # on every log line while the frame is handled
        try:
            with recorder.batched():  # the frame and its answer leave in one delivery
                _written(station_id, "in", text)
                reply = handle(self, station_id, text, **options)
                if reply is not None:
                    _written(station_id, "out", reply)
            return reply
        finally:
            logger.thread_safe_remove_keys(["station_id"])

    return wrapper


def audited_send_call(send_call: Callable[..., str]) -> Callable[..., str]:
    """``OcppGateway.send_call``: the hub's CALL, recorded once it went down the connection."""

    @functools.wraps(send_call)
    def wrapper(self: Any, station_id: str, action: str, payload: dict[str, Any], **kwargs: Any) -> str:
        sent_at = utcnow()  # before: the station's answer may be recorded before send_call returns
        message_id = send_call(self, station_id, action, payload, **kwargs)
        _written(station_id, "out", json.dumps([2, message_id, action, payload]), sent_at)
        return message_id

    return wrapper
