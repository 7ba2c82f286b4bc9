"""One logger for the whole hub (Powertools): structured JSON, ids as keys, never f-strings."""

from __future__ import annotations

import json
import os
import sys
import time

from aws_lambda_powertools import Logger

# Powertools reads POWERTOOLS_SERVICE_NAME / POWERTOOLS_LOG_LEVEL itself; the service name
# defaults here for the local hub and tests.
logger = Logger(service="mobie-hub")

# The namespace of the hub's metrics: a deployed stack names its own (its stack name) in
# POWERTOOLS_METRICS_NAMESPACE, which its alarms and dashboard read; MobieHub otherwise (local hub, tests).
METRICS_NAMESPACE = "MobieHub"
NAMESPACE_ENV = "POWERTOOLS_METRICS_NAMESPACE"


def metrics_namespace() -> str:
    return os.environ.get(NAMESPACE_ENV) or METRICS_NAMESPACE


def count(name: str, value: int = 1, **dimensions: str) -> None:
    """Emit one CloudWatch metric now (Embedded Metric Format in the log), in the stack's namespace
    (``metrics_namespace()``: ``MobieHub`` unless POWERTOOLS_METRICS_NAMESPACE names another).

    Published under two dimension sets: the given dimensions, and none — the total across them that
    alarms watch (``PushFailed`` of every party). No ``service`` dimension, unlike Powertools'
    default: a metric is the same whichever function emits it. Never a station id as a dimension:
    each distinct value is a custom metric ($0.30 a month), and there are tens of thousands."""
    document = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": metrics_namespace(),
                    "Dimensions": [list(dimensions), []] if dimensions else [[]],
                    "Metrics": [{"Name": name, "Unit": "Count"}],
                }
            ],
        },
        **{key: str(dimension) for key, dimension in dimensions.items()},
        name: value,
    }
    sys.stdout.write(json.dumps(document, separators=(",", ":")) + "\n")
