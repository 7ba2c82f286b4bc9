"""The composition root of the Lambda functions: AWS adapters for every port.

Each ``functions/<name>/handler.py`` calls ``install()`` at import. It only registers factories (it
imports no feature), so a Lambda loads the adapters it really uses, on first use.

| port | adapter |
|---|---|
| ``ocpp.central_system`` | ``CentralSystem`` over API Gateway connections, the tokens whitelist, OCPI Sessions (the command lifecycle hears transactions and call results) |
| ``commands.workflow`` | one Step Functions Standard execution per command |
| ``commands.sessions`` | the sessions repository |
| ``audit.sink`` / ``audit.finder`` | one Firehose record per invocation (a log line where no stream is set) / Athena |
| ``outbound.client`` | httpx, the parties' connection tracker as observer (HubClientInfo) |
"""

from __future__ import annotations

from typing import Any

from mobie_hub.core import composition


def install() -> None:
    """Provide the AWS factory of every port (idempotent; cheap: nothing is built or imported)."""
    composition.provide("ocpp.central_system", central_system)
    composition.provide("commands.workflow", command_workflow)
    composition.provide("commands.sessions", command_sessions)
    composition.provide("audit.sink", audit_sink)
    composition.provide("audit.finder", audit_finder)
    composition.provide("outbound.client", outbound_client)


def central_system(management_url: str | None = None) -> Any:
    from mobie_hub.commands.ocpp_hooks import CommandCallResults, CommandTransactionEvents
    from mobie_hub.core.settings import get_settings
    from mobie_hub.ocpp.api_gateway import ApiGatewayConnections, Unconfigured
    from mobie_hub.ocpp.calls import LoggingListener
    from mobie_hub.ocpp.central_system import CentralSystem
    from mobie_hub.sessions.transactions import SessionTransactions
    from mobie_hub.tokens.authority import WhitelistAuthority

    url = management_url or get_settings().ocpp_management_url
    connections = ApiGatewayConnections(url, get_settings().aws_region) if url else Unconfigured()
    # The command lifecycle hears the answers and the transaction events (resumes Step Functions).
    transactions = CommandTransactionEvents(SessionTransactions())
    return CentralSystem(connections, WhitelistAuthority(), transactions, CommandCallResults(LoggingListener()))


def command_workflow() -> Any:
    from mobie_hub.commands.config import command_settings
    from mobie_hub.commands.step_functions import StepFunctionsWorkflow
    from mobie_hub.core.settings import get_settings

    arn = command_settings().state_machine_arn
    if not arn:
        raise RuntimeError("no command workflow: MOBIE_COMMAND_STATE_MACHINE_ARN is not set")
    return StepFunctionsWorkflow(arn, get_settings().aws_region)


def command_sessions() -> Any:
    from mobie_hub.sessions.command_facts import RepositorySessionFacts

    return RepositorySessionFacts()


def audit_sink() -> Any:
    from mobie_hub.audit.settings import AuditSettings

    stream = AuditSettings().stream
    if stream is None:  # no delivery stream configured: a line on stdout
        from mobie_hub.audit.log_sink import LogLineSink

        return LogLineSink()
    from mobie_hub.audit.firehose_sink import FirehoseAuditSink

    return FirehoseAuditSink(stream)


def audit_finder() -> Any:
    from mobie_hub.audit.store_athena import AthenaAuditFinder

    return AthenaAuditFinder()


def outbound_client() -> Any:
    from mobie_hub.outbound.httpx_adapter import HttpxOcpiClient
    from mobie_hub.parties.connection import ConnectionTracker

    return HttpxOcpiClient(observer=ConnectionTracker())
