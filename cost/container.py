"""The container alternative at the same load, priced by the same model.

Assumptions (flags of ``make cost``): ``tasks`` Fargate tasks (arm64, ``vcpu`` and ``memory_gb``
each) behind one Application Load Balancer that holds the stations' WebSockets and serves the OCPI
API; the same code and the same DynamoDB design (the same tables, items and indexes: the measured
read/write units and storage), but no Lambda, API Gateway, Pipes, EventBridge or Step Functions —
the fan-out runs in the process, so no table streams are read. The application's own log lines and
EMF metrics still go to CloudWatch Logs (the same code writes them); Lambda's START/END/REPORT lines
do not exist; the audit records go straight to Firehose in batches (no CloudWatch ingestion) and on
to S3; no X-Ray. Alarms, dashboards and custom metrics are the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cost.model import GB, Item, Scale, _by, monthly_usage, serverless_items

SAME = (
    "DynamoDB: write units (tables)",
    "DynamoDB: write units (indexes)",
    "DynamoDB: read units",
    "DynamoDB: storage after",
    "S3: audit storage after",
    "CloudWatch: custom metrics, alarms, dashboards",
)


@dataclass(frozen=True)
class Containers:
    tasks: int = 3
    vcpu: float = 1.0
    memory_gb: float = 2.0


def container_items(profile: dict[str, Any], scale: Scale, prices: dict[str, Any], shape: Containers) -> list[Item]:
    usage = monthly_usage(profile, scale)
    hours = scale.hours_per_month
    fargate, alb, logs = prices["fargate_arm64"], prices["alb"], prices["cloudwatch_logs"]
    items = [
        Item("Fargate: vCPU", shape.tasks * shape.vcpu * hours, "vCPU-hours",
             shape.tasks * shape.vcpu * hours * fargate["per_vcpu_hour"]),
        Item("Fargate: memory", shape.tasks * shape.memory_gb * hours, "GB-hours",
             shape.tasks * shape.memory_gb * hours * fargate["per_gb_hour"]),
        Item("ALB: hours", hours, "hours", hours * alb["per_hour"]),
    ]
    # An LCU-hour is the largest of its dimensions: active connections (the stations, always
    # connected), new connections (a station reconnects after a boot; no 2-hour limit here) and bytes.
    active = scale.stations / alb["lcu_active_connections_per_minute"]
    new = scale.stations * scale.boots_per_station_month / scale.seconds_per_month / alb["lcu_new_connections_per_second"]
    moved = usage["ws.bytes_in"] + usage["ws.bytes_out"] + usage["http.bytes_out"]
    processed = moved / GB / hours / alb["lcu_processed_gb_per_hour"]
    lcu = max(active, new, processed)
    items.append(Item("ALB: capacity units", lcu * hours, "LCU-hours", lcu * hours * alb["per_lcu_hour"]))
    items.extend(item for item in serverless_items(profile, scale, prices) if item.name.startswith(SAME))
    platform = profile["meta"].get("platform_log_bytes", 0)
    app_logs = sum(
        max(0.0, size - usage[f"lambda.requests|{function}"] * platform)
        for function, size in _by(usage, "logs.bytes").items()
    ) + sum(_by(usage, "logs.emf").values())
    items.append(Item("CloudWatch Logs: application logs and EMF metrics", app_logs / GB, "GB",
                      app_logs / GB * logs["ingestion_standard_per_gb"]))
    audit = sum(_by(usage, "logs.audit").values()) + usage["firehose.bytes"]
    items.append(Item("Firehose: audit ingestion (batched)", audit / GB, "GB",
                      audit / GB * prices["firehose"]["direct_put_per_gb"]))
    return items
