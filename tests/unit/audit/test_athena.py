"""The Athena finder: parameterised SQL over day partitions, polling, paged results (a fake client)."""

from __future__ import annotations

import pytest

from mobie_hub.audit.record import AuditQuery
from mobie_hub.audit.settings import AuditSettings
from mobie_hub.audit.store_athena import COLUMNS, AthenaAuditFinder, AuditQueryFailed, build_sql

SETTINGS = AuditSettings(athena_workgroup="mobie-hub-audit", athena_database="mobie_hub_audit")


class FakeAthena:
    def __init__(self, states: list[str], pages: list[list[list[str | None]]]) -> None:
        self.states, self.pages = list(states), pages
        self.started: list[dict] = []
        self.stopped: list[str] = []

    def start_query_execution(self, **request):
        self.started.append(request)
        return {"QueryExecutionId": "q-1"}

    def get_query_execution(self, QueryExecutionId):
        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        return {"QueryExecution": {"Status": {"State": state, "StateChangeReason": "syntax"}}}

    def stop_query_execution(self, QueryExecutionId):
        self.stopped.append(QueryExecutionId)

    def get_query_results(self, QueryExecutionId, NextToken=None):
        index = int(NextToken or 0)
        page = {
            "ResultSet": {
                "Rows": [
                    {"Data": [{"VarCharValue": v} if v is not None else {} for v in row]}
                    for row in self.pages[index]
                ]
            }
        }
        if index + 1 < len(self.pages):
            page["NextToken"] = str(index + 1)
        return page


def row(**values: str) -> list[str | None]:
    return [values.get(column) for column in COLUMNS]


def test_filters_become_parameters_and_the_window_picks_day_partitions():
    # Given a query for one party over two days, with a quote in a value
    query = AuditQuery(
        party="PT/EDP",
        correlation_id="x' OR '1'='1",
        since="2026-11-30T23:00:00Z",
        until="2026-12-01T01:00:00Z",
    )
    sql, params = build_sql("db", "messages", query)
    # Then no value is in the SQL text, and the parameters are escaped literals
    assert "x' OR" not in sql and "PT/EDP" not in sql
    assert '"day" BETWEEN ? AND ?' in sql and sql.endswith("LIMIT 200")
    assert params[:2] == ["'2026-11-30'", "'2026-12-01'"]
    assert "'x'' OR ''1''=''1'" in params and "'PT/EDP'" in params


def test_records_come_back_from_every_page_after_the_query_succeeds():
    # Given Athena running, then succeeding, with the header row and records over two pages
    athena = FakeAthena(
        ["RUNNING", "SUCCEEDED"],
        [
            [
                list(COLUMNS),
                row(
                    at="2026-12-01T10:42:00Z",
                    channel="ocpi",
                    direction="in",
                    kind="request",
                    party="PT/EDP",
                    body_truncated="false",
                ),
            ],
            [
                row(
                    at="2026-12-01T10:42:01Z",
                    channel="ocpi",
                    direction="out",
                    kind="response",
                    http_status="200",
                    ocpi_status="1000",
                    body_truncated="false",
                )
            ],
        ],
    )
    sleeps: list[float] = []
    finder = AthenaAuditFinder(SETTINGS, client=athena, sleep=sleeps.append)
    # When a query runs
    found = finder.find(AuditQuery(party="PT/EDP"))
    # Then both records are read, typed, in order, and the query ran in the audit workgroup
    assert [(r.kind, r.http_status) for r in found.records] == [("request", None), ("response", 200)]
    assert found.skipped_lines == 0
    assert athena.started[0]["WorkGroup"] == "mobie-hub-audit" and sleeps == [0.2]


def test_a_row_that_is_no_record_is_skipped_and_counted_not_fatal():
    # Given a result with a good record and a row the SerDe read from a damaged line
    athena = FakeAthena(
        ["SUCCEEDED"],
        [
            [
                list(COLUMNS),
                row(at="2026-12-01T10:42:00Z", channel="ocpi", direction="in", kind="request"),
                row(at="2026-12-01T10:42:01Z", channel="carrier pigeon", direction="in", kind="request"),
            ]
        ],
    )
    # When the query runs
    found = AthenaAuditFinder(SETTINGS, client=athena, sleep=lambda s: None).find(AuditQuery())
    # Then the good record comes back and the bad row is counted
    assert [r.channel for r in found.records] == ["ocpi"] and found.skipped_lines == 1


def test_a_failed_query_is_an_error_naming_why():
    finder = AthenaAuditFinder(SETTINGS, client=FakeAthena(["FAILED"], [[]]), sleep=lambda s: None)
    with pytest.raises(AuditQueryFailed, match="FAILED: syntax"):
        finder.find(AuditQuery())


def test_a_slow_query_is_stopped():
    athena = FakeAthena(["RUNNING"], [[]])
    finder = AthenaAuditFinder(
        SETTINGS.model_copy(update={"query_timeout_seconds": 0.000001}), client=athena, sleep=lambda s: None
    )
    with pytest.raises(AuditQueryFailed, match="too long"):
        finder.find(AuditQuery())
    assert athena.stopped == ["q-1"]


def test_without_a_configured_store_the_finder_says_so():
    with pytest.raises(AuditQueryFailed, match="MOBIE_AUDIT_ATHENA"):
        AthenaAuditFinder(AuditSettings(), client=object())
