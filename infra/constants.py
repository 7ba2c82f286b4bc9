"""Every name and tuning value of the CDK app, in one place (style point 8)."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
SHARED_LAYER_SOURCE = ROOT / "layers" / "shared"
SHARED_PACKAGE = "mobie_hub"
LAMBDA_REQUIREMENTS = ROOT / "requirements-lambda.txt"

STACK_NAME = "MobieHub"
DEFAULT_REGION = "eu-west-1"
# Every physical name is "<stack name>-<suffix>" (or derived from the stack name otherwise), so that two
# stacks (production and a dev stack, or two hubs) live side by side in one account and region.

# `make deploy` reads the deployment's values from the environment (MOBIE_DEPLOY_<CONTEXT KEY>, e.g.
# MOBIE_DEPLOY_DOMAIN_NAME) or from a JSON file of context keys: deploy.json at the repository root, or
# the file MOBIE_DEPLOY_CONFIG names (docs/deploy.md). `-c key=value` wins over both, the environment
# over the file.
DEPLOY_ENV_PREFIX = "MOBIE_DEPLOY_"
DEPLOY_CONFIG_ENV = "MOBIE_DEPLOY_CONFIG"
DEPLOY_CONFIG_FILE = ROOT / "deploy.json"
# Without any domain values `make synth` builds the production shape around this placeholder, which
# `make deploy` refuses (and which could not deploy anyway: no such certificate, bucket or domain).
PLACEHOLDER_DOMAIN = "ocpi.placeholder.invalid"
PLACEHOLDER_ACCOUNT = "000000000000"
PLACEHOLDER_TRUSTSTORE = "s3://placeholder-truststore.invalid/emsp-ca.pem"
DESCRIPTION = "MOBI.E OCPI 2.2 hub: OCPI API (mTLS), one Lambda per OCPI module, DynamoDB."

# Construct ids: renaming one replaces the resources under it, so they are fixed here.
DATA_ID = "Data"
LAYERS_ID = "Layers"
OCPI_API_ID = "OcpiApi"

# Lambda. One Python version drives the runtime and the platform the dependency layer is built for.
PYTHON_VERSION = "3.13"
RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64
PIP_PLATFORM = "manylinux2014_aarch64"
HANDLER = "handler.handler"
# Lambda allocates CPU in proportion to memory, and importing FastAPI + pydantic dominates the cold
# start (`make bench` measures the imports): 512 MB buys CPU for that; tune with measured cold starts.
MEMORY_MB = 512
# Functions that mostly wait on an EMSP's answer pay GB-s for their memory while they wait: the session
# and CDR push (one call) and the Location push batch (its parties at once) run at 256 MB, where their
# CPU still takes less than the EMSP's answer (`make cost`: owner-push 241 -> 302 ms, push 305 -> 433 ms
# at half the memory, so $29 -> $18 and $15 -> $11 a month; docs/operations.md "Lambda duration"); the
# process peaks at ~70 MB (clients made, models imported). Not the station path: its latency is the
# station's wait.
MEMORY_MB_BY_SERVICE = {"owner-push": 256, "push": 256}
TIMEOUT = Duration.seconds(10)
# Modules that call parties back (credentials handshake) wait on the outbound client: API Gateway's
# integration limit is 29 s, so the function stops first and the gateway never answers 504 blindly.
CALLS_OUT_TIMEOUT = Duration.seconds(28)
LOG_RETENTION = logs.RetentionDays.THREE_MONTHS
SERVICE_PREFIX = "mobie-hub"
METRICS_NAMESPACE = "MobieHub"  # the default stack's; a stack publishes in its own, its name (monitoring.py)

# The station path's own share of the account's Lambda concurrency (context station_reserved_concurrency):
# pushes to slow EMSPs, CDR sweeps or an admin bulk operation cannot take the OCPP functions' capacity.
# Lambda keeps at least UNRESERVED_CONCURRENCY_MINIMUM unreserved in every account and region, so the
# total must fit under the account's concurrency limit (context account_concurrency) minus that.
STATION_RESERVED_CONCURRENCY = 200  # production default; dev stacks reserve none (new accounts have 10)
ACCOUNT_CONCURRENCY = 1000  # Lambda's default concurrency limit per account and region
UNRESERVED_CONCURRENCY_MINIMUM = 100
# The share of the station path's reserved concurrency each OCPP function gets (the watchdog needs one).
STATION_CONCURRENCY_SHARES = {"Message": 0.6, "Authorizer": 0.15, "Connect": 0.15, "Disconnect": 0.1}
WATCHDOG_RESERVED_CONCURRENCY = 1  # one sweep at a time; it runs once a minute

# OCPI API (REST API: mutual TLS exists only for REST/HTTP APIs on a regional custom domain).
OCPI_API_SUFFIX = "ocpi"  # the REST API is named <stack name>-ocpi
STAGE_NAME = "hub"
OCPI_ROOT = "ocpi"
VERSIONS_MODULE = "versions"  # serves /ocpi/versions and /ocpi/{version}/details
# Stage-wide defaults (requests per second); every EMSP shares them, so tune with real traffic.
THROTTLE_RATE_LIMIT = 200
THROTTLE_BURST_LIMIT = 400
ACCESS_LOG_RETENTION = logs.RetentionDays.ONE_YEAR

# OCPP gateway (WebSocket API behind CloudFront, docs/ocpp.md). Stations send a heartbeat every 300 s
# and a few messages per transaction: the throttle is per stage, shared by every station.
OCPP_GATEWAY_ID = "OcppGateway"
OCPP_API_SUFFIX = "ocpp"  # the WebSocket API is named <stack name>-ocpp
OCPP_STAGE_NAME = "ocpp"
OCPP_THROTTLE_RATE_LIMIT = 500
OCPP_THROTTLE_BURST_LIMIT = 1000
# The edge's rate limit on the OCPP distribution (a WAF rate-based rule): connection attempts per
# client address per 5 minutes (WAF's window). A station connects about once per 2 h (API Gateway's
# limit) and on every reboot; a CPO's fleet may reach the hub through few NAT addresses (cellular
# APNs), hence generous. Messages inside a websocket are never counted: they are not HTTP requests.
OCPP_WAF_RATE_LIMIT = 1000
# CloudFront web ACLs are global resources that only us-east-1 can create.
CLOUDFRONT_WAF_REGION = "us-east-1"
CLOUDFRONT_CERTIFICATE_REGION = "us-east-1"  # and CloudFront's viewer certificates too


# Workflows of the parties (infra/constructs/workflows.py, docs/credentials.md).
WORKFLOWS_ID = "Workflows"
RENEWAL_AGE_DAYS = 7  # profile §5: renew credentials 7 days after their last change
RENEWAL_SCHEDULE_HOUR = 3  # daily, at 03:00 Europe/Lisbon
# One renewal = one credentials PUT (+ the party reading the hub back, + re-reading a moved API), each
# call bounded by the outbound timeout (10 s); the state machine's task timeout (90 s) sits above this.
RENEWAL_TASK_TIMEOUT = Duration.seconds(60)
RENEWAL_WORKFLOW_TIMEOUT = Duration.hours(2)
CLIENT_INFO_PUSH_TIMEOUT = Duration.seconds(120)  # one sequential PUT per party, each ≤ the outbound timeout


class Context:
    """The context keys the app reads (`cdk synth -c key=value`, or cdk.json "context")."""

    REGION = "region"
    ACCOUNT = "account"
    STACK_NAME = "stack_name"
    DEV = "dev"
    DOMAIN_NAME = "domain_name"
    CERTIFICATE_ARN = "certificate_arn"
    TRUSTSTORE_URI = "truststore_uri"
    TRUSTSTORE_VERSION = "truststore_version"
    HOSTED_ZONE_ID = "hosted_zone_id"
    HOSTED_ZONE_NAME = "hosted_zone_name"
    DEPENDENCY_LAYER_DIR = "dependency_layer_dir"
    # OCPP stations authenticate (HTTP Basic) unless this is true: loudly named, and the stack then
    # outputs a warning (OcppInsecureOpenStations).
    INSECURE_OPEN_STATIONS = "insecure_open_stations"
    REQUIRE_STATION_AUTH = "require_station_auth"  # before issue 12; true is the default now, false refused
    # A CLOUDFRONT-scope WAF web ACL (made in us-east-1) for the OCPP distribution, when the stack is in
    # another region; in us-east-1 the stack makes its own (docs/deploy.md "OCPP edge").
    OCPP_WEB_ACL_ARN = "ocpp_web_acl_arn"
    # The stations' own host name on the OCPP distribution, with its ACM certificate (made in us-east-1,
    # CloudFront's region): TLS 1.2 minimum towards stations instead of the *.cloudfront.net default.
    STATION_DOMAIN_NAME = "station_domain_name"
    STATION_CERTIFICATE_ARN = "station_certificate_arn"
    # `make deploy` passes deploy=true: then every value a real deployment needs must be given (no placeholder)
    DEPLOY = "deploy"
    STATION_RESERVED_CONCURRENCY = "station_reserved_concurrency"
    ACCOUNT_CONCURRENCY = "account_concurrency"
    # At most one meter PATCH of a charging session per this many seconds (docs/events.md "Coalesced
    # session pushes"): the stream converter and the owner push must agree on it (infra/config.py).
    SESSION_PUSH_INTERVAL_SECONDS = "session_push_interval_seconds"
    AUDIT_LOCK_DAYS = "audit_lock_days"  # days Object Lock keeps each audit record (infra/config.py)

# The event pipeline (infra/constructs/events.py, docs/events.md): streams → Pipes → bus → fan-out.
EVENTS_ID = "Events"
STREAM_EVENTS_TIMEOUT = Duration.seconds(30)
# A record the enrichment cannot convert is retried a little, then dead-lettered (kept 14 days):
# it must not block its shard, and a push older than an hour is stale (the EMSP can GET the object).
STREAM_RETRY_ATTEMPTS = 3
STREAM_MAX_RECORD_AGE_SECONDS = 3600
EVENT_DLQ_RETENTION = Duration.days(14)
PUSH_TIMEOUT = Duration.seconds(15)  # one outbound call (≤ 10 s, the outbound client's timeout) + margin
FANOUT_WORKFLOW_TIMEOUT = Duration.minutes(2)
# A CDR is billing: its creation is idempotent, so EventBridge retries it for a day, then dead-letters.
CDR_CREATION_TIMEOUT = Duration.seconds(30)
CDR_CREATION_RETRIES = 10
CDR_CREATION_MAX_AGE = Duration.hours(24)

# The message audit trail (infra/constructs/audit.py, docs/operations.md): Firehose → S3 by day → Athena.
AUDIT_ID = "Audit"
AUDIT_TABLE = "messages"  # mobie_hub.audit.settings.AuditSettings.athena_table
AUDIT_BUFFER_SECONDS = 300  # records are queryable in AWS within ~5 min (the logs have them at once)
AUDIT_BUFFER_MB = 128  # fewer, bigger objects: fewer S3 PUTs and Athena opens
AUDIT_ARCHIVE_AFTER = Duration.days(90)  # then Glacier Instant Retrieval (Athena still reads it)
AUDIT_RETENTION = Duration.days(5 * 365)  # to confirm with MOBI.E's record-keeping obligations
AUDIT_QUERY_RESULTS_EXPIRY = Duration.days(7)
AUDIT_MAX_SCAN_BYTES = 200 * 1024**3  # Athena stops a query past 200 GB scanned (≈ $1 at $5/TB)

# Monitoring (infra/constructs/monitoring.py, docs/operations.md "Alarms").
MONITORING_ID = "Monitoring"
DASHBOARD_SUFFIX = "dashboard"  # the dashboard is named <stack name>-dashboard
PUSH_FAILURE_RATE_PERCENT = 20  # over 15 min, twice in a row: one EMSP of five down, or everyone failing a bit
# One EMSP failing: the party with the most failed pushes in 15 minutes, twice in a row (a Metrics Insights
# query over the per-party metric, so a party added tomorrow is watched without a deploy).
PUSH_FAILURES_PER_PARTY = 10
API_5XX_RATE = 0.01  # 1 % of OCPI requests answered 5xx (API Gateway's 5XXError average)
STATIONS_OFFLINE_STD_DEVS = 3  # width of the anomaly band of station heartbeats

# The command lifecycle (infra/constructs/commands.py, docs/commands.md).
COMMANDS_ID = "Commands"
COMMAND_LIFECYCLE_SUFFIX = "command-lifecycle"  # the state machine is named <stack name>-<suffix>
COMMAND_SEND_TIMEOUT = Duration.seconds(15)  # one GetItem, one transaction, one post_to_connection
COMMAND_RESULT_TIMEOUT = Duration.seconds(30)  # a few reads + one POST (≤ 10 s, the outbound timeout)
# Above the longest promised timeout a command may have (MOBIE_COMMAND_*_TIMEOUT_SECONDS ≤ 3600) plus the tasks.
COMMAND_WORKFLOW_TIMEOUT = Duration.hours(2)

# The operator's admin function (infra/constructs/admin.py): above an audit query (Athena, 60 s) and a
# hub-initiated registration (several outbound calls); the CLI waits as long (admin/client.py).
ADMIN_ID = "Admin"
ADMIN_TIMEOUT = Duration.seconds(120)
