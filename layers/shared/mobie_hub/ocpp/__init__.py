"""The OCPP 1.6-J gateway: charging stations talk to the hub over WebSocket (docs/ocpp.md).

- ``frames`` / ``schemas``: OCPP-J framing and the ``ocpp`` library's 1.6 JSON schemas, with the
  CALLERROR codes of OCPP-J 1.6 §4.2.3.
- ``admission``: who may open a connection (known station, ``ocpp1.6`` subprotocol, Basic auth).
- ``station_messages``: what the hub answers to each CALL a station sends.
- ``calls``: CALLs the hub sends (``send_call``) and the routing of their answers.
- ``central_system``: ``CentralSystem``, the one object every transport (API Gateway WebSocket, the local
  websocket) drives.
- ``ports``: the seams other modules plug into (station connections, idTag authority,
  transaction events, call-result listeners).

Nothing here imports boto3 or a web framework; the transports live in ``functions/ocpp_*``,
``mobie_hub.ocpp.api_gateway`` and ``mobie_hub.local.ocpp``; ``mobie_hub.wiring`` composes them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any


def send_call(
    station_id: str,
    action: str,
    payload: dict[str, Any],
    *,
    context: dict[str, Any] | None = None,
    timeout: timedelta | None = None,
) -> str:
    """Send an OCPP call to a connected station through this process's central system; returns the
    call's message id. The answer reaches its ``CallResultListener`` with ``context``. Raises
    ``InvalidRequest``, ``StationOffline`` or ``StationBusy`` (docs/ocpp.md, "Calls the hub sends")."""
    from mobie_hub.ocpp.runtime import central_system  # imported on use: the package stays light to import

    return central_system().send_call(station_id, action, payload, context=context, timeout=timeout)
