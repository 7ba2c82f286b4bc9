"""The audit record: one per message the hub receives or sends, OCPI or OCPP (docs/operations.md).

One flat shape for both channels, so one table (Athena in AWS, the embedded store locally) answers
"what exactly did EMSP X send at 10:42 and what did we answer". ``body`` is the message's JSON text,
already redacted (``mobie_hub.audit.redact``): a record never holds a secret.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mobie_hub.core.types import OcpiDateTime

# Characters some line readers end a line at (Python's str.splitlines, JavaScript, Unicode line
# breaking) that JSON leaves unescaped: written as \uXXXX, a record is one physical line for every reader.
_LINE_SEPARATORS = {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SEPARATOR = re.compile("[\u0085\u2028\u2029]")
# An OCPP-J frame's start: [MessageTypeId, "UniqueId", … (the id as a JSON string, escapes included).
_FRAME_ID = re.compile(r'\[\s*[234]\s*,\s*("(?:[^"\\]|\\.)*")')
# A lone surrogate (JSON "\ud800" parses to one) cannot be encoded as UTF-8: kept as its escape.
_SURROGATE = re.compile("[\ud800-\udfff]")

# A CloudWatch Logs event holds at most 256 KB and cuts what is longer (a cut line is no JSON): a
# record stays under this many bytes, its body shortened (``body_truncated``) when escapes made it grow.
MAX_LINE_BYTES = 200_000

# The marker the CloudWatch Logs subscription filter selects audit lines by (infra/constructs/audit.py).
MARKER = "mobie-hub/1"

Channel = Literal["ocpi", "ocpp"]
# Relative to the hub: "in" = received by the hub, "out" = sent by the hub.
Direction = Literal["in", "out"]
# OCPI: a request and its response; OCPP-J 1.6 §4: CALL / CALLRESULT / CALLERROR frames.
Kind = Literal["request", "response", "call", "callresult", "callerror"]


class AuditRecord(BaseModel):
    """One message. OCPI records carry request/correlation ids and HTTP + OCPI status codes; OCPP
    records carry the station, the frame's message id, the action (CALLs) and the CALLERROR code."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    audit: str = MARKER
    at: OcpiDateTime
    channel: Channel
    direction: Direction
    kind: Kind
    party: str | None = None  # "PT/EDP" (country code / party id)
    station: str | None = None  # the OCPP charge point id
    session_id: str | None = None  # OCPI session id, when the message names one
    transaction_id: str | None = None  # OCPP transactionId, when the frame carries one
    module: str | None = None  # OCPI module (locations, sessions, …)
    action: str | None = None  # OCPP action of a CALL
    method: str | None = None  # OCPI HTTP method
    url: str | None = None  # OCPI path (inbound) or URL (outbound), without the query string
    request_id: str | None = None
    correlation_id: str | None = None
    message_id: str | None = None  # OCPP: the frame's message id (pairs a CALL with its answer)
    http_status: int | None = None
    ocpi_status: int | None = None
    error_code: str | None = None  # OCPP CALLERROR code
    duration_ms: float | None = None  # responses: time since the request
    body: str | None = None  # the message's JSON text, redacted
    body_truncated: bool = False

    @model_validator(mode="before")
    @classmethod
    def _message_id_from_the_frame(cls, data: object) -> object:
        """A stored OCPP record leaves out the message id its body starts with (``line``): read back,
        it is taken from there."""
        if isinstance(data, dict) and data.get("channel") == "ocpp" and not data.get("message_id"):
            found = _FRAME_ID.match(data.get("body") or "")
            if found:
                return {**data, "message_id": json.loads(found[1])}
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _encodable(cls, value: object) -> object:
        """Every text field is writable as UTF-8, whatever a party or station sent."""
        if isinstance(value, str) and _SURROGATE.search(value):
            return _SURROGATE.sub(lambda found: f"\\u{ord(found[0]):04x}", value)
        return value

    def line(self, *, marker: bool = True) -> str:
        """The record as one JSON line (what the sinks send and the stores hold): JSON escapes
        every control character; the other line separators are escaped here (they can only occur
        inside strings, where ``\\uXXXX`` reads back as the same character). Absent values and
        ``body_truncated: false`` are left out (they read back as the defaults); ``marker=False``
        leaves out the ``audit`` marker too, which only a log line needs (the log sink's filter)."""
        line = self._json(marker)
        record = self
        while len(line.encode()) > MAX_LINE_BYTES and record.body:
            keep = len(record.body) * MAX_LINE_BYTES // len(line.encode()) * 9 // 10
            record = record.model_copy(update={"body": record.body[:keep], "body_truncated": True})
            line = record._json(marker)
        return line

    def _json(self, marker: bool) -> str:
        left_out = set() if marker else {"audit"}
        if not self.body_truncated:
            left_out.add("body_truncated")
        if self._id_in_body():
            left_out.add("message_id")  # OCPP-J: the frame's second element (read back from there)
        line = self.model_dump_json(exclude_none=True, exclude=left_out)
        return _SEPARATOR.sub(lambda found: _LINE_SEPARATORS[found[0]], line)


    def _id_in_body(self) -> bool:
        if self.channel != "ocpp" or not self.message_id or not self.body:
            return False
        found = _FRAME_ID.match(self.body)
        return found is not None and json.loads(found[1]) == self.message_id


class AuditQuery(BaseModel):
    """What ``mobie-hub audit`` asks for. Every given filter must match; times bound ``at``."""

    model_config = ConfigDict(extra="forbid")

    correlation_id: str | None = None
    party: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}/[A-Za-z0-9]{3}$")
    station: str | None = None
    session: str | None = None  # an OCPI session id or an OCPP transaction id
    since: OcpiDateTime | None = None
    until: OcpiDateTime | None = None
    limit: int = Field(default=200, ge=1, le=5000)

    def matches(self, record: AuditRecord) -> bool:
        if self.correlation_id and record.correlation_id != self.correlation_id:
            return False
        if self.party and (record.party or "").upper() != self.party.upper():
            return False
        if self.station and record.station != self.station:
            return False
        if self.session and self.session not in (record.session_id, record.transaction_id):
            return False
        return self._in_window(record.at)

    def _in_window(self, at: datetime) -> bool:
        return (self.since is None or at >= self.since) and (self.until is None or at <= self.until)


@dataclass(frozen=True)
class AuditFound:
    """What a query found, oldest first, and how many stored lines could not be read as records
    (skipped and counted, never fatal: one bad line must not hide every other message)."""

    records: list[AuditRecord]
    skipped_lines: int = 0
