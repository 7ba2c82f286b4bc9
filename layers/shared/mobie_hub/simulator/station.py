"""A charging station that speaks OCPP 1.6-J, built on the ``ocpp`` library's ChargePoint.

Scriptable (tests, later issues' demos) and runnable (``mobie-hub simulate station``): it boots,
reports the status of each connector, charges on an idTag (Authorize → StartTransaction →
MeterValues → StopTransaction: the station's own side, ``simulator.charging``) and answers the hub's RemoteStartTransaction, RemoteStopTransaction,
UnlockConnector, TriggerMessage and ChangeConfiguration (the keys the hub sets after a boot,
``ocpp.configuration``: they change its own timers). Connector *n* is the *n*-th EVSE of the
station's Location.

By default it answers as a real station would. ``station.script(action, ...)`` changes how it handles
one of the hub's calls (``Script``): answer another status, lose the answer on its way, do nothing
after it, stop with another reason, or answer a CALLERROR — the conditions of profile §11's tables.
"""

from __future__ import annotations

import json
from typing import Any

from ocpp.routing import after, on
from ocpp.v16 import call_result as res
from ocpp.v16.enums import (
    Action,
    ChargePointStatus,
    ConfigurationStatus,
    MessageTrigger,
    ReadingContext,
    Reason,
    RemoteStartStopStatus,
    TriggerMessageStatus,
    UnlockStatus,
)

from mobie_hub.simulator.charging import ChargingStation, Transaction
from mobie_hub.simulator.script import Script, scripted_error

_TRIGGERABLE = {
    MessageTrigger.boot_notification,
    MessageTrigger.heartbeat,
    MessageTrigger.status_notification,
    MessageTrigger.meter_values,
}


# ChangeConfiguration keys the simulator keeps (OCPP 1.6 §9.1, all integers in seconds).
HEARTBEAT_INTERVAL, METER_INTERVAL, PING_INTERVAL = (
    "HeartbeatInterval",
    "MeterValueSampleInterval",
    "WebSocketPingInterval",
)
_CALLRESULT = 3  # OCPP-J message type id


class SimulatedStation(ChargingStation):
    """A ``ChargingStation`` that answers the hub's calls as a real station would, or as scripted."""

    def __init__(self, station_id: str, connection: Any, **station: Any) -> None:
        super().__init__(station_id, connection, **station)
        self.received: list[tuple[str, dict[str, Any]]] = []  # every call the hub sent, in order
        self.scripts: dict[str, Script] = {}  # by action; absent: the default handling
        self._lost_answers: set[str] = set()  # message ids whose CALLRESULT is not sent

    # --- scripting -------------------------------------------------------------------------------
    def script(self, action: str, **how: Any) -> None:
        """Handle the hub's ``action`` calls as ``Script(**how)`` says, from now on."""
        self.scripts[action] = Script(**how)

    def _scripted(self, action: str, call_unique_id: str | None) -> Script:
        """The script of ``action`` (the default when none); raises the CALLERROR it asks for."""
        script = self.scripts.get(action, Script())
        if script.error:
            raise scripted_error(script.error)
        if not script.answer and call_unique_id:
            self._lost_answers.add(call_unique_id)
        return script

    async def _send(self, message: str) -> None:
        frame = json.loads(message)
        if frame[0] == _CALLRESULT and frame[1] in self._lost_answers:
            self._lost_answers.discard(frame[1])  # the conf is lost on its way to the hub
            return
        await super()._send(message)

    # --- calls the hub sends --------------------------------------------------------------------
    def _free_connector(self, connector_id: int | None) -> int | None:
        candidates = [connector_id] if connector_id else range(1, self.connectors + 1)
        for candidate in candidates:
            if (
                1 <= candidate <= self.connectors
                and candidate not in self.transactions
                and self.statuses[candidate] == ChargePointStatus.available
            ):
                return candidate
        return None

    @on(Action.remote_start_transaction)
    def on_remote_start(
        self, id_tag: str, connector_id: int | None = None, call_unique_id: str | None = None, **_: Any
    ) -> res.RemoteStartTransaction:
        self.received.append(("RemoteStartTransaction", {"id_tag": id_tag, "connector_id": connector_id}))
        script = self._scripted(Action.remote_start_transaction, call_unique_id)
        accepted = self._free_connector(connector_id) is not None
        return res.RemoteStartTransaction(
            script.status or (RemoteStartStopStatus.accepted if accepted else RemoteStartStopStatus.rejected)
        )

    @after(Action.remote_start_transaction)
    def after_remote_start(self, id_tag: str, connector_id: int | None = None, **_: Any) -> None:
        chosen = self._free_connector(connector_id)
        script = self.scripts.get(Action.remote_start_transaction, Script())
        if chosen is not None and script.acts(RemoteStartStopStatus.accepted):
            # AuthorizeRemoteTxRequests is false: a remote start goes straight to StartTransaction,
            # and charges until it is stopped.
            self.spawn(self._remote_charge(chosen, id_tag))

    async def _remote_charge(self, connector_id: int, id_tag: str) -> None:
        transaction = await self.start_transaction(connector_id, id_tag)
        await self._deliver(connector_id, transaction, None)

    def _transaction(self, transaction_id: int) -> tuple[int, Transaction] | None:
        for connector_id, transaction in self.transactions.items():
            if transaction.transaction_id == transaction_id:
                return connector_id, transaction
        return None

    @on(Action.remote_stop_transaction)
    def on_remote_stop(
        self, transaction_id: int, call_unique_id: str | None = None, **_: Any
    ) -> res.RemoteStopTransaction:
        self.received.append(("RemoteStopTransaction", {"transaction_id": transaction_id}))
        script = self._scripted(Action.remote_stop_transaction, call_unique_id)
        found = self._transaction(transaction_id) is not None
        return res.RemoteStopTransaction(
            script.status or (RemoteStartStopStatus.accepted if found else RemoteStartStopStatus.rejected)
        )

    @after(Action.remote_stop_transaction)
    def after_remote_stop(self, transaction_id: int, **_: Any) -> None:
        found = self._transaction(transaction_id)
        script = self.scripts.get(Action.remote_stop_transaction, Script())
        if found is not None and script.acts(RemoteStartStopStatus.accepted):
            self.spawn(self.stop_transaction(found[0], script.stop_reason))

    @on(Action.unlock_connector)
    def on_unlock(
        self, connector_id: int, call_unique_id: str | None = None, **_: Any
    ) -> res.UnlockConnector:
        self.received.append(("UnlockConnector", {"connector_id": connector_id}))
        script = self._scripted(Action.unlock_connector, call_unique_id)
        if script.status:
            return res.UnlockConnector(script.status)
        if not 1 <= connector_id <= self.connectors:
            return res.UnlockConnector(UnlockStatus.not_supported)
        return res.UnlockConnector(UnlockStatus.unlocked)

    @after(Action.unlock_connector)
    def after_unlock(self, connector_id: int, **_: Any) -> None:
        script = self.scripts.get(Action.unlock_connector, Script())
        if not script.acts(UnlockStatus.unlocked):
            return
        if connector_id in self.transactions:  # OCPP 1.6 §5.18: unlocking ends the transaction
            self.spawn(self.stop_transaction(connector_id, Reason.unlock_command))

    @on(Action.trigger_message)
    def on_trigger(
        self, requested_message: str, connector_id: int | None = None, **_: Any
    ) -> res.TriggerMessage:
        self.received.append(
            ("TriggerMessage", {"requested_message": requested_message, "connector_id": connector_id})
        )
        accepted = requested_message in _TRIGGERABLE
        return res.TriggerMessage(
            TriggerMessageStatus.accepted if accepted else TriggerMessageStatus.not_implemented
        )

    @after(Action.trigger_message)
    def after_trigger(self, requested_message: str, connector_id: int | None = None, **_: Any) -> None:
        if requested_message == MessageTrigger.boot_notification:
            self.spawn(self.boot())
        elif requested_message == MessageTrigger.heartbeat:
            self.spawn(self.heartbeat())
        elif requested_message == MessageTrigger.status_notification:
            if connector_id is None:
                self.spawn(self.report_all())
            else:
                self.spawn(
                    self.report_status(
                        connector_id, self.statuses.get(connector_id, ChargePointStatus.available)
                    )
                )
        elif requested_message == MessageTrigger.meter_values:
            for connector in [connector_id] if connector_id else list(self.meters):
                self.spawn(self.meter_values(connector, ReadingContext.trigger))

    @on(Action.change_configuration)
    def on_change_configuration(self, key: str, value: str, **_: Any) -> res.ChangeConfiguration:
        """HeartbeatInterval and MeterValueSampleInterval set its timers (the meter's from its next
        sample); WebSocketPingInterval its connection's keep-alive pings. Other keys: NotSupported; a
        value that is not a positive whole number of seconds: Rejected."""
        self.received.append(("ChangeConfiguration", {"key": key, "value": value}))
        if key not in (HEARTBEAT_INTERVAL, METER_INTERVAL, PING_INTERVAL):
            return res.ChangeConfiguration(ConfigurationStatus.not_supported)
        seconds = int(value) if value.isdigit() else 0
        if seconds <= 0:  # 0 would stop heartbeats, samples or pings, which this simulator always sends
            return res.ChangeConfiguration(ConfigurationStatus.rejected)
        if key == HEARTBEAT_INTERVAL:
            self.heartbeat_interval = seconds
            self._heartbeat_changed.set()
        elif key == METER_INTERVAL:
            self.meter_interval = float(seconds)
        elif hasattr(self._connection, "ping_interval"):  # websockets reads it before each ping
            self._connection.ping_interval = seconds
        return res.ChangeConfiguration(ConfigurationStatus.accepted)
