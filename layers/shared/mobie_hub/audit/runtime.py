"""The audit trail's adapters in this process: the installed ones (``use``: the local hub's embedded
store, tests' in-memory fake), else those the composition root provides (``mobie_hub.wiring``: the
log-line sink and the Athena finder in AWS)."""

from __future__ import annotations

from mobie_hub.audit.ports import AuditFinder, AuditSink
from mobie_hub.core import composition

SINK = "audit.sink"
FINDER = "audit.finder"

_sink: AuditSink | None = None
_finder: AuditFinder | None = None


def sink() -> AuditSink:
    global _sink
    if _sink is None:
        _sink = composition.build(SINK)
    return _sink


def finder() -> AuditFinder:
    global _finder
    if _finder is None:
        _finder = composition.build(FINDER)
    return _finder


def use(installed_sink: AuditSink | None, installed_finder: AuditFinder | None = None) -> None:
    """Install adapters for this process (a store that is both: ``use(store, store)``); None resets."""
    global _sink, _finder
    _sink, _finder = installed_sink, installed_finder
