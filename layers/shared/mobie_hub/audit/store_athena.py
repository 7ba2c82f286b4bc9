"""The AWS finder: Athena SQL over the audit table (Glue, partition projection on ``day``) that
Firehose fills in S3. A query reads only the day partitions of its time window, so a lookup costs
what those days weigh (Athena bills $5 per TB scanned), never the whole history.

A line in S3 that is not JSON reads as a row of nulls (the table's SerDe has
``ignore.malformed.json``), which the time window leaves out; a row that is not a record is skipped
and counted (``skipped_lines``): one bad line never fails the query.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from mobie_hub.audit.ports import AuditFinder
from mobie_hub.audit.record import AuditFound, AuditQuery, AuditRecord
from mobie_hub.audit.settings import AuditSettings
from mobie_hub.core.errors import HubError, InvalidRequest
from mobie_hub.core.observability import count, logger
from mobie_hub.core.types import format_datetime, utcnow

COLUMNS = tuple(name for name in AuditRecord.model_fields if name != "audit")
_SELECTED = ", ".join(f'"{column}"' for column in COLUMNS)  # quoted: "at" and "day" read as plain names
_FILTERS = {
    "correlation_id": "correlation_id = ?",
    "party": "upper(party) = upper(?)",
    "station": "station = ?",
}


class AuditQueryFailed(HubError):
    """Athena did not answer the audit query (failed, cancelled, or too slow)."""


def build_sql(database: str, table: str, query: AuditQuery) -> tuple[str, list[str]]:
    """The statement and its execution parameters (values never go into the SQL text)."""
    until = query.until or utcnow()
    since = query.since or until - timedelta(days=1)
    if since > until:
        raise InvalidRequest("since must not be after until", field="since")
    where = [
        '"day" BETWEEN ? AND ?',
        'from_iso8601_timestamp("at") BETWEEN from_iso8601_timestamp(?) AND from_iso8601_timestamp(?)',
    ]
    params = [
        since.date().isoformat(),
        until.date().isoformat(),
        format_datetime(since),
        format_datetime(until),
    ]
    for name, clause in _FILTERS.items():
        value = getattr(query, name)
        if value:
            where.append(clause)
            params.append(value)
    if query.session:
        where.append("(session_id = ? OR transaction_id = ?)")
        params += [query.session, query.session]
    sql = (
        f'SELECT {_SELECTED} FROM "{database}"."{table}" WHERE {" AND ".join(where)} '
        f'ORDER BY from_iso8601_timestamp("at") LIMIT {int(query.limit)}'
    )
    return sql, [f"'{p.replace(chr(39), chr(39) * 2)}'" for p in params]  # Athena parameters are SQL literals


class AthenaAuditFinder(AuditFinder):
    def __init__(
        self,
        settings: AuditSettings | None = None,
        *,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings or AuditSettings()
        if not (self.settings.athena_workgroup and self.settings.athena_database):
            raise AuditQueryFailed("this function has no audit store configured (MOBIE_AUDIT_ATHENA_*)")
        if client is None:
            import boto3

            client = boto3.client("athena")
        self._athena = client
        self._sleep = sleep

    def find(self, query: AuditQuery) -> AuditFound:
        sql, params = build_sql(self.settings.athena_database, self.settings.athena_table, query)
        execution = self._athena.start_query_execution(
            QueryString=sql, WorkGroup=self.settings.athena_workgroup, ExecutionParameters=params
        )["QueryExecutionId"]
        self._wait(execution)
        records: list[AuditRecord] = []
        skipped = 0
        for row in self._rows(execution):
            try:
                records.append(AuditRecord.model_validate(row))
            except ValueError:  # pydantic's ValidationError is one
                skipped += 1
        if skipped:
            logger.warning("unreadable audit rows skipped", execution=execution, rows=skipped)
            count("AuditLinesSkipped", value=skipped)
        return AuditFound(records, skipped)

    def _wait(self, execution: str) -> None:
        deadline = time.monotonic() + self.settings.query_timeout_seconds
        delay = 0.2
        while True:
            status = self._athena.get_query_execution(QueryExecutionId=execution)["QueryExecution"]["Status"]
            if status["State"] == "SUCCEEDED":
                return
            if status["State"] in {"FAILED", "CANCELLED"}:
                raise AuditQueryFailed(
                    f"the audit query {status['State']}: {status.get('StateChangeReason', '')}"
                )
            if time.monotonic() > deadline:
                self._athena.stop_query_execution(QueryExecutionId=execution)
                raise AuditQueryFailed("the audit query took too long; narrow --since/--until")
            self._sleep(delay)
            delay = min(delay * 2, 2.0)

    def _rows(self, execution: str) -> list[dict[str, str]]:
        rows: list[dict[str, str]] = []
        header: list[str] | None = None
        token: str | None = None
        while True:
            page = self._athena.get_query_results(
                QueryExecutionId=execution, **({"NextToken": token} if token else {})
            )
            for row in page["ResultSet"]["Rows"]:
                values = [cell.get("VarCharValue") for cell in row["Data"]]
                if header is None:
                    header = values  # the first row of the first page names the columns
                    continue
                rows.append({k: v for k, v in zip(header, values, strict=True) if v not in (None, "")})
            token = page.get("NextToken")
            if not token:
                return rows
