"""What the hub configures on a station after it booted (docs/ocpp.md "Message volume"): one
ChangeConfiguration at a time (OCPP-J: one call awaiting its answer per station), each sent when the
answer to the previous one arrives. The first is sent after the station's first Heartbeat after a
boot (not at the boot: the boot's TriggerMessage and a command right after it come first):

1. ``WebSocketPingInterval`` (``ocpp_websocket_ping_interval``): the station's pings keep its connection
   inside API Gateway's 10-minute idle timeout. Until a station accepts it, its Heartbeat interval is
   at most ``KEEPALIVE_HEARTBEAT`` (BootNotification's answer), so its heartbeats keep it open.
2. ``HeartbeatInterval`` (``ocpp_heartbeat_interval``), only once the pings were Accepted.
3. ``MeterValueSampleInterval`` (``ocpp_meter_sample_interval``): how often a charging station reports
   its meter, i.e. how old a session's kWh can be at its EMSP.

A setting of 0 leaves that key as the station has it (no ping setting: the heartbeat stays at most
``KEEPALIVE_HEARTBEAT``). Pure: ``first_call`` / ``next_call`` say what to send next, if anything.
"""

from __future__ import annotations

from mobie_hub.core.settings import get_settings
from mobie_hub.ocpp.calls import STATION_DISCONNECTED
from mobie_hub.ocpp.ports import CallOutcome, FollowUp

CONFIGURE = "configure"  # the context key of the hub's own ChangeConfiguration (the key it sets)
PING, HEARTBEAT, SAMPLE = "WebSocketPingInterval", "HeartbeatInterval", "MeterValueSampleInterval"
ORDER = (PING, HEARTBEAT, SAMPLE)
KEEPALIVE_HEARTBEAT = 300  # well inside API Gateway's 10-minute idle timeout


def _change(key: str, value: int) -> FollowUp:
    return FollowUp("ChangeConfiguration", {"key": key, "value": str(value)}, {CONFIGURE: key})


def _after(done: str | None, accepted: bool) -> FollowUp | None:
    settings = get_settings()
    for key in ORDER[0 if done is None else ORDER.index(done) + 1:]:
        if key == PING and settings.ocpp_websocket_ping_interval:
            return _change(PING, settings.ocpp_websocket_ping_interval)
        if key == HEARTBEAT and done == PING and accepted and settings.ocpp_heartbeat_interval > KEEPALIVE_HEARTBEAT:
            return _change(HEARTBEAT, settings.ocpp_heartbeat_interval)
        if key == SAMPLE and settings.ocpp_meter_sample_interval:
            return _change(SAMPLE, settings.ocpp_meter_sample_interval)
    return None


def first_call() -> FollowUp | None:
    """The first ChangeConfiguration after a boot (sent after the station's first Heartbeat)."""
    return _after(None, accepted=False)


def next_call(outcome: CallOutcome) -> FollowUp | None:
    """The ChangeConfiguration to send after this answer, or None (not part of the chain, its end, or
    the station left: it boots again when it comes back, and is configured again)."""
    done = outcome.context.get(CONFIGURE)
    if done not in ORDER or (outcome.failure is not None and outcome.failure.code == STATION_DISCONNECTED):
        return None
    accepted = outcome.ok and (outcome.result or {}).get("status") in ("Accepted", "RebootRequired")
    return _after(done, accepted)
