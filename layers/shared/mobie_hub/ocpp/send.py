"""Send an OCPP call to a station through this process's central system (docs/ocpp.md, "Calls the hub
sends"): the commands feature's way to reach a station. A module of its own, not the package's
``__init__``, so that importing ``mobie_hub.ocpp.api`` does not reach the central system.
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
    from mobie_hub.ocpp.runtime import central_system  # imported on use: importing this module stays light

    return central_system().send_call(station_id, action, payload, context=context, timeout=timeout)
