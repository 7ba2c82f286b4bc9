"""The local hub's console for people (issue #15 item 4): one readable line per event on a terminal.

Rendered from the same records the hub writes anyway, so what is logged does not change:
- the log lines: the JSON Powertools writes to stdout is read back line by line (``ConsoleStream``
  stands in for stdout) and printed as ``time level message key=value``; metric lines (EMF, for
  CloudWatch) are dropped, anything that is not JSON passes through as it is;
- the audit trail (``ConsoleAuditSink`` in front of the embedded store): every OCPI call in or out
  (who → whom, method and path, HTTP and OCPI status, why it was refused, time; a command's result)
  and every OCPP exchange, one line when its answer comes (the station, the action and what it is
  about, the outcome).

Only ``mobie-hub serve`` on a terminal uses it (``--log-format console``); with ``--log-format json``,
when stdout is not a terminal, and always in AWS, the hub writes JSON lines only.
"""

from __future__ import annotations

import io
import json
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TextIO

from rich.console import Console
from rich.text import Text

from mobie_hub.audit.ports import AuditSink
from mobie_hub.audit.record import AuditRecord

# Keys of a Powertools line that are not the event's own.
_FRAME_KEYS = frozenset({
    "level", "location", "message", "timestamp", "service", "sampling_rate", "xray_trace_id", "cold_start",
    "function_name", "function_memory_size", "function_arn", "function_request_id", "exception",
    "exception_name", "stack_trace",
    "request_id", "correlation_id",  # in the JSON lines and the audit trail, for grep; noise for a person
})
# Log lines the audit lines already show (the same call, said once).
_SHOWN_BY_AUDIT = frozenset({"ocpi call", "call answered", "call failed", "request refused"})
_LEVEL_STYLES = {
    "DEBUG": "dim", "INFO": "cyan", "WARNING": "yellow", "ERROR": "bold red", "CRITICAL": "bold red",
}
_MAX_VALUE = 100
_PENDING_CALLS = 2000  # OCPP calls awaiting their answer that the console remembers (oldest forgotten)


def _started(at: datetime | None = None) -> Text:
    """A new line, beginning with the local time of ``at`` (now when None)."""
    line = Text()
    line.append((at.astimezone() if at else datetime.now()).strftime("%H:%M:%S") + " ", style="dim")
    return line


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


class HubConsole:
    """Writes the readable lines to a terminal (``out``), one at a time across threads."""

    def __init__(self, out: TextIO, *, color: bool | None = None) -> None:
        self._console = Console(file=out, highlight=False, soft_wrap=True, force_terminal=color,
                                no_color=color is False)
        self._lock = threading.RLock()  # one line at a time; guards the pending calls too
        self._calls: OrderedDict[tuple[str, str], tuple[str, str]] = OrderedDict()  # → (action, detail)

    def print(self, line: Text | str) -> None:
        with self._lock:
            self._console.print(line)

    # -- log lines ---------------------------------------------------------------------------------
    def log_line(self, raw: str) -> None:
        """One line written to stdout: a Powertools record rendered, a metric dropped, other text kept."""
        fields = _json_object(raw)
        if fields is None:
            if raw.strip():
                self.print(Text(raw))
            return
        if "_aws" in fields:  # an EMF metric: for CloudWatch, not for people
            return
        if "message" not in fields or fields.get("message") in _SHOWN_BY_AUDIT:
            return
        self.print(render_log(fields))

    # -- audit records -----------------------------------------------------------------------------
    def audit(self, record: AuditRecord) -> None:
        with self._lock:
            line = self.render_audit(record)
            if line is not None:
                self.print(line)

    def render_audit(self, record: AuditRecord) -> Text | None:
        if record.channel == "ocpi":
            return render_ocpi(record) if record.kind == "response" else None
        key = (record.station or "?", record.message_id or "?")
        if record.kind == "call":
            self._calls[key] = (record.action or "?", call_detail(record))
            while len(self._calls) > _PENDING_CALLS:
                self._calls.popitem(last=False)
            return None
        return render_ocpp(record, *self._calls.pop(key, (None, "")))


def render_log(fields: dict[str, Any]) -> Text:
    level = str(fields.get("level", "INFO")).upper()
    line = _started()
    line.append(f"{level[:4]:<4} ", style=_LEVEL_STYLES.get(level, ""))
    line.append(str(fields.get("message", "")), style="bold" if level in ("WARNING", "ERROR") else "")
    for key, value in fields.items():
        if key not in _FRAME_KEYS and value is not None:
            line.append(f"  {key}=", style="dim")
            line.append(_short(value))
    if fields.get("exception"):
        line.append("\n" + str(fields["exception"]), style="red")
    return line


def _outcome_style(http_status: int | None, ocpi_status: int | None) -> str:
    if (http_status or 0) >= 500 or (ocpi_status or 0) >= 3000:
        return "bold red"
    if (http_status or 0) >= 400 or (ocpi_status is not None and ocpi_status != 1000):
        return "yellow"
    return "green"


def render_ocpi(record: AuditRecord) -> Text:
    """An OCPI call, from its response record: in (party → hub) or out (hub → party: pushes, command
    results, the registration's calls)."""
    party = record.party or "anonymous"
    inbound = record.direction == "out"  # the hub's response to a request it received
    line = _started(record.at)
    line.append("OCPI ", style="magenta" if inbound else "blue")
    line.append(f"{party} → hub  " if inbound else f"hub → {party}  ", style="bold")
    line.append(f"{record.method or '?'} {record.url or ''}  ")
    ocpi_status = f" · {record.ocpi_status}" if record.ocpi_status is not None else ""
    outcome = f"{record.http_status}{ocpi_status}"
    line.append(outcome, style=_outcome_style(record.http_status, record.ocpi_status))
    answer = _json_object(record.body or "") or {}
    data = answer.get("data")
    if isinstance(data, dict) and isinstance(data.get("result"), str):  # a command's CommandResponse
        line.append(f"  {data['result']}", style="bold")
    if record.ocpi_status not in (None, 1000) and answer.get("status_message"):  # why it was refused
        line.append(f"  {_short(answer['status_message'])}")
    if record.duration_ms is not None:
        line.append(f"  {record.duration_ms:.0f} ms", style="dim")
    return line


def call_detail(record: AuditRecord) -> str:
    """What a call is about, in a few words: the connector, its status, the transaction."""
    frame = _json_value(record.body or "")
    payload = frame[3] if isinstance(frame, list) and len(frame) > 3 and isinstance(frame[3], dict) else {}
    parts = []
    if payload.get("connectorId") is not None:
        parts.append(f"connector {payload['connectorId']}")
    if isinstance(payload.get("status"), str):
        parts.append(payload["status"])
    if payload.get("errorCode") not in (None, "NoError"):
        parts.append(str(payload["errorCode"]))
    if payload.get("transactionId") is not None:
        parts.append(f"transaction {payload['transactionId']}")
    if isinstance(payload.get("meterValue"), list):
        parts.append(f"{len(payload['meterValue'])} meter value(s)")
    if isinstance(payload.get("reason"), str):
        parts.append(payload["reason"])
    return ", ".join(parts)


def render_ocpp(record: AuditRecord, action: str | None, detail: str = "") -> Text:
    """An OCPP exchange, from its answer: who called whom, the action and what about, the outcome."""
    station = record.station or "?"
    station_called = record.direction == "in"  # the station answers a call of the hub
    line = _started(record.at)
    line.append("OCPP ", style="green")
    line.append(f"hub → {station}  " if station_called else f"{station} → hub  ", style="bold")
    line.append(f"{action or 'answer'}  ")
    if detail:
        line.append(f"({detail})  ", style="dim")
    frame = _json_value(record.body or "")
    if record.kind == "callerror":
        code = record.error_code or (frame[2] if isinstance(frame, list) and len(frame) > 2 else "error")
        line.append(f"CALLERROR {code}", style="yellow")
        if isinstance(frame, list) and len(frame) > 3 and frame[3]:
            line.append(f"  {_short(frame[3])}", style="dim")
        return line
    payload = frame[2] if isinstance(frame, list) and len(frame) > 2 and isinstance(frame[2], dict) else {}
    status = payload.get("status") or (payload.get("idTagInfo") or {}).get("status")
    line.append(str(status or "ok"), style="green" if status in (None, "Accepted") else "yellow")
    if payload.get("transactionId") is not None:
        line.append(f"  transaction {payload['transactionId']}", style="dim")
    return line


def _json_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _json_object(text: str) -> dict[str, Any] | None:
    value = _json_value(text) if text.lstrip().startswith("{") else None
    return value if isinstance(value, dict) else None


class ConsoleStream(io.TextIOBase):
    """Stands in for stdout: whole lines go to ``HubConsole.log_line``."""

    def __init__(self, console: HubConsole) -> None:
        super().__init__()
        self._console = console
        self._pending = ""
        self._lock = threading.Lock()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._console.log_line(line)
        return len(text)

    def flush(self) -> None:
        with self._lock:
            rest, self._pending = self._pending, ""
        if rest:
            self._console.log_line(rest)


class ConsoleAuditSink(AuditSink):
    """The audit sink the local hub uses, with each record also shown on the console."""

    def __init__(self, inner: AuditSink, console: HubConsole) -> None:
        self._inner = inner
        self._console = console

    def write(self, records: Sequence[AuditRecord]) -> None:
        self._inner.write(records)
        for record in records:
            self._console.audit(record)

    @contextmanager
    def batch(self) -> Iterator[None]:
        with self._inner.batch():
            yield

    def __getattr__(self, name: str) -> Any:  # the store's other duties (flush, stop) stay its own
        return getattr(self._inner, name)
