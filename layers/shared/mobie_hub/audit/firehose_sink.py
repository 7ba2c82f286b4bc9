"""The AWS sink: the records of one invocation go to Kinesis Data Firehose in ONE record (JSON lines),
which Firehose writes to S3 partitioned by day (infra/constructs/audit.py); Athena reads them there.

Why not CloudWatch Logs (docs/operations.md "Audit trail", the figures): a record printed to the log
pays CloudWatch Logs ingestion per byte ($0.57/GB in eu-west-1, $0.285/GB in the Infrequent Access
class, which cannot carry the functions' metrics) and then Firehose again through the subscription.
Firehose Direct PUT bills $0.029/GB with each record rounded up to 5 KB: one record per invocation
(an OCPP message in and its answer out, typically 0.5-1.5 KB) costs ~$0.00000015, less than a
third of what the same bytes cost in CloudWatch Logs, and nothing of it is stored twice.

The price is one PutRecordBatch per invocation on the request path (a few ms). Nothing is lost when
Firehose refuses: the lines the call could not deliver are printed instead (CloudWatch Logs keeps
them; ``AuditDeliveryFallback`` counts them, an alarm watches it).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from mobie_hub.audit.ports import AuditSink
from mobie_hub.audit.record import MARKER, AuditRecord
from mobie_hub.core.observability import count, logger

# Firehose quotas: a record holds at most 1,000 KiB; PutRecordBatch takes 500 records and 4 MiB.
MAX_RECORD_BYTES = 1000 * 1024
MAX_BATCH_RECORDS = 500
MAX_BATCH_BYTES = 4 * 1024 * 1024
FALLBACK_METRIC = "AuditDeliveryFallback"


def _marked(line: str) -> str:
    """A record line as the log sink prints it: with the ``audit`` marker first."""
    return f'{{"audit":"{MARKER}",{line[1:]}'


def _chunks(lines: list[str]) -> list[bytes]:
    """The lines as Firehose records of whole lines, each under MAX_RECORD_BYTES (a line is at most
    ``record.MAX_LINE_BYTES``)."""
    chunks: list[bytes] = []
    current = bytearray()
    for line in lines:
        data = (line + "\n").encode()
        if current and len(current) + len(data) > MAX_RECORD_BYTES:
            chunks.append(bytes(current))
            current = bytearray()
        current += data
    if current:
        chunks.append(bytes(current))
    return chunks


def _batches(chunks: list[bytes]) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    size = 0
    for chunk in chunks:
        if batch and (len(batch) == MAX_BATCH_RECORDS or size + len(chunk) > MAX_BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(chunk)
        size += len(chunk)
    if batch:
        yield batch


class FirehoseAuditSink(AuditSink):
    """Buffers records while a ``batch()`` is open (an OCPP invocation: the frame in, the answer out,
    the calls after it) and sends them in one PutRecordBatch when it closes; outside a batch, each
    ``write`` is sent at once (an OCPI request's records)."""

    def __init__(self, stream_name: str, client: Any = None) -> None:
        if client is None:
            import boto3

            client = boto3.client("firehose")
        self._stream = stream_name
        self._firehose = client
        self._lock = threading.Lock()
        self._pending: list[str] = []
        self._open = 0

    def write(self, records: Sequence[AuditRecord]) -> None:
        with self._lock:
            self._pending.extend(record.line(marker=False) for record in records)
            if self._open:
                return
        self.flush()

    @contextmanager
    def batch(self) -> Iterator[None]:
        with self._lock:
            self._open += 1
        try:
            yield
        finally:
            with self._lock:
                self._open -= 1
                last = self._open == 0
            if last:
                self.flush()

    def flush(self) -> None:
        with self._lock:
            lines, self._pending = self._pending, []
        if not lines:
            return
        undelivered: list[bytes] = []
        for batch in _batches(_chunks(lines)):
            undelivered += self._put(batch)
        if undelivered:
            # The records must not be lost: printed, CloudWatch Logs keeps them (docs/operations.md).
            lines = [line for chunk in undelivered for line in chunk.decode().split("\n") if line]
            sys.stdout.write("".join(_marked(line) + "\n" for line in lines))
            sys.stdout.flush()
            count(FALLBACK_METRIC, value=len(lines))

    def _put(self, batch: list[bytes]) -> list[bytes]:
        """The records of ``batch`` Firehose did not take."""
        try:
            answer = self._firehose.put_record_batch(
                DeliveryStreamName=self._stream, Records=[{"Data": chunk} for chunk in batch]
            )
        except Exception:  # noqa: BLE001 - any failure to deliver falls back to the log (see flush)
            logger.exception("audit delivery failed", stream=self._stream, records=len(batch))
            return batch
        if not answer.get("FailedPutCount"):
            return []
        failed = [chunk for chunk, result in zip(batch, answer["RequestResponses"], strict=True) if result.get("ErrorCode")]
        logger.error("audit delivery partly refused", stream=self._stream, failed=len(failed),
                     code=next((r.get("ErrorCode") for r in answer["RequestResponses"] if r.get("ErrorCode")), None))
        return failed
