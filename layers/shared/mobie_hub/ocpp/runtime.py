"""Where the OCPP gateway is composed (the composition root).

In Lambda: API Gateway connections, the tokens whitelist, recorded transactions, logged call
outcomes. The local hub installs its own gateway (local websocket connections, awaitable outcomes)
with ``use``. Issues 7 and 8 swap ``RecordedTransactions`` / ``LoggingListener`` here.
"""

from __future__ import annotations

from mobie_hub.errors import StationOffline
from mobie_hub.ocpp.gateway import OcppGateway
from mobie_hub.ocpp.ports import StationConnections

_installed: OcppGateway | None = None
_default: OcppGateway | None = None


class _Unconfigured(StationConnections):
    """No management endpoint: this function cannot reach stations (it was not granted the API)."""

    def send(self, connection_id: str, text: str) -> None:
        raise StationOffline("this function has no OCPP management endpoint (MOBIE_OCPP_MANAGEMENT_URL)")

    def close(self, connection_id: str) -> None:
        pass


def _aws_gateway(management_url: str | None) -> OcppGateway:
    from mobie_hub.adapters.station_connections import ApiGatewayConnections
    from mobie_hub.ocpp.authority import WhitelistAuthority
    from mobie_hub.ocpp.calls import LoggingListener
    from mobie_hub.sessions.transactions import SessionTransactions
    from mobie_hub.settings import get_settings

    url = management_url or get_settings().ocpp_management_url
    connections = ApiGatewayConnections(url, get_settings().aws_region) if url else _Unconfigured()
    from mobie_hub.commands.ocpp_hooks import CommandCallResults, CommandTransactionEvents

    # Issue 8: the command lifecycle hears the answers and the transaction events (resumes Step Functions).
    transactions = CommandTransactionEvents(SessionTransactions())
    return OcppGateway(connections, WhitelistAuthority(), transactions, CommandCallResults(LoggingListener()))


def gateway(management_url: str | None = None) -> OcppGateway:
    """The process's gateway: the installed one (local hub), else the AWS one, built once.
    ``management_url`` (from a WebSocket event) is used when the setting is absent."""
    global _default
    if _installed is not None:
        return _installed
    if _default is None:
        _default = _aws_gateway(management_url)
    return _default


def use(installed: OcppGateway | None) -> None:
    """Install a gateway for this process (the local hub, tests); None goes back to the default."""
    global _installed, _default
    _installed, _default = installed, None
