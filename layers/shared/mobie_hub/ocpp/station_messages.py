"""What the hub answers to each CALL a station sends (OCPP 1.6 §4), and what it records.

Every handler gets a validated payload (the 1.6 schema passed) and returns the response payload.
DynamoDB calls per message (measured by ``make bench``):

| action | reads | writes |
|---|---|---|
| Heartbeat | – | 1 (last seen) |
| BootNotification | – | 2 (boot facts; last seen) |
| StatusNotification | 1 (the Location) | 1 conditional Put when an EVSE status changes, else none |
| Authorize | 1 (idTag index) | – |
| StartTransaction | 2 (the Location, idTag index) | 2 (id counter; transaction + receipt in one transaction) |
| MeterValues | – | 1 (meter item + transaction summary in one transaction) |
| StopTransaction | 1 if it carries an idTag | 1 (transaction + receipt in one transaction) |

Retransmissions (same message id, OCPP-J §4.1.3): StartTransaction and StopTransaction write a
receipt with their effects and answer a retransmission with the stored response; MeterValues are
stored under their message id; StatusNotification writes nothing when the status is already set;
Heartbeat, BootNotification and Authorize only record or read, so repeating them is harmless.

After a BootNotification, and after the first Heartbeat of a station that was marked offline
(``ocpp.watchdog``), the hub asks for the connectors' statuses (TriggerMessage StatusNotification) so
that it does not wait for the station to report them. That call must reach the station after the
answer, so the handler only lists it (``MessageContext.follow_ups``) and the transport sends it once
the answer went out (``CentralSystem.receive``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mobie_hub.core import retry
from mobie_hub.core.observability import logger
from mobie_hub.core.settings import get_settings
from mobie_hub.core.types import format_datetime, parse_datetime
from mobie_hub.locations import api as locations
from mobie_hub.locations.power import evse_power_w
from mobie_hub.ocpp import configuration, liveness_repository
from mobie_hub.ocpp import repository as stations
from mobie_hub.ocpp.configuration import KEEPALIVE_HEARTBEAT
from mobie_hub.ocpp.evse_status import UnknownConnector, apply_status, evse_for_connector
from mobie_hub.ocpp.meter import samples_of
from mobie_hub.ocpp.ports import (
    AlreadyHandled,
    FollowUp,
    IdTagAuthority,
    MeterValuesReported,
    Receipt,
    TransactionEvents,
    TransactionStarted,
    TransactionStopped,
    UnknownTransaction,
)

STATUS_RECOVERY = "status_recovery"  # the context key of the hub's own TriggerMessage (its reason)


def _ask_for_statuses(ctx: MessageContext, reason: str) -> None:
    ctx.follow_ups.append(
        FollowUp("TriggerMessage", {"requestedMessage": "StatusNotification"}, {STATUS_RECOVERY: reason})
    )


@dataclass(frozen=True)
class MessageContext:
    station_id: str
    message_id: str
    received_at: datetime
    authority: IdTagAuthority
    transactions: TransactionEvents
    follow_ups: list[FollowUp] = field(default_factory=list)  # calls to send after the answer

    def receipt(self, action: str, response: dict[str, Any]) -> Receipt:
        return Receipt(self.station_id, self.message_id, action, response)


Handler = Callable[[MessageContext, dict[str, Any]], dict[str, Any]]


def boot_notification(ctx: MessageContext, payload: dict[str, Any]) -> dict[str, Any]:
    # Every station is a registered Location (admission), so every boot is Accepted (OCPP 1.6 §4.2).
    stations.record_boot(ctx.station_id, ctx.received_at, payload)
    liveness_repository.record_seen(ctx.station_id, ctx.received_at, booted=True)  # configured at its first Heartbeat
    _ask_for_statuses(ctx, "boot")  # a booted station's statuses are new: ask rather than wait
    logger.debug(
        "station booted",
        station_id=ctx.station_id,
        vendor=payload["chargePointVendor"],
        model=payload["chargePointModel"],
        firmware=payload.get("firmwareVersion"),
    )
    return {
        "status": "Accepted",
        "currentTime": format_datetime(ctx.received_at),
        # Until the station accepted WebSocket pings (ocpp.configuration), its heartbeats keep its
        # connection inside API Gateway's idle timeout.
        "interval": min(get_settings().ocpp_heartbeat_interval, KEEPALIVE_HEARTBEAT),
    }


def heartbeat(ctx: MessageContext, payload: dict[str, Any]) -> dict[str, Any]:
    before = liveness_repository.record_seen(ctx.station_id, ctx.received_at)
    if before.offline:
        logger.info("station heard again after it was marked offline", station_id=ctx.station_id)
        _ask_for_statuses(ctx, "reconnect")
    elif before.unconfigured:  # the first Heartbeat after a boot: set its intervals (ocpp.configuration)
        first = configuration.first_call()
        if first is not None:
            ctx.follow_ups.append(first)
    return {"currentTime": format_datetime(ctx.received_at)}


def status_notification(ctx: MessageContext, payload: dict[str, Any]) -> dict[str, Any]:
    connector_id, status = payload["connectorId"], payload["status"]

    def apply(_: retry.Attempt) -> dict[str, Any]:
        current = locations.read_for_station(ctx.station_id)
        if current is None:
            raise UnknownConnector(ctx.station_id, connector_id, 0)
        updated = apply_status(current.location, connector_id, status, ctx.received_at)
        if updated is None:
            return {}
        if not locations.replace_for_station(updated, expected=current):
            raise retry.ReadAgain
        logger.debug(
            "EVSE status changed",
            station_id=ctx.station_id,
            connector_id=connector_id,
            ocpp_status=status,
            error_code=payload["errorCode"],
        )
        return {}

    return retry.optimistic(apply, gave_up=f"the Location of {ctx.station_id} kept changing; status not applied")


def authorize(ctx: MessageContext, payload: dict[str, Any]) -> dict[str, Any]:
    return {"idTagInfo": ctx.authority.authorize(payload["idTag"]).id_tag_info()}


def start_transaction(ctx: MessageContext, payload: dict[str, Any]) -> dict[str, Any]:
    current = locations.read_for_station(ctx.station_id)
    if current is None:
        raise UnknownConnector(ctx.station_id, payload["connectorId"], 0)
    evse = evse_for_connector(current.location, payload["connectorId"])
    decision = ctx.authority.authorize(payload["idTag"])
    transaction_id = stations.next_transaction_id()
    response = {"transactionId": transaction_id, "idTagInfo": decision.id_tag_info()}
    started = TransactionStarted(
        transaction_id=transaction_id,
        station_id=ctx.station_id,
        connector_id=payload["connectorId"],
        evse_uid=evse.uid,
        id_tag=payload["idTag"],
        authorization=decision,
        meter_start_wh=payload["meterStart"],
        timestamp=parse_datetime(payload["timestamp"]),
        received_at=ctx.received_at,
        message_id=ctx.message_id,
        reservation_id=payload.get("reservationId"),
        connector=evse.connectors[0].id if evse.connectors else None,
        max_power_w=evse_power_w(evse),  # kept on the transaction: MeterValues/Stop read no Location
        operator=(current.location.country_code, current.location.party_id),  # the session's CPO
    )
    try:
        ctx.transactions.on_start(started, ctx.receipt("StartTransaction", response))
    except AlreadyHandled as handled:
        logger.debug("StartTransaction retransmitted", station_id=ctx.station_id, message_id=ctx.message_id)
        return handled.response
    logger.debug(
        "transaction started",
        station_id=ctx.station_id,
        transaction_id=transaction_id,
        evse_uid=evse.uid,
        authorization=decision.status,
    )
    return response


def meter_values(ctx: MessageContext, payload: dict[str, Any]) -> dict[str, Any]:
    transaction_id = payload.get("transactionId")
    if transaction_id is None:
        # Clock-aligned readings outside a transaction: no session to attach them to.
        logger.debug("meter values without a transaction", station_id=ctx.station_id)
        return {}
    reported = MeterValuesReported(
        transaction_id=transaction_id,
        station_id=ctx.station_id,
        connector_id=payload["connectorId"],
        samples=samples_of(payload["meterValue"]),
        received_at=ctx.received_at,
        message_id=ctx.message_id,
    )
    try:
        ctx.transactions.on_meter_values(reported)
    except UnknownTransaction as unknown:
        logger.warning(
            "meter values for an unknown transaction",
            station_id=ctx.station_id,
            transaction_id=transaction_id,
            reason=str(unknown),
        )
    return {}


def stop_transaction(ctx: MessageContext, payload: dict[str, Any]) -> dict[str, Any]:
    id_tag = payload.get("idTag")
    decision = ctx.authority.authorize(id_tag) if id_tag else None
    response = {"idTagInfo": decision.id_tag_info()} if decision else {}
    stopped = TransactionStopped(
        transaction_id=payload["transactionId"],
        station_id=ctx.station_id,
        meter_stop_wh=payload["meterStop"],
        timestamp=parse_datetime(payload["timestamp"]),
        received_at=ctx.received_at,
        message_id=ctx.message_id,
        reason=payload.get("reason", "Local"),
        id_tag=id_tag,
        authorization=decision,
        samples=samples_of(payload.get("transactionData", [])),
    )
    try:
        ctx.transactions.on_stop(stopped, ctx.receipt("StopTransaction", response))
    except AlreadyHandled as handled:
        logger.debug("StopTransaction retransmitted", station_id=ctx.station_id, message_id=ctx.message_id)
        return handled.response
    logger.debug(
        "transaction stopped",
        station_id=ctx.station_id,
        transaction_id=stopped.transaction_id,
        reason=stopped.reason,
    )
    return response


def data_transfer(ctx: MessageContext, payload: dict[str, Any]) -> dict[str, Any]:
    vendor = payload["vendorId"]
    if vendor not in get_settings().ocpp_data_transfer_vendors:
        return {"status": "UnknownVendorId"}
    # A configured vendor's data is accepted and logged; no vendor-specific message is interpreted yet.
    logger.debug(
        "data transfer",
        station_id=ctx.station_id,
        vendor_id=vendor,
        vendor_message_id=payload.get("messageId"),
        data=payload.get("data"),
    )
    return {"status": "Accepted"}


def firmware_status_notification(ctx: MessageContext, payload: dict[str, Any]) -> dict[str, Any]:
    logger.debug("firmware status", station_id=ctx.station_id, status=payload["status"])
    return {}


def diagnostics_status_notification(ctx: MessageContext, payload: dict[str, Any]) -> dict[str, Any]:
    logger.debug("diagnostics status", station_id=ctx.station_id, status=payload["status"])
    return {}


HANDLERS: dict[str, Handler] = {
    "Authorize": authorize,
    "BootNotification": boot_notification,
    "DataTransfer": data_transfer,
    "DiagnosticsStatusNotification": diagnostics_status_notification,
    "FirmwareStatusNotification": firmware_status_notification,
    "Heartbeat": heartbeat,
    "MeterValues": meter_values,
    "StartTransaction": start_transaction,
    "StatusNotification": status_notification,
    "StopTransaction": stop_transaction,
}
