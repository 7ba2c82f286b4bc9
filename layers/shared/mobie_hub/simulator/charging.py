"""A charging station's own side of OCPP 1.6-J, on the ``ocpp`` library's ChargePoint: the messages
it sends (BootNotification, Heartbeat, StatusNotification, Authorize, Start/StopTransaction,
MeterValues) and a charge from an idTag to its StopTransaction, with an energy meter per connector.
How it answers the hub's calls is ``simulator.station`` (``SimulatedStation``)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ocpp.v16 import ChargePoint
from ocpp.v16 import call as req
from ocpp.v16 import call_result as res
from ocpp.v16.datatypes import MeterValue, SampledValue
from ocpp.v16.enums import (
    AuthorizationStatus,
    ChargePointErrorCode,
    ChargePointStatus,
    Measurand,
    ReadingContext,
    Reason,
    UnitOfMeasure,
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



@dataclass
class ChargeResult:
    """What a charge ended with: the authorisation the hub gave, the transaction and the energy."""

    id_tag_status: str
    transaction_id: int | None = None
    energy_wh: int = 0
    stop_reason: str | None = None


class ChargingStation(ChargePoint):
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
