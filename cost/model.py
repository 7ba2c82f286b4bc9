"""The monthly bill at a given scale: the measured profile × how often each piece of work happens
(``Scale``), priced with ``prices.json``. Pure arithmetic: no AWS, no measuring."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PRICES = Path(__file__).with_name("prices.json")
GB = 1024**3


@dataclass(frozen=True)
class Scale:
    """The load and the assumptions the model prices (flags of ``make cost``; defaults: issue #18)."""

    stations: int = 10_000
    sessions_per_day: int = 60_000
    emsps: int = 30
    heartbeat_interval: int = 300  # s between Heartbeats of a station (the hub hands it out at boot)
    meter_interval: int = 60  # s between MeterValues while charging
    session_minutes: int = 35  # mean length of a charging session
    status_changes_per_session: float = 4  # Preparing, Charging, Finishing, Available
    authorizations_per_session: float = 1
    commands_per_session: float = 0.3  # OCPI commands (an app's remote start/stop, unlock) per session
    boots_per_station_month: float = 1
    # API Gateway closes a WebSocket after 2 hours at most: a station reconnects 12 times a day.
    reconnects_per_station_day: float = 12
    days_per_month: float = 30.4
    storage_months: int = 12  # DynamoDB and S3 storage are priced after this many months of growth
    dynamodb_latency_ms: float = 6  # added to a Lambda's measured time per DynamoDB call
    aws_call_latency_ms: float = 20  # per other AWS API call (Management API, Step Functions, …)
    http_latency_ms: float = 150  # per OCPI push: the EMSP's answer time
    lambda_vcpu_speed: float = 1.0  # a Lambda vCPU's speed relative to the core the CPU time was measured on
    # the share of invocations that are a new execution environment's first (AWS: "cold starts
    # typically occur in under 1% of invocations", Compute Blog, "Understanding and remediating cold
    # starts: an AWS Lambda perspective", 2024); each pays its function's measured first-use work
    cold_start_rate: float = 0.01
    stream_shards: int = 2  # shards of each table stream a Pipe polls
    stream_polls_per_second: float = 4  # a Pipe's GetRecords per shard per second
    ocpi_requests_per_day: float = 0  # EMSP requests to the OCPI API (not measured here)

    @property
    def sessions_per_month(self) -> float:
        return self.sessions_per_day * self.days_per_month

    @property
    def seconds_per_month(self) -> float:
        return self.days_per_month * 86_400

    @property
    def hours_per_month(self) -> float:
        return self.days_per_month * 24


@dataclass(frozen=True)
class Item:
    name: str
    quantity: float
    unit: str
    dollars: float


def load_prices(path: Path = PRICES) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def work_per_month(profile: dict[str, Any], scale: Scale) -> dict[str, float]:
    """How many times a month each measured piece of work happens at ``scale``."""
    work = profile["work"]
    measured = {name: entry["count"] for name, entry in work.items()}
    boots = scale.stations * scale.boots_per_station_month
    sessions = scale.sessions_per_month
    connects = scale.stations * scale.reconnects_per_station_day * scale.days_per_month
    per_boot = lambda name: boots * measured.get(name, 0) / max(1, measured.get("BootNotification", 1))
    counts = {
        "connect": boots,  # after a boot; the other connections are reconnects
        "reconnect (disconnect, connect)": connects,
        "BootNotification": boots,
        "CallResult (answer to a hub call)": per_boot("CallResult (answer to a hub call)"),
        "StatusNotification (unchanged)": per_boot("StatusNotification (unchanged)"),
        "Heartbeat": scale.stations * scale.seconds_per_month / scale.heartbeat_interval,
        "StatusNotification (changed)": sessions * scale.status_changes_per_session,
        "Authorize": sessions * scale.authorizations_per_session,
        "StartTransaction": sessions,
        "MeterValues": sessions * scale.session_minutes * 60 / scale.meter_interval,
        "StopTransaction": sessions,
        "command (OCPI → OCPP → CommandResult)": sessions * scale.commands_per_session,
        **profile["meta"].get("schedules", {}),
    }
    unknown = set(work) - set(counts)
    if unknown:
        raise ValueError(f"measured work the model has no frequency for: {sorted(unknown)}")
    return {name: counts[name] for name in work}


def monthly_usage(profile: dict[str, Any], scale: Scale) -> Counter:
    total: Counter = Counter()
    for name, times in work_per_month(profile, scale).items():
        for key, value in profile["work"][name]["usage"].items():
            total[key] += value * times
    return total


def _by(usage: Counter, prefix: str) -> dict[str, float]:
    return {key.split("|", 1)[1]: value for key, value in usage.items() if key.startswith(prefix + "|")}


# Lambda gives a function CPU in proportion to its memory: 1,769 MB is one vCPU (AWS Lambda guide).
MB_PER_VCPU = 1769


def _stretched(cpu_ms: float, memory_mb: int, scale: Scale) -> float:
    """Milliseconds of run time for ``cpu_ms`` of one core's CPU time, at the vCPU share ``memory_mb`` buys."""
    return cpu_ms / min(1.0, memory_mb / MB_PER_VCPU) / scale.lambda_vcpu_speed


def lambda_milliseconds(
    usage: Counter, scale: Scale, memory_mb: dict[str, int], parallel_calls: dict[str, int] | None = None
) -> dict[str, float]:
    """Modeled run time per function: the CPU time measured in-process (one core of this machine
    taken as one Lambda vCPU), stretched by the share of a vCPU the function's memory buys, plus the
    network time of its calls; a function making ``parallel_calls`` HTTP calls at once (a Location
    push batch) waits for one answer per such wave, at least one per invocation that calls."""
    result = {}
    for function, cpu_ms in _by(usage, "lambda.ms").items():
        http = usage[f"lambda.http_calls|{function}"]
        waves = min(http, max(usage[f"lambda.requests|{function}"], http / (parallel_calls or {}).get(function, 1)))
        result[function] = (
            _stretched(cpu_ms, memory_mb.get(function, 512), scale)
            + usage[f"lambda.ddb_calls|{function}"] * scale.dynamodb_latency_ms
            + usage[f"lambda.aws_calls|{function}"] * scale.aws_call_latency_ms
            + waves * scale.http_latency_ms
        )
    return result


def cold_start_gb_seconds(usage: Counter, scale: Scale, memory_mb: dict[str, int], cold_ms: dict[str, float]) -> float:
    """GB-s of the first-use work (``cold_ms``: CPU ms a function's first invocation in a process
    takes beyond its warm median) that ``cold_start_rate`` of each function's requests pay."""
    return sum(
        usage[f"lambda.requests|{function}"] * scale.cold_start_rate
        * _stretched(ms, memory_mb.get(function, 512), scale) / 1000 * memory_mb.get(function, 512) / 1024
        for function, ms in cold_ms.items()
    )


def serverless_items(profile: dict[str, Any], scale: Scale, prices: dict[str, Any]) -> list[Item]:
    usage = monthly_usage(profile, scale)
    meta = profile["meta"]
    functions = meta.get("functions", {})
    items: list[Item] = []

    def add(name: str, quantity: float, unit: str, dollars: float) -> None:
        items.append(Item(name, quantity, unit, dollars))

    ws = prices["apigateway_websocket"]
    messages = usage["ws.messages_in"] + usage["ws.messages_out"]
    add("API Gateway WebSocket: messages", messages, "messages", messages / 1e6 * ws["per_million_messages"])
    minutes = scale.stations * scale.days_per_month * 1440
    add("API Gateway WebSocket: connection minutes", minutes, "minutes", minutes / 1e6 * ws["per_million_connection_minutes"])
    rest = usage["apigw.rest_requests"] + scale.ocpi_requests_per_day * scale.days_per_month
    add("API Gateway REST: OCPI requests", rest, "requests", rest / 1e6 * prices["apigateway_rest"]["per_million_requests"])

    lam = prices["lambda_arm64"]
    requests = sum(_by(usage, "lambda.requests").values())
    add("Lambda: requests", requests, "requests", requests / 1e6 * lam["per_million_requests"])
    memory = {f: spec.get("memory_mb", 512) for f, spec in functions.items()}
    parallel = {f: spec.get("parallel_calls", 1) for f, spec in functions.items()}
    milliseconds = lambda_milliseconds(usage, scale, memory, parallel)
    gb_seconds = sum(ms / 1000 * memory.get(f, 512) / 1024 for f, ms in milliseconds.items())
    add("Lambda: duration", gb_seconds, "GB-s", gb_seconds * lam["per_gb_second"])
    cold = cold_start_gb_seconds(usage, scale, memory, meta.get("cold_start_ms", {}))
    add(f"Lambda: first-use work of cold starts ({scale.cold_start_rate:.0%} of requests)", cold, "GB-s",
        cold * lam["per_gb_second"])

    ddb = prices["dynamodb_on_demand"]
    wru = _by(usage, "ddb.wru")
    table_wru = sum(v for k, v in wru.items() if "/" not in k)
    index_wru = sum(v for k, v in wru.items() if "/" in k)
    add("DynamoDB: write units (tables)", table_wru, "WRU", table_wru / 1e6 * ddb["per_million_write_request_units"])
    add("DynamoDB: write units (indexes)", index_wru, "WRU", index_wru / 1e6 * ddb["per_million_write_request_units"])
    rru = sum(_by(usage, "ddb.rru").values())
    add("DynamoDB: read units", rru, "RRU", rru / 1e6 * ddb["per_million_read_request_units"])
    # what grows for good, after storage_months of growth; what expires, for the months it lives
    lasting = sum(_by(usage, "ddb.storage").values()) * scale.storage_months
    expiring = sum(
        size * min(float(key.rsplit("|", 1)[1]), scale.storage_months) for key, size in _by(usage, "ddb.expiring").items()
    )
    stored = max(0.0, lasting + expiring) / GB
    add(f"DynamoDB: storage after {scale.storage_months} months", stored, "GB-month", stored * ddb["per_gb_month_storage"])
    stream_reads = meta.get("pipes", 0) * scale.stream_shards * scale.stream_polls_per_second * scale.seconds_per_month
    add("DynamoDB Streams: reads by the Pipes", stream_reads, "read units",
        stream_reads / 1e5 * ddb["streams_per_100k_read_request_units"])

    events = usage["events.put"]
    add("EventBridge: events put", events, "events", events / 1e6 * prices["eventbridge"]["per_million_custom_events"])
    pipes = sum(_by(usage, "pipes.requests").values())
    add("EventBridge Pipes: requests", pipes, "requests", pipes / 1e6 * prices["eventbridge_pipes"]["per_million_requests"])
    scheduled = sum(meta.get("schedules", {}).values())
    add("EventBridge schedules", scheduled, "invocations",
        scheduled / 1e6 * prices["eventbridge"]["scheduler_per_million_invocations"])

    sfn = prices["step_functions"]
    express = _by(usage, "sfn.express.requests")
    add("Step Functions Express: requests", sum(express.values()), "executions",
        sum(express.values()) / 1e6 * sfn["express_per_million_requests"])
    per_invocation = {f: ms / max(1, usage[f"lambda.requests|{f}"]) for f, ms in milliseconds.items()}
    express_gb_s = 0.0
    for machine, executions in express.items():
        tasks = {k.split("|")[1]: v for k, v in _by(usage, "sfn.express.tasks").items() if k.startswith(machine + "|")}
        ms = sum(per_invocation.get(function, 0) * count for function, count in tasks.items()) / executions
        billed = math.ceil(ms / sfn["express_billing_granularity_ms"]) * sfn["express_billing_granularity_ms"]
        express_gb_s += executions * billed / 1000 * sfn["express_memory_unit_mb"] / 1024
    add("Step Functions Express: duration", express_gb_s, "GB-s", express_gb_s * sfn["express_per_gb_second"])
    transitions = sum(_by(usage, "sfn.standard.transitions").values())
    add("Step Functions Standard: transitions", transitions, "transitions",
        transitions / 1000 * sfn["standard_per_thousand_transitions"])

    logs = prices["cloudwatch_logs"]

    def ingestion(kind: str) -> tuple[float, float]:
        """(GB, dollars) of a kind of Lambda output, each function at its log group's class."""
        gigabytes = dollars = 0.0
        for function, size in _by(usage, kind).items():
            infrequent = functions.get(function, {}).get("log_class") == "INFREQUENT_ACCESS"
            price = logs["ingestion_infrequent_access_per_gb" if infrequent else "ingestion_standard_per_gb"]
            gigabytes += size / GB
            dollars += size / GB * price
        return gigabytes, dollars

    ingested = 0.0
    for kind, title in (
        ("logs.bytes", "CloudWatch Logs: Lambda logs (incl. START/END/REPORT)"),
        ("logs.emf", "CloudWatch Logs: EMF metrics"),
        ("logs.audit", "CloudWatch Logs: audit records"),
    ):
        gigabytes, dollars = ingestion(kind)
        ingested += gigabytes
        add(title, gigabytes, "GB", dollars)
    sfn_logs = sum(_by(usage, "sfn.logs").values()) / GB
    add("CloudWatch Logs: Step Functions executions", sfn_logs, "GB", sfn_logs * logs["ingestion_standard_per_gb"])
    access = sum(_by(usage, "logs.access").values()) / GB
    add("CloudWatch Logs: API access logs", access, "GB", access * logs["ingestion_standard_per_gb"])
    retention = meta.get("log_retention_days", {})
    months = lambda kind: max(1.0, (retention.get(kind) or 30) / 30.4)
    stored_logs = (ingested + sfn_logs) * logs["stored_compression_ratio"] * months("other") + access * logs[
        "stored_compression_ratio"
    ] * months("access")
    add("CloudWatch Logs: storage", stored_logs, "GB-month", stored_logs * logs["storage_per_gb_month"])

    firehose, s3 = prices["firehose"], prices["s3_standard"]
    unit = firehose["record_unit_bytes"]
    billed = 0.0
    if meta.get("audit_to_firehose"):  # one subscription delivery per invocation's batch of audit lines
        for function, batches in _by(usage, "audit.batches").items():
            mean = usage[f"logs.audit|{function}"] / batches
            billed += batches * math.ceil(mean / unit) * unit
    records = usage["firehose.records"]
    if records:  # records the code puts on Firehose itself
        billed += records * math.ceil(usage["firehose.bytes"] / records / unit) * unit
    audit_bytes = sum(_by(usage, "logs.audit").values()) + usage["firehose.bytes"]
    add("Firehose: audit ingestion (5 KB records)", billed / GB, "GB", billed / GB * firehose["direct_put_per_gb"])
    s3_stored = audit_bytes * s3["stored_compression_ratio"] * scale.storage_months / GB
    puts = scale.seconds_per_month / 300  # Firehose's 300 s buffer: one object each
    add(f"S3: audit storage after {scale.storage_months} months + PUTs", s3_stored, "GB-month",
        s3_stored * s3["per_gb_month"] + puts / 1000 * s3["per_thousand_put_requests"])

    xray = prices["xray"]
    traced_functions = [f for f, spec in functions.items() if spec.get("tracing")]
    entries = sum(usage[f"lambda.requests|{f}"] for f in traced_functions) - sum(_by(usage, "sfn.express.tasks").values())
    reservoir = xray["sampling_reservoir_per_second"] * scale.seconds_per_month
    traces = min(entries, reservoir) + xray["sampling_rate"] * max(0.0, entries - reservoir)
    add("X-Ray: traces (default sampling)", traces, "traces", traces / 1e6 * xray["per_million_traces_recorded"])

    cw = prices["cloudwatch"]
    metrics, alarms, dashboards = meta.get("custom_metrics", 0), meta.get("alarms", 0), meta.get("dashboards", 0)
    add("CloudWatch: custom metrics, alarms, dashboards", metrics + alarms + dashboards, "metrics+alarms+dashboards",
        metrics * cw["per_custom_metric_month"] + alarms * cw["per_standard_alarm_month"]
        + dashboards * cw["per_dashboard_month"])
    return items


def summary(items: list[Item], scale: Scale) -> dict[str, Any]:
    total = sum(item.dollars for item in items)
    return {
        "items": [
            {**asdict(item), "share": item.dollars / total if total else 0.0}
            for item in sorted(items, key=lambda i: i.dollars, reverse=True)
        ],
        "total_per_month": total,
        "per_session": total / scale.sessions_per_month,
    }
