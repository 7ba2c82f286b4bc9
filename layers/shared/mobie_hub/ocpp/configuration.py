"""What the hub configures on a station after it booted (docs/ocpp.md "Message volume"), one
ChangeConfiguration at a time (OCPP-J: one call awaiting its answer per station), each sent when the
answer to the previous one arrives — the first once the boot's TriggerMessage was answered:

1. ``WebSocketPingInterval`` (``ocpp_websocket_ping_interval``): the station's pings keep its connection
   inside API Gateway's 10-minute idle timeout, so the Heartbeat interval can be long. A station that
   refuses it (Rejected, NotSupported, a CALLERROR) while the Heartbeat interval is longer than the idle
   timeout allows gets ``HeartbeatInterval`` = ``KEEPALIVE_HEARTBEAT`` instead: its heartbeats keep it open.
2. ``MeterValueSampleInterval`` (``ocpp_meter_sample_interval``): how often a charging station reports
   its meter, i.e. how old a session's kWh can be at its EMSP.

A setting of 0 leaves that key as the station has it. The chain is pure: ``next_call`` reads the
answer to one step and says what to send next, if anything.
"""

from __future__ import annotations

from mobie_hub.core.settings import get_settings
from mobie_hub.ocpp.calls import STATION_DISCONNECTED
from mobie_hub.ocpp.ports import CallOutcome
from mobie_hub.ocpp.station_messages import STATUS_RECOVERY, FollowUp

CONFIGURE = "configure"  # the context key of the hub's own ChangeConfiguration (the key it sets)
PING, SAMPLE, HEARTBEAT = "WebSocketPingInterval", "MeterValueSampleInterval", "HeartbeatInterval"
IDLE_TIMEOUT_SECONDS = 600  # API Gateway WebSocket: a connection without a frame for 10 min is closed
KEEPALIVE_HEARTBEAT = 300  # well inside the idle timeout, whatever the station's clock drift


def _change(key: str, value: int) -> FollowUp:
    return FollowUp("ChangeConfiguration", {"key": key, "value": str(value)}, {CONFIGURE: key})


def _wanted() -> list[FollowUp]:
    settings = get_settings()
    steps = [(PING, settings.ocpp_websocket_ping_interval), (SAMPLE, settings.ocpp_meter_sample_interval)]
    return [_change(key, value) for key, value in steps if value]


def _refused(outcome: CallOutcome) -> bool:
    if outcome.ok:
        return (outcome.result or {}).get("status") not in ("Accepted", "RebootRequired")
    return outcome.failure is not None and outcome.failure.code != STATION_DISCONNECTED


def next_call(outcome: CallOutcome) -> FollowUp | None:
    """The ChangeConfiguration to send after this answer, or None (not part of the chain, the end of
    it, or the station left)."""
    if outcome.failure is not None and outcome.failure.code == STATION_DISCONNECTED:
        return None  # it boots again when it comes back, and the chain starts again
    wanted = _wanted()
    done = outcome.context.get(CONFIGURE)
    if outcome.context.get(STATUS_RECOVERY) == "boot":
        return wanted[0] if wanted else None
    if done is None:
        return None
    if done == PING and _refused(outcome) and get_settings().ocpp_heartbeat_interval >= IDLE_TIMEOUT_SECONDS:
        return _change(HEARTBEAT, KEEPALIVE_HEARTBEAT)
    keys = [step.payload["key"] for step in wanted]
    after = PING if done == HEARTBEAT else done  # the fallback stands in for the ping step
    if after not in keys or keys.index(after) + 1 == len(keys):
        return None
    return wanted[keys.index(after) + 1]
