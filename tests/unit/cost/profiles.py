"""A fixed measured profile for the model's tests: three kinds of work with round usages."""

from __future__ import annotations

import copy
from typing import Any

_PROFILE: dict[str, Any] = {
    "work": {
        "Heartbeat": {"count": 3, "usage": {
            "ws.messages_in": 1, "ws.messages_out": 1, "ws.bytes_in": 20, "ws.bytes_out": 50,
            "lambda.requests|ocpp-message": 1, "lambda.ms|ocpp-message": 10, "lambda.ddb_calls|ocpp-message": 1,
            "ddb.calls|UpdateItem": 1, "ddb.wru|stations": 1, "logs.bytes|ocpp-message": 500,
            "logs.audit|ocpp-message": 400, "audit.batches|ocpp-message": 1,
        }},
        "MeterValues": {"count": 35, "usage": {
            "ws.messages_in": 1, "ws.messages_out": 1, "ws.bytes_in": 250, "ws.bytes_out": 12,
            "lambda.requests|ocpp-message": 1, "lambda.ms|ocpp-message": 10, "lambda.ddb_calls|ocpp-message": 2,
            "ddb.calls|TransactWriteItems": 1, "ddb.calls|GetItem": 1, "ddb.wru|sessions": 2,
            "ddb.wru|sessions/gsi1": 2, "ddb.rru|sessions": 1, "ddb.storage|sessions": 1024,
            "logs.bytes|ocpp-message": 500, "pipes.requests|sessions": 1, "events.put": 0.5,
            "sfn.express.requests|Fanout": 0.5, "sfn.logs|Fanout": 4000,
        }},
        "StartTransaction": {"count": 1, "usage": {
            "ws.messages_in": 1, "ws.messages_out": 1, "lambda.requests|ocpp-message": 1,
            "lambda.ms|ocpp-message": 10, "ddb.wru|sessions": 4, "logs.bytes|ocpp-message": 500,
        }},
    },
    "meta": {
        "functions": {"ocpp-message": {"memory_mb": 1769, "arm64": True, "tracing": False, "log_class": "STANDARD"}},
        "schedules": {}, "pipes": 0, "alarms": 10, "dashboards": 0, "custom_metrics": 0,
        "log_retention_days": {"access": 30, "other": 30}, "platform_log_bytes": 300, "audit_to_firehose": True,
        "emsps": 30, "meter_interval": 60, "session_minutes": 35, "heartbeat_interval": 300,
        "commit": "test", "measured_at": "2026-12-03T00:00:00+00:00",
    },
}


def profile() -> dict[str, Any]:
    return copy.deepcopy(_PROFILE)
