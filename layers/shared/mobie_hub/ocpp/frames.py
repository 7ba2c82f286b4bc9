"""OCPP-J 1.6 framing (OCPP-J 1.6 §4): parse a WebSocket text frame into a CALL, CALLRESULT or
CALLERROR, and write them. Packing uses the ``ocpp`` library's message classes.

What the hub answers to a frame it cannot take (OCPP-J 1.6 §4.2.3 error codes):

| the frame | CALLERROR |
|---|---|
| not JSON, not an array, no readable MessageTypeId / UniqueId | FormationViolation, UniqueId ``"-1"`` |
| nested deeper than ``json_limits.MAX_DEPTH`` or bigger than API Gateway's 128 KB message | FormationViolation, the UniqueId if the frame's start names one, else ``"-1"`` |
| an array with too few elements for its message type | ProtocolError ("incomplete") |
| too many elements, an Action that is no string, a payload that is no object, a MessageTypeId other than 2, 3, 4 | FormationViolation |

OCPP-J 1.6 says nothing about frames whose UniqueId cannot be read; the hub answers them with the
UniqueId ``"-1"``, the convention OCPP-J 2.0.1 §4.2.3 later wrote down. A UniqueId longer than 36
characters (OCPP-J §4.1.3) counts as unreadable. Malformed CALLRESULT / CALLERROR frames are never
answered (a station must not receive a CALLERROR for its own answer); they are logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

from ocpp.messages import Call, CallError, CallResult

from mobie_hub.core.json_limits import MAX_OCPP_MESSAGE_BYTES, JsonLimitExceeded
from mobie_hub.core.json_limits import loads as bounded_loads

MAX_MESSAGE_ID_LENGTH = 36
UNKNOWN_MESSAGE_ID = "-1"


class MessageType(IntEnum):
    CALL = 2
    CALLRESULT = 3
    CALLERROR = 4


class ErrorCode(StrEnum):
    """OCPP-J 1.6 §4.2.3 CALLERROR codes, spelled as 1.6 spells them (the errata keep
    ``FormationViolation`` and ``OccurenceConstraintViolation``; the ``ocpp`` library uses the 2.0
    ``FormatViolation`` and has NotImplemented / NotSupported the other way round)."""

    NOT_IMPLEMENTED = "NotImplemented"  # Requested Action is not known by receiver
    NOT_SUPPORTED = "NotSupported"  # Requested Action is recognized but not supported by the receiver
    INTERNAL_ERROR = "InternalError"
    PROTOCOL_ERROR = "ProtocolError"  # Payload for Action is incomplete
    SECURITY_ERROR = "SecurityError"
    FORMATION_VIOLATION = "FormationViolation"  # syntactically incorrect or not conform the PDU structure
    PROPERTY_CONSTRAINT_VIOLATION = "PropertyConstraintViolation"  # a field contains an invalid value
    OCCURENCE_CONSTRAINT_VIOLATION = "OccurenceConstraintViolation"  # a field violates occurence constraints
    TYPE_CONSTRAINT_VIOLATION = "TypeConstraintViolation"  # a field violates data type constraints
    GENERIC_ERROR = "GenericError"


class FrameError(Exception):
    """A frame the hub refuses. ``message_type`` is what the frame claimed to be (None: unreadable)."""

    def __init__(
        self,
        code: ErrorCode,
        description: str,
        *,
        message_id: str = UNKNOWN_MESSAGE_ID,
        message_type: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.message_id = message_id
        self.message_type = message_type
        self.details = details or {}

    @property
    def answerable(self) -> bool:
        """A CALL (or something unreadable) gets a CALLERROR; a broken answer gets nothing."""
        return self.message_type not in (MessageType.CALLRESULT, MessageType.CALLERROR)

    def to_text(self) -> str:
        return error_text(self.message_id, self.code, self.description, self.details)


@dataclass(frozen=True)
class CallFrame:
    message_id: str
    action: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class ResultFrame:
    message_id: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class ErrorFrame:
    message_id: str
    code: str
    description: str
    details: dict[str, Any] = field(default_factory=dict)


Frame = CallFrame | ResultFrame | ErrorFrame

# (minimum, exact) element counts per message type: a CALLERROR's details are often left out by
# stations, so four elements are accepted for it.
_SHAPES = {MessageType.CALL: (4, 4), MessageType.CALLRESULT: (3, 3), MessageType.CALLERROR: (4, 5)}


def _message_id(frame: list[Any]) -> str | None:
    if len(frame) > 1 and isinstance(frame[1], str) and 0 < len(frame[1]) <= MAX_MESSAGE_ID_LENGTH:
        return frame[1]
    return None


# The start of a frame: [MessageTypeId, "UniqueId", … — read without parsing what follows.
_FRAME_START = re.compile(rb'\A\s*\[\s*([0-9])\s*,\s*"([^"\\]{1,%d})"' % MAX_MESSAGE_ID_LENGTH)


def frame_start(text: str | bytes) -> tuple[int, str] | None:
    """The MessageTypeId and UniqueId a frame starts with, read without parsing the rest (a frame
    too deep or too big to parse is still answered, and recorded, by its UniqueId)."""
    start = _FRAME_START.match((text.encode("utf-8", "replace") if isinstance(text, str) else text)[:200])
    return (int(start[1]), start[2].decode("utf-8", "replace")) if start else None


def _over_limit(text: str | bytes, error: JsonLimitExceeded) -> FrameError:
    start = frame_start(text)
    if start is None:
        return FrameError(ErrorCode.FORMATION_VIOLATION, str(error))
    message_type, message_id = start
    return FrameError(ErrorCode.FORMATION_VIOLATION, str(error), message_id=message_id, message_type=message_type)


def parse(text: str | bytes) -> Frame:
    """One OCPP-J frame, or ``FrameError`` naming the OCPP-J 1.6 error code."""
    try:
        frame = bounded_loads(text, max_bytes=MAX_OCPP_MESSAGE_BYTES)
    except JsonLimitExceeded as error:
        raise _over_limit(text, error) from None
    except (ValueError, UnicodeDecodeError):
        raise FrameError(ErrorCode.FORMATION_VIOLATION, "the message is not valid JSON") from None
    if not isinstance(frame, list) or not frame:
        raise FrameError(ErrorCode.FORMATION_VIOLATION, "an OCPP-J message is a JSON array")
    kind = frame[0]
    if isinstance(kind, bool) or not isinstance(kind, int):
        raise FrameError(ErrorCode.FORMATION_VIOLATION, "the MessageTypeId must be an integer")
    message_id = _message_id(frame)
    if message_id is None:
        raise FrameError(
            ErrorCode.FORMATION_VIOLATION,
            f"the UniqueId must be a string of 1 to {MAX_MESSAGE_ID_LENGTH} characters",
            message_type=kind,
        )
    if kind not in _SHAPES:
        raise FrameError(
            ErrorCode.FORMATION_VIOLATION, f"MessageTypeId {kind} is not 2, 3 or 4", message_id=message_id
        )
    kind = MessageType(kind)
    minimum, maximum = _SHAPES[kind]
    if len(frame) < minimum:
        raise FrameError(
            ErrorCode.PROTOCOL_ERROR,
            f"a {kind.name} has {maximum} elements, this message has {len(frame)}",
            message_id=message_id,
            message_type=kind,
        )
    if len(frame) > maximum:
        raise FrameError(
            ErrorCode.FORMATION_VIOLATION,
            f"a {kind.name} has {maximum} elements, this message has {len(frame)}",
            message_id=message_id,
            message_type=kind,
        )
    return _typed(kind, message_id, frame)


def _typed(kind: MessageType, message_id: str, frame: list[Any]) -> Frame:
    def refuse(description: str) -> FrameError:
        return FrameError(
            ErrorCode.FORMATION_VIOLATION, description, message_id=message_id, message_type=kind
        )

    if kind is MessageType.CALL:
        action, payload = frame[2], frame[3]
        if not isinstance(action, str) or not action:
            raise refuse("the Action must be a non-empty string")
        if not isinstance(payload, dict):
            raise refuse("the payload must be a JSON object")
        return CallFrame(message_id, action, payload)
    if kind is MessageType.CALLRESULT:
        if not isinstance(frame[2], dict):
            raise refuse("the payload must be a JSON object")
        return ResultFrame(message_id, frame[2])
    code, description = frame[2], frame[3]
    details = frame[4] if len(frame) > 4 else {}
    if not isinstance(code, str) or not isinstance(description, str) or not isinstance(details, dict):
        raise refuse("a CALLERROR carries an errorCode string, a description string and a details object")
    return ErrorFrame(message_id, code, description, details)


def call_text(message_id: str, action: str, payload: dict[str, Any]) -> str:
    return Call(message_id, action, payload).to_json()


def result_text(message_id: str, payload: dict[str, Any]) -> str:
    return CallResult(message_id, payload).to_json()


def error_text(message_id: str, code: str, description: str, details: dict[str, Any] | None = None) -> str:
    return CallError(message_id, str(code), description, details or {}).to_json()
