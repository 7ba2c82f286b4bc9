"""The audit trail's two ports: where records go (``AuditSink``) and how they are found (``AuditFinder``).

| port | AWS | local hub (`mobie-hub serve`) |
|---|---|---|
| sink | ``FirehoseAuditSink``: one Firehose record per invocation → S3 (``LogLineSink``, a line on stdout, where no stream is configured) | ``EmbeddedAuditStore``: buffered, flushed to the embedded S3 by a thread |
| finder | ``AthenaAuditFinder``: SQL over the day-partitioned S3 table | ``EmbeddedAuditStore`` |

The AWS sink adds one PutRecordBatch per invocation (``batch``: the records of an OCPP message and its
answer travel together); the local store flushes from a background thread.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from mobie_hub.audit.record import AuditFound, AuditQuery, AuditRecord


class AuditSink(ABC):
    @abstractmethod
    def write(self, records: Sequence[AuditRecord]) -> None:
        """Accept records (a sink may send them at once, or when the open ``batch`` closes)."""

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Records written inside go out together when it closes (sinks that send per call)."""
        yield


class AuditFinder(ABC):
    @abstractmethod
    def find(self, query: AuditQuery) -> AuditFound:
        """Records matching ``query``, oldest first, at most ``query.limit``; unreadable stored
        lines are skipped and counted in ``skipped_lines``, never raised."""
