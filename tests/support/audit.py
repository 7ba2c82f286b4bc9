"""An in-memory audit store (both ports of mobie_hub.audit.ports) and helpers to look into it."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from typing import Any

from mobie_hub.audit.ports import AuditFinder, AuditSink
from mobie_hub.audit.record import AuditFound, AuditQuery, AuditRecord


class MemoryAuditStore(AuditSink, AuditFinder):
    def __init__(self) -> None:
        self.records: list[AuditRecord] = []
        self._lock = threading.Lock()  # the hub under test writes from its server threads

    def write(self, records: Sequence[AuditRecord]) -> None:
        with self._lock:
            self.records.extend(records)

    def find(self, query: AuditQuery) -> AuditFound:
        with self._lock:
            found = [r for r in self.records if query.matches(r)]
        return AuditFound(sorted(found, key=lambda r: r.at)[: query.limit])

    def where(self, **fields: Any) -> list[AuditRecord]:
        with self._lock:
            return [r for r in self.records if all(getattr(r, k) == v for k, v in fields.items())]

    def text(self) -> str:
        """Every record as its JSON line: what a grep for secrets reads."""
        with self._lock:
            return "\n".join(r.line() for r in self.records)


def body(record: AuditRecord) -> Any:
    return json.loads(record.body) if record.body else None
