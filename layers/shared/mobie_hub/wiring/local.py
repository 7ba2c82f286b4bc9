"""The composition root of the local hub (``mobie-hub serve``, the in-process hubs of e2e tests and
benchmarks): the AWS adapters where the local hub has the same (DynamoDB through the embedded AWS,
httpx to the parties, the sessions repository), and local ones where it does not:

| port | local adapter |
|---|---|
| ``ocpp.central_system`` | local websocket connections (``ws://HOST:PORT/ocpp/{id}``), awaitable call outcomes |
| ``commands.workflow`` | the same command lifecycle on an asyncio runner instead of Step Functions |
| ``audit.sink`` / ``audit.finder`` | the embedded S3 store, when the tables are embedded (``mobie-hub audit`` reads it) |
"""

from __future__ import annotations

from mobie_hub.audit import runtime as audit_runtime
from mobie_hub.commands import runtime as commands_runtime
from mobie_hub.commands.local_runner import LocalCommandRunner
from mobie_hub.commands.ocpp_hooks import CommandCallResults, CommandTransactionEvents
from mobie_hub.core.settings import get_settings
from mobie_hub.local.ocpp import LocalCallResults, LocalConnections, quiet_denied_handshakes
from mobie_hub.ocpp import runtime as ocpp_runtime
from mobie_hub.ocpp.calls import LoggingListener
from mobie_hub.ocpp.central_system import CentralSystem
from mobie_hub.sessions.transactions import SessionTransactions
from mobie_hub.tokens.authority import WhitelistAuthority
from mobie_hub.wiring import aws


def install() -> CentralSystem:
    """Compose this process as the local hub; returns its OCPP central system (installed)."""
    aws.install()
    _use_embedded_audit_store()
    quiet_denied_handshakes()
    central_system = CentralSystem(
        LocalConnections(),
        WhitelistAuthority(),
        CommandTransactionEvents(SessionTransactions()),
        LocalCallResults(then=CommandCallResults(LoggingListener())),
    )
    ocpp_runtime.use(central_system)
    commands_runtime.use(workflow=LocalCommandRunner(commands_runtime.sessions), sessions=commands_runtime.sessions())
    return central_system


def _use_embedded_audit_store() -> None:
    """Audit records into the embedded S3 (the moto server holding the tables); without an embedded
    endpoint (tests under moto's in-process mock) the default log-line sink stays."""
    from mobie_hub.audit.store_embedded import EmbeddedAuditStore

    endpoint = get_settings().dynamodb_endpoint
    if endpoint:
        store = EmbeddedAuditStore(endpoint, region=get_settings().aws_region)
        audit_runtime.use(store, store)
