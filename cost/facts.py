"""What the cost model knows of the deployed stack (``cost.stack`` reads it from the synthesized
template): the functions, state machines, Pipes, rules and schedules, and the resources the measured
functions need beside them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cost.patterns import matches_pattern


@dataclass(frozen=True)
class Function:
    service: str  # POWERTOOLS_SERVICE_NAME without the prefix: "ocpp-message", "push-recipients"
    source: str  # functions/<source>/handler.py
    handler: str  # the attribute of handler.py
    memory_mb: int
    arm64: bool
    tracing: bool
    log_class: str = "STANDARD"  # its log group's class: STANDARD | INFREQUENT_ACCESS
    # Lambda's START/END/REPORT lines: written unless the JSON log format filters system logs below WARN
    platform_logs: bool = True
    # calls an invocation makes at once (MOBIE_PUSH_THREADS: a Location push batch, a thread a party)
    parallel_calls: int = 1


@dataclass(frozen=True)
class StateMachine:
    logical_id: str
    express: bool
    log_level: str  # ALL | ERROR | FATAL | OFF
    include_data: bool
    definition: str  # the ASL with ``${Name}`` substitutions
    substitutions: dict[str, str]  # substitution → function service


@dataclass(frozen=True)
class Pipe:
    table: str  # table key
    patterns: tuple[dict, ...]  # the filter's patterns (any one matches); empty: every record
    enrichment: str | None  # function service
    source: str = ""  # the events' source and detail type on the bus (the Pipe's target parameters)
    detail_type: str = ""

    def passes(self, record: dict) -> bool:
        """Whether the Pipe's filter lets a stream record through (one billed request)."""
        return not self.patterns or any(matches_pattern(p, record) for p in self.patterns)


@dataclass(frozen=True)
class Rule:
    pattern: dict[str, Any]  # the EventBridge event pattern
    targets: tuple[tuple[str, str], ...]  # ("function", service) | ("state_machine", logical id) | ("unmodeled", …)

    def matches(self, event: dict[str, Any]) -> bool:
        return matches_pattern(self.pattern, event)


@dataclass(frozen=True)
class Schedule:
    target: tuple[str, str]
    per_month: float
    payload: Any


@dataclass
class StackFacts:
    functions: dict[str, Function] = field(default_factory=dict)
    state_machines: dict[str, StateMachine] = field(default_factory=dict)
    pipes: list[Pipe] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)
    websocket_access_log: str | None = None
    rest_access_log: str | None = None
    log_groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # logical id → retention, class
    audit_to_firehose: bool = False
    alarms: int = 0
    dashboards: int = 0
    ttl_tables: tuple[str, ...] = ()

    websocket_access_log_group: str | None = None
    environment: dict[str, str] = field(default_factory=dict)  # the functions' settings (union)
    delivery_streams: tuple[str, ...] = ()  # Firehose streams to create under moto
    event_buses: tuple[str, ...] = ()

    def log_retention_days(self) -> dict[str, int]:
        """Retention of the API access logs, and the longest of the other log groups (Lambda, Step Functions)."""
        access = self.log_groups.get(self.websocket_access_log_group or "", {}).get("retention_days") or 0
        others = [g["retention_days"] or 0 for lid, g in self.log_groups.items() if "AccessLogs" not in lid]
        return {"access": access, "other": max(others, default=0)}

    def memory_mb(self) -> dict[str, int]:
        return {service: f.memory_mb for service, f in self.functions.items()}
