"""The sink of a function without a delivery stream (``MOBIE_AUDIT_STREAM`` unset): each record is one
JSON line on stdout, i.e. in the function's CloudWatch Logs stream, marked ``"audit":"mobie-hub/1"``
so it can be found there. The deployed stack sets the stream: ``firehose_sink`` (cheaper per record).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from mobie_hub.audit.ports import AuditSink
from mobie_hub.audit.record import AuditRecord


class LogLineSink(AuditSink):
    def write(self, records: Sequence[AuditRecord]) -> None:
        if records:
            sys.stdout.write("".join(record.line() + "\n" for record in records))
            sys.stdout.flush()
