"""One logger for the whole hub (Powertools): structured JSON, ids as keys, never f-strings."""

from __future__ import annotations

from aws_lambda_powertools import Logger

# Powertools reads POWERTOOLS_SERVICE_NAME / POWERTOOLS_LOG_LEVEL itself; the service name
# defaults here for the local hub and tests.
logger = Logger(service="mobie-hub")


def count(name: str, value: int = 1, **dimensions: str) -> None:
    """Emit one CloudWatch metric now (Embedded Metric Format in the log), namespace ``MobieHub``."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace="MobieHub") as metric:
        for key, dimension in dimensions.items():
            metric.add_dimension(name=key, value=dimension)
