"""The AWS sink: each record is one JSON line on stdout, i.e. in the function's CloudWatch Logs stream.

Lambda ships its output asynchronously, so the request path pays one local write, no round trip. A
subscription filter on every function's log group (``{ $.audit = "mobie-hub/1" }``) hands the lines
to Kinesis Data Firehose, which writes them to S3 partitioned by day (infra/constructs/audit.py).
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
