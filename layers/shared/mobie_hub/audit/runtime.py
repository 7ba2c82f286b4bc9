"""The audit trail's adapters in this process: the installed ones (``use``: the local hub's embedded
store, tests' in-memory fake), else those the composition root provides (``mobie_hub.wiring``: the
log-line sink and the Athena finder in AWS)."""

from __future__ import annotations

from mobie_hub.audit.ports import AuditFinder, AuditSink
from mobie_hub.core.composition import Port

SINK: Port[AuditSink] = Port("audit.sink")
FINDER: Port[AuditFinder] = Port("audit.finder")


def sink() -> AuditSink:
    return SINK.get()


def finder() -> AuditFinder:
    return FINDER.get()


def use(installed_sink: AuditSink | None, installed_finder: AuditFinder | None = None) -> None:
    """Install adapters for this process (a store that is both: ``use(store, store)``); None resets."""
    SINK.use(installed_sink)
    FINDER.use(installed_finder)
