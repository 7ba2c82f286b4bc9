"""One logger for the whole hub (Powertools): structured JSON, ids as keys, never f-strings."""

from __future__ import annotations

from aws_lambda_powertools import Logger

# Powertools reads POWERTOOLS_SERVICE_NAME / POWERTOOLS_LOG_LEVEL itself; the service name
# defaults here for the local hub and tests.
logger = Logger(service="mobie-hub")
