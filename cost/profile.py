"""The measured profile: what each kind of work did, and the facts the model prices it with.

``{"work": {name: {"count": n, "usage": {key: mean}}}, "meta": {...}}``, JSON as is (``--save-profile``
keeps it). Each kind of work is how many were measured and their mean usage, a function's CPU time
its median warm invocation's; the excess of a function's first invocation (in the warm-up life) over
its warm median is its ``meta.cold_start_ms``, which the model prices once per cold start.
"""

from __future__ import annotations

import statistics
import subprocess
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cost.facts import StackFacts
from cost.recorder import Recorder, Usage
from cost.stack import ROOT
from cost.station import access_log_bytes


class Profile(dict):
    """{"work": {name: {"count": n, "usage": {key: mean}}}, "meta": {...}} (JSON as is)."""


def build_profile(
    work: Mapping[str, list[Usage]],
    timings: Mapping[str, Mapping[str, list[float]]],
    *,
    recorder: Recorder,
    facts: StackFacts,
    events: list[dict[str, Any]],
    unmodeled: set[str],
    measured_with: Mapping[str, Any],
) -> Profile:
    """The profile of the measured ``work`` (name → its usages) and ``timings`` (name → function → CPU
    ms of each invocation); ``recorder.timings`` holds every invocation of each function, the warm-up
    life's first. ``events`` are the envelopes the measured life put on the bus, ``unmodeled`` the
    targets the harness could not run, ``measured_with`` the scenario and settings (in the meta)."""
    first = {function: times[0] for function, times in recorder.timings.items()}
    warm = {function: times[1:] for function, times in recorder.timings.items()}
    overall = {function: statistics.median(times or [first[function]]) for function, times in warm.items()}
    # A function whose warm-up ran it once and the measured life never: its first invocation is all
    # the model has, priced as warm (an over-count, named in the profile).
    unwarmed = sorted(function for function, times in warm.items() if not times)
    cold_start_ms = {function: max(0.0, first[function] - overall[function]) for function in first}

    def typical(name: str) -> dict[str, float]:
        """A function's median warm CPU time in this work (over all the work when measured fewer than 3 times)."""
        return {
            function: statistics.median(times) if len(times) >= 3 else overall[function]
            for function, times in timings.get(name, {}).items()
        }

    return Profile(
        work={name: {"count": len(usages), "usage": _mean(usages, typical(name))} for name, usages in work.items()},
        meta={
            "commit": _git_commit(),
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **measured_with,
            "events": dict(Counter(e.get("event_name") for e in events)),
            "custom_metrics": len(recorder.metrics),
            "cold_start_ms": cold_start_ms,
            "unwarmed": unwarmed,
            "unmodeled_targets": sorted(unmodeled),
            "schedules": {
                f"schedule: {schedule.target[1]}": schedule.per_month for schedule in facts.schedules
            },
            "functions": {
                service: {"memory_mb": f.memory_mb, "arm64": f.arm64, "tracing": f.tracing, "log_class": f.log_class,
                          "platform_logs": f.platform_logs, "parallel_calls": f.parallel_calls}
                for service, f in facts.functions.items()
            },
            "state_machines": {
                m.logical_id: {"express": m.express, "log_level": m.log_level, "include_data": m.include_data}
                for m in facts.state_machines.values()
            },
            "pipes": len(facts.pipes),
            "alarms": facts.alarms,
            "dashboards": facts.dashboards,
            "audit_to_firehose": facts.audit_to_firehose,
            "log_retention_days": facts.log_retention_days(),
            "websocket_access_log_bytes": access_log_bytes(facts.websocket_access_log),
        },
    )


def _git_commit() -> str:
    """HEAD, with "+ uncommitted changes" when the measured code (layers, functions, infra) differs from it."""
    def git(*arguments: str) -> str:
        return subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=True).stdout

    try:
        commit = git("rev-parse", "--short", "HEAD").strip()
        dirty = git("status", "--porcelain", "--", "layers", "functions", "infra").strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{commit} + uncommitted changes" if dirty else commit


def _mean(usages: list[Usage], typical_ms: dict[str, float]) -> dict[str, float]:
    """The mean usage; a function's milliseconds are its median warm invocation's CPU time (its first
    invocation pays imports and client creation: that is ``cold_start_ms``, priced per cold start)."""
    total: Counter = Counter()
    for usage in usages:
        total.update(usage)
    mean = {key: value / len(usages) for key, value in sorted(total.items())}
    for key in [k for k in mean if k.startswith("lambda.ms|")]:
        function = key.split("|", 1)[1]
        mean[key] = mean[f"lambda.requests|{function}"] * typical_ms[function]
    return mean
