"""A charging station that speaks OCPP 1.6-J, built on the ``ocpp`` library's ChargePoint.

Scriptable (tests, later issues' demos) and runnable (``mobie-hub simulate station``): it boots,
reports the status of each connector, charges on an idTag (Authorize → StartTransaction →
MeterValues → StopTransaction) and answers the hub's RemoteStartTransaction, RemoteStopTransaction,
UnlockConnector, TriggerMessage and ChangeConfiguration (the keys the hub sets after a boot,
``ocpp.configuration``: they change its own timers). Connector *n* is the *n*-th EVSE of the
station's Location.

By default it answers as a real station would. ``station.script(action, ...)`` changes how it handles
one of the hub's calls (``Script``): answer another status, lose the answer on its way, do nothing
after it, stop with another reason, or answer a CALLERROR — the conditions of profile §11's tables.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ocpp.routing import after, on
from ocpp.v16 import ChargePoint
from ocpp.v16 import call as req
from ocpp.v16 import call_result as res
from ocpp.v16.datatypes import MeterValue, SampledValue
from ocpp.v16.enums import (
    Action,
    AuthorizationStatus,
    ChargePointErrorCode,
    ChargePointStatus,
    ConfigurationStatus,
    Measurand,
    MessageTrigger,
    ReadingContext,
    Reason,
    RemoteStartStopStatus,
    TriggerMessageStatus,
    UnitOfMeasure,
    UnlockStatus,
)

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


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Transaction:
    transaction_id: int
    id_tag: str
    meter_start_wh: int
    id_tag_status: str
    stopped: asyncio.Event = field(default_factory=asyncio.Event)
    stop_reason: Reason = Reason.local
    meter_values_answered: int = 0  # MeterValues of this transaction the hub answered (CALLRESULT)


_CALLRESULT = 3  # OCPP-J message type id


@dataclass
class ChargeResult:
    """What a charge ended with: the authorisation the hub gave, the transaction and the energy."""

    id_tag_status: str
    transaction_id: int | None = None
    energy_wh: int = 0
    stop_reason: str | None = None


class SimulatedStation(ChargePoint):
    """``connectors`` sockets, each with an energy meter that advances ``power_w`` while charging."""

    def __init__(
        self,
        station_id: str,
        connection: Any,
        *,
        connectors: int = 2,
        power_w: int = 11_000,
        meter_interval: float = 10.0,
        response_timeout: float = 30,
    ) -> None:
        super().__init__(station_id, connection, response_timeout=response_timeout)
        self.connectors = connectors
        self.power_w = power_w
        self.meter_interval = meter_interval
        self.heartbeat_interval: int | None = None
        self.statuses: dict[int, ChargePointStatus] = {
            n: ChargePointStatus.available for n in range(connectors + 1)
        }
        self.meters: dict[int, float] = {n: 0.0 for n in range(1, connectors + 1)}
        self.transactions: dict[int, Transaction] = {}
        self.received: list[tuple[str, dict[str, Any]]] = []  # every call the hub sent, in order
        self.scripts: dict[str, Script] = {}  # by action; absent: the default handling
        self._lost_answers: set[str] = set()  # message ids whose CALLRESULT is not sent
        self._tasks: set[asyncio.Task] = set()
        self.receiver: asyncio.Future | None = None  # the receive loop, set by ``connect_station``
        self._heartbeat_changed = asyncio.Event()  # HeartbeatInterval changed: the wait starts again

    # --- messages the station sends -------------------------------------------------------------
    async def boot(self) -> res.BootNotification:
        result = await self.call(
            req.BootNotification(
                charge_point_vendor="MOBI.E",
                charge_point_model="Simulator",
                charge_point_serial_number=self.id,
                firmware_version="1.0",
            ),
            suppress=False,
        )
        self.heartbeat_interval = result.interval
        return result

    async def heartbeat(self) -> res.Heartbeat:
        return await self.call(req.Heartbeat(), suppress=False)

    async def report_status(
        self,
        connector_id: int,
        status: ChargePointStatus,
        error_code: ChargePointErrorCode = ChargePointErrorCode.no_error,
    ) -> None:
        self.statuses[connector_id] = status
        await self.call(
            req.StatusNotification(
                connector_id=connector_id, error_code=error_code, status=status, timestamp=now_text()
            ),
            suppress=False,
        )

    async def report_all(self) -> None:
        """Connector 0 (the station) and every connector, as after a boot."""
        for connector_id in range(self.connectors + 1):
            await self.report_status(connector_id, self.statuses[connector_id])

    async def authorize(self, id_tag: str) -> str:
        result = await self.call(req.Authorize(id_tag=id_tag), suppress=False)
        return result.id_tag_info["status"]

    async def meter_values(
        self, connector_id: int, context: ReadingContext = ReadingContext.sample_periodic
    ) -> None:
        transaction = self.transactions.get(connector_id)
        sample = SampledValue(
            value=str(round(self.meters[connector_id])),
            context=context,
            measurand=Measurand.energy_active_import_register,
            unit=UnitOfMeasure.wh,
        )
        await self.call(
            req.MeterValues(
                connector_id=connector_id,
                meter_value=[MeterValue(timestamp=now_text(), sampled_value=[sample])],
                transaction_id=transaction.transaction_id if transaction else None,
            ),
            suppress=False,
        )
        if transaction is not None:
            transaction.meter_values_answered += 1

    async def start_transaction(self, connector_id: int, id_tag: str) -> Transaction:
        await self.report_status(connector_id, ChargePointStatus.preparing)
        meter_start = round(self.meters[connector_id])
        result = await self.call(
            req.StartTransaction(
                connector_id=connector_id, id_tag=id_tag, meter_start=meter_start, timestamp=now_text()
            ),
            suppress=False,
        )
        transaction = Transaction(result.transaction_id, id_tag, meter_start, result.id_tag_info["status"])
        self.transactions[connector_id] = transaction
        if transaction.id_tag_status != AuthorizationStatus.accepted:
            # StopTransactionOnInvalidId (OCPP 1.6 §4.8): the hub refused the idTag.
            await self.stop_transaction(connector_id, Reason.de_authorized)
        else:
            await self.report_status(connector_id, ChargePointStatus.charging)
        return transaction

    async def stop_transaction(self, connector_id: int, reason: Reason = Reason.local) -> res.StopTransaction:
        transaction = self.transactions.pop(connector_id)
        transaction.stop_reason = reason
        await self.report_status(connector_id, ChargePointStatus.finishing)
        result = await self.call(
            req.StopTransaction(
                meter_stop=round(self.meters[connector_id]),
                timestamp=now_text(),
                transaction_id=transaction.transaction_id,
                reason=reason,
                id_tag=transaction.id_tag,
            ),
            suppress=False,
        )
        transaction.stopped.set()
        await self.report_status(connector_id, ChargePointStatus.available)
        return result

    async def charge(
        self, id_tag: str, seconds: float, connector_id: int = 1, *, authorize: bool = True
    ) -> ChargeResult:
        """Charge for ``seconds`` (or until stopped remotely): Authorize, StartTransaction, MeterValues
        every ``meter_interval``, StopTransaction. Returns what happened."""
        if authorize:
            status = await self.authorize(id_tag)
            if status != AuthorizationStatus.accepted:
                return ChargeResult(status)
        transaction = await self.start_transaction(connector_id, id_tag)
        if transaction.stopped.is_set():
            return ChargeResult(
                transaction.id_tag_status, transaction.transaction_id, 0, transaction.stop_reason.value
            )
        await self._deliver(connector_id, transaction, seconds)
        if not transaction.stopped.is_set():
            await self.stop_transaction(connector_id)
        energy = round(self.meters[connector_id]) - transaction.meter_start_wh
        return ChargeResult(
            transaction.id_tag_status, transaction.transaction_id, energy, transaction.stop_reason.value
        )

    async def _deliver(self, connector_id: int, transaction: Transaction, seconds: float | None) -> None:
        loop = asyncio.get_running_loop()
        deadline = None if seconds is None else loop.time() + seconds
        while not transaction.stopped.is_set():
            step = (
                self.meter_interval if deadline is None else min(self.meter_interval, deadline - loop.time())
            )
            if step <= 0:
                return
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(transaction.stopped.wait(), step)
            self.meters[connector_id] += self.power_w * step / 3600
            if not transaction.stopped.is_set():
                await self.meter_values(connector_id)

    async def heartbeat_forever(self) -> None:
        """A Heartbeat every ``heartbeat_interval`` s; a new HeartbeatInterval counts from when it is set."""
        while True:
            self._heartbeat_changed.clear()
            try:
                await asyncio.wait_for(self._heartbeat_changed.wait(), self.heartbeat_interval or 300)
            except TimeoutError:
                await self.heartbeat()

    def spawn(self, coroutine: Any) -> asyncio.Task:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

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
