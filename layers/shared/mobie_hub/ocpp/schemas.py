"""Payload validation with the ``ocpp`` library's OCPP 1.6 JSON schemas.

The library's validator is used as is, plus a ``date-time`` format check (Draft 4 validators check
no formats unless asked, so ``"timestamp": "yesterday"`` would pass). A failed check becomes the
OCPP-J 1.6 §4.2.3 error code its schema keyword describes:

| schema keyword | CALLERROR |
|---|---|
| ``required`` | ProtocolError (payload incomplete) |
| ``type``, ``maxLength``, ``format`` (date-time) | TypeConstraintViolation (CiString20Type, dateTime, …) |
| ``enum``, ``minimum``, ``maximum``, ``multipleOf`` | PropertyConstraintViolation (a field has an invalid value) |
| ``minItems``, ``maxItems`` | OccurenceConstraintViolation |
| ``additionalProperties`` and anything else | FormationViolation (not conform the PDU structure) |
"""

from __future__ import annotations

import decimal
import json
from datetime import datetime
from functools import cache
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from ocpp.messages import MessageType, get_validator

from mobie_hub.ocpp.frames import ErrorCode, FrameError

OCPP_VERSION = "1.6"

_CODES = {
    "required": ErrorCode.PROTOCOL_ERROR,
    "type": ErrorCode.TYPE_CONSTRAINT_VIOLATION,
    "maxLength": ErrorCode.TYPE_CONSTRAINT_VIOLATION,
    "format": ErrorCode.TYPE_CONSTRAINT_VIOLATION,
    "enum": ErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
    "minimum": ErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
    "maximum": ErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
    "multipleOf": ErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
    "minItems": ErrorCode.OCCURENCE_CONSTRAINT_VIOLATION,
    "maxItems": ErrorCode.OCCURENCE_CONSTRAINT_VIOLATION,
}

# The library parses these schemas' numbers as Decimal so that ``multipleOf: 0.1`` is exact.
_DECIMAL_SCHEMAS = {
    (MessageType.Call, "RemoteStartTransaction"),
    (MessageType.Call, "SetChargingProfile"),
    (MessageType.CallResult, "GetCompositeSchedule"),
}

_formats = FormatChecker(formats=())


@_formats.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    """OCPP dateTime: an RFC 3339 date and time; a missing offset is read as UTC (lenient, as stations are)."""
    if not isinstance(value, str):
        return True  # the ``type`` keyword reports non-strings
    if "T" not in value.upper():
        raise ValueError("not a date and time")
    datetime.fromisoformat(value)
    return True


@cache
def _validator(message_type: int, action: str) -> Draft4Validator:
    decimal_numbers = (message_type, action) in _DECIMAL_SCHEMAS
    library = get_validator(
        message_type, action, OCPP_VERSION, parse_float=decimal.Decimal if decimal_numbers else float
    )
    return Draft4Validator(library.schema, format_checker=_formats)


def _describe(error: ValidationError) -> tuple[ErrorCode, str, dict[str, Any]]:
    path = ".".join(str(part) for part in error.absolute_path)
    code = _CODES.get(str(error.validator), ErrorCode.FORMATION_VIOLATION)
    cause = f"{path}: {error.message}" if path else error.message
    return code, cause, {"path": path} if path else {}


def check(message_type: int, action: str, payload: dict[str, Any], *, message_id: str) -> None:
    """Raise ``FrameError`` (with ``message_id``) when ``payload`` breaks ``action``'s 1.6 schema."""
    validator = _validator(message_type, action)
    if (message_type, action) in _DECIMAL_SCHEMAS:
        payload = json.loads(json.dumps(payload), parse_float=decimal.Decimal)
    error = best_match(validator.iter_errors(payload))
    if error is not None:
        code, cause, details = _describe(error)
        raise FrameError(code, cause, message_id=message_id, message_type=message_type, details=details)


def check_call(action: str, payload: dict[str, Any], *, message_id: str) -> None:
    check(MessageType.Call, action, payload, message_id=message_id)


def check_result(action: str, payload: dict[str, Any], *, message_id: str) -> None:
    check(MessageType.CallResult, action, payload, message_id=message_id)
