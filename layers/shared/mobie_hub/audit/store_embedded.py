"""The local audit store: records in the embedded S3 (the same moto server as the tables), laid out
as Firehose lays them out in AWS — ``audit/day=YYYY-MM-DD/<object>.jsonl``, one JSON record a line.

Records are split on ``"\n"`` only (``AuditRecord.line`` escapes every other line separator), and a
line that is not a record is skipped and counted (``skipped_lines``, metric ``AuditLinesSkipped``):
one bad line never makes the trail unreadable.

``write`` only appends to a buffer; a background thread flushes it every ``flush_seconds`` (no
round trip on the request path). ``find`` flushes first, so an operator sees every message up to now.
"""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from mobie_hub.audit.ports import AuditFinder, AuditSink
from mobie_hub.audit.record import AuditFound, AuditQuery, AuditRecord
from mobie_hub.core.observability import count, logger

BUCKET = "mobie-hub-audit"
PREFIX = "audit/"
MAX_DAYS = 31  # a query spans at most a month of day partitions


def day_prefix(day: date) -> str:
    return f"{PREFIX}day={day.isoformat()}/"


def days_between(first: date, last: date) -> list[date]:
    count = min((last - first).days, MAX_DAYS - 1)
    return [first + timedelta(days=n) for n in range(count + 1)]


def read_lines(body: bytes) -> tuple[list[AuditRecord], int]:
    """The records of a JSON-lines object and how many of its non-empty lines are not records."""
    records, skipped = [], 0
    for line in body.split(b"\n"):
        if not line.strip():
            continue
        try:
            records.append(AuditRecord.model_validate_json(line))
        except ValueError:  # pydantic's ValidationError is one: bad JSON, bad UTF-8, not a record
            skipped += 1
    return records, skipped


class EmbeddedAuditStore(AuditSink, AuditFinder):
    def __init__(
        self, endpoint: str | None = None, *, region: str = "eu-west-1", flush_seconds: float | None = 0.5
    ) -> None:
        import boto3  # the adapter is the only code here that touches boto3

        self._s3: Any = boto3.client("s3", region_name=region, endpoint_url=endpoint)
        try:
            self._s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": region})
        except self._s3.exceptions.BucketAlreadyOwnedByYou:
            pass  # moto's backends are per process: a second embedded hub in it finds the bucket made
        self._buffer: list[AuditRecord] = []
        self._lock = threading.Lock()  # guards the buffer
        self._flushing = threading.Lock()  # one flush at a time, so objects are never written twice
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if flush_seconds:
            self._thread = threading.Thread(
                target=self._run, args=(flush_seconds,), name="audit-flush", daemon=True
            )
            self._thread.start()

    def write(self, records: Sequence[AuditRecord]) -> None:
        with self._lock:
            self._buffer.extend(records)

    def flush(self) -> int:
        """Write the buffered records (one object per day partition); returns how many."""
        with self._flushing:
            with self._lock:
                pending, self._buffer = self._buffer, []
            by_day: dict[date, list[AuditRecord]] = defaultdict(list)
            for record in pending:
                by_day[record.at.date()].append(record)
            for day, records in by_day.items():
                key = f"{day_prefix(day)}{int(records[0].at.timestamp() * 1000)}-{uuid.uuid4()}.jsonl"
                body = "".join(record.line() + "\n" for record in records).encode()
                self._s3.put_object(Bucket=BUCKET, Key=key, Body=body)
            return len(pending)

    def find(self, query: AuditQuery) -> AuditFound:
        self.flush()
        records, skipped = self._records(query)
        found = sorted((record for record in records if query.matches(record)), key=lambda r: r.at)
        return AuditFound(found[: query.limit], skipped)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.flush()

    def _records(self, query: AuditQuery) -> tuple[list[AuditRecord], int]:
        prefixes = (
            [day_prefix(day) for day in days_between(query.since.date(), query.until.date())]
            if query.since and query.until
            else [PREFIX]
        )
        records: list[AuditRecord] = []
        skipped = 0
        for prefix in prefixes:
            for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
                for item in page.get("Contents", []):
                    body = self._s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
                    read, unreadable = read_lines(body)
                    records.extend(read)
                    if unreadable:
                        logger.warning("unreadable audit lines skipped", key=item["Key"], lines=unreadable)
                    skipped += unreadable
        if skipped:
            count("AuditLinesSkipped", value=skipped)
        return records, skipped

    def _run(self, every: float) -> None:
        while not self._stop.wait(every):
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - a failed flush is logged; the next one tries again
                logger.exception("audit flush failed")
