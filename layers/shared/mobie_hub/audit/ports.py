"""The audit trail's two ports: where records go (``AuditSink``) and how they are found (``AuditFinder``).

| port | AWS | local hub (`mobie-hub serve`) |
|---|---|---|
| sink | ``LogLineSink``: one JSON line on stdout → CloudWatch Logs → subscription → Firehose → S3 | ``EmbeddedAuditStore``: buffered, flushed to the embedded S3 by a thread |
| finder | ``AthenaAuditFinder``: SQL over the day-partitioned S3 table | ``EmbeddedAuditStore`` |

Neither adds a network round trip to the message being recorded: the AWS sink writes a line to the
process's own log stream; the local store flushes from a background thread.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from mobie_hub.audit.record import AuditFound, AuditQuery, AuditRecord


class AuditSink(ABC):
    @abstractmethod
    def write(self, records: Sequence[AuditRecord]) -> None:
        """Accept records; must not block on the network (buffer or hand off instead)."""


class AuditFinder(ABC):
    @abstractmethod
    def find(self, query: AuditQuery) -> AuditFound:
        """Records matching ``query``, oldest first, at most ``query.limit``; unreadable stored
        lines are skipped and counted in ``skipped_lines``, never raised."""
