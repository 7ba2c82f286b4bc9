"""Where the audit trail's adapters are chosen (the composition root).

In AWS: the log-line sink and the Athena finder. The local hub installs the embedded store as both
with ``use`` (``mobie_hub.local.server``); tests install an in-memory fake.
"""

from __future__ import annotations

from mobie_hub.audit.ports import AuditFinder, AuditSink

_sink: AuditSink | None = None
_finder: AuditFinder | None = None


def sink() -> AuditSink:
    global _sink
    if _sink is None:
        from mobie_hub.audit.log_sink import LogLineSink

        _sink = LogLineSink()
    return _sink


def finder() -> AuditFinder:
    global _finder
    if _finder is None:
        from mobie_hub.audit.store_athena import AthenaAuditFinder

        _finder = AthenaAuditFinder()
    return _finder


def use(installed_sink: AuditSink | None, installed_finder: AuditFinder | None = None) -> None:
    """Install adapters for this process (a store that is both: ``use(store, store)``); None resets."""
    global _sink, _finder
    _sink, _finder = installed_sink, installed_finder
