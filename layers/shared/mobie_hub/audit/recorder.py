"""Building records from what the transports see, and handing them to the sink.

Recording never fails the message it records: a sink error is logged and counted
(``AuditWriteFailed``), and the request goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mobie_hub.audit import runtime
from mobie_hub.audit.record import AuditRecord
from mobie_hub.core.observability import count, logger


def write(*records: AuditRecord) -> None:
    try:
        runtime.sink().write(records)
    except Exception:  # noqa: BLE001 - the audit trail must never take a request down with it
        logger.exception("audit write failed", records=len(records))
        count("AuditWriteFailed", value=len(records))


@contextmanager
def batched() -> Iterator[None]:
    """Records written inside leave together (one delivery per invocation, ``AuditSink.batch``)."""
    try:
        batch = runtime.sink().batch()
        batch.__enter__()
    except Exception:  # noqa: BLE001 - no sink must not take the message down: each write reports it
        logger.exception("audit batch failed to open")
        yield
        return
    try:
        yield
    finally:
        try:
            batch.__exit__(None, None, None)
        except Exception:  # noqa: BLE001 - the audit trail must never take a request down with it
            logger.exception("audit write failed")
            count("AuditWriteFailed")


def party_label(country_code: str | None, party_id: str | None) -> str | None:
    return f"{country_code}/{party_id}".upper() if country_code and party_id else None


def module_of(path: str) -> str | None:
    """The OCPI module a path or URL addresses: the first segment naming one (``details`` is versions)."""
    from mobie_hub.core.modules import MODULES_BY_ID

    segments = [s for s in path.split("?", 1)[0].split("/") if s]
    for segment in segments:
        if segment in MODULES_BY_ID:
            return segment
    return "versions" if segments and segments[-1] == "details" else None


def session_id_of(module: str | None, path: str, body: Any) -> str | None:
    """The OCPI session a message is about: sessions/{cc}/{pid}/{session_id}, a ``session_id`` field
    (CDRs, STOP_SESSION, CommandResult callbacks carry none), or a pushed Session's ``id``."""
    if module == "sessions":
        segments = [s for s in path.split("?", 1)[0].split("/") if s]
        after = segments[segments.index("sessions") + 1 :] if "sessions" in segments else []
        if len(after) >= 3:
            return after[2]
    if isinstance(body, dict):
        if isinstance(body.get("session_id"), str):
            return body["session_id"]
        if module == "sessions" and isinstance(body.get("id"), str):
            return body["id"]
    return None


def ocpi_envelope_status(body: Any) -> int | None:
    if isinstance(body, dict) and isinstance(body.get("status_code"), int):
        return body["status_code"]
    return None
