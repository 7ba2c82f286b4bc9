"""One logger for the whole hub (Powertools): structured JSON, ids as keys, never f-strings."""

from __future__ import annotations

import json
import sys
import time

from aws_lambda_powertools import Logger

# Powertools reads POWERTOOLS_SERVICE_NAME / POWERTOOLS_LOG_LEVEL itself; the service name
# defaults here for the local hub and tests.
logger = Logger(service="mobie-hub")

METRICS_NAMESPACE = "MobieHub"  # infra/constants.py METRICS_NAMESPACE: the alarms and dashboard read it


def count(name: str, value: int = 1, **dimensions: str) -> None:
    """Emit one CloudWatch metric now (Embedded Metric Format in the log), namespace ``MobieHub``.

    Published under two dimension sets: the given dimensions, and none — the total across them that
    alarms watch (``PushFailed`` of every party). No ``service`` dimension, unlike Powertools'
    default: a metric is the same whichever function emits it. Never a station id as a dimension:
    each distinct value is a custom metric ($0.30 a month), and there are tens of thousands."""
    document = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": METRICS_NAMESPACE,
                    "Dimensions": [list(dimensions), []] if dimensions else [[]],
                    "Metrics": [{"Name": name, "Unit": "Count"}],
                }
            ],
        },
        **{key: str(dimension) for key, dimension in dimensions.items()},
        name: value,
    }
    sys.stdout.write(json.dumps(document, separators=(",", ":")) + "\n")
