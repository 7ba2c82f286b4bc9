"""OCPP transactions in the ``sessions`` table (docs/dynamodb.md): the facts OCPI Sessions and CDRs
are built from, written by ``sessions.transactions.SessionTransactions`` (through
``recorded_transactions.RecordedTransactions`` for a transaction no session can be found for).

| item | pk | sk |
|---|---|---|
| the hub's transactionId counter | ``COUNTER#TRANSACTION`` | ``COUNTER`` |
| a transaction: start, stop, its session's running meter and recipients (or the latest energy reading without a session) | ``TX#<transactionId>`` | ``TX`` |
| one MeterValues message (or StopTransaction's transactionData) | ``TX#<transactionId>`` | ``METER#<timestamp>#<message id>`` |

Query ``pk = TX#<id> AND begins_with(sk, "METER#")`` gives a transaction's meter values in time order.
A METER item's key holds the message id, so a retransmitted MeterValues cannot be stored twice.

A transaction with a Session keeps its running meter on its TX item: how it is written and how every
read that serves a Session merges it in is ``running_meter``.

METER items expire (``expires_at``, the table's TTL): ``meter_facts_retention_days`` after the latest
time their transaction's CDR can exist (the transaction's longest plausible duration after the
reading, ``max_transaction_hours``). Nothing that builds a CDR or a credit CDR reads them: a CDR is built
from its Session (its meter state), a credit CDR from its CDR; the audit trail keeps every frame for years.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from mobie_hub.core import transact
from mobie_hub.core.dynamodb import table
from mobie_hub.core.keys import sortable_time
from mobie_hub.core.settings import get_settings
from mobie_hub.core.types import format_datetime
from mobie_hub.ocpp import api as stations
from mobie_hub.ocpp.meter import energy_register_wh, sample_dict
from mobie_hub.ocpp.ports import (
    AlreadyHandled,
    IdTagDecision,
    MeterSample,
    MeterValuesReported,
    Receipt,
    TransactionStarted,
    TransactionStopped,
    UnknownTransaction,
)

TABLE = "sessions"
TX = "TX"
ACTIVE = "ACTIVE"
STOPPED = "STOPPED"


def tx_key(transaction_id: int) -> dict[str, str]:
    return {"pk": f"TX#{transaction_id}", "sk": TX}


def _token_attributes(prefix: str, decision: IdTagDecision | None) -> dict[str, Any]:
    if decision is None:
        return {}
    attributes: dict[str, Any] = {f"{prefix}auth_status": decision.status}
    if decision.token is not None:
        attributes[f"{prefix}token"] = json.dumps(asdict(decision.token), separators=(",", ":"))
    return attributes


def _meter_item(
    transaction_id: int,
    station_id: str,
    message_id: str,
    samples: tuple[MeterSample, ...],
    received_at: datetime,
) -> dict[str, Any]:
    first = min(sample.timestamp for sample in samples) if samples else received_at
    return {
        "pk": f"TX#{transaction_id}",
        "sk": f"METER#{sortable_time(first)}#{message_id}",
        "station_id": station_id,
        "received_at": format_datetime(received_at),
        "samples": json.dumps([sample_dict(s) for s in samples], separators=(",", ":")),
        "expires_at": meter_expiry(received_at),
    }


def meter_expiry(received_at: datetime) -> int:
    """When a METER item may go (epoch seconds, the TTL): its transaction's CDR exists at the latest
    ``max_transaction_hours`` after this reading (a longer one is INVALID, never billed), and is then
    kept ``meter_facts_retention_days`` for disputes."""
    settings = get_settings()
    last_cdr = received_at + timedelta(hours=settings.max_transaction_hours)
    return int((last_cdr + timedelta(days=settings.meter_facts_retention_days)).timestamp())


def start_item(started: TransactionStarted) -> dict[str, Any]:
    """The TX item of a started transaction (written in the transaction that opens its Session)."""
    item = {
        **tx_key(started.transaction_id),
        "status": ACTIVE,
        "station_id": started.station_id,
        "connector_id": started.connector_id,
        "evse_uid": started.evse_uid,
        "id_tag": started.id_tag,
        "meter_start_wh": started.meter_start_wh,
        "started_at": format_datetime(started.timestamp),
        "start_received_at": format_datetime(started.received_at),
        "start_message_id": started.message_id,
        **_token_attributes("", started.authorization),
    }
    if started.reservation_id is not None:
        item["reservation_id"] = started.reservation_id
    if started.max_power_w is not None:
        item["max_power_w"] = started.max_power_w
    return item


TX_ACTION, METER_ACTION = "transaction", "meter"  # their names in a transaction
WINDOW_OPENED = "window_opened"  # on the TX item only in the write of a push window's first reading (running_meter)


def meter_actions(reported: MeterValuesReported) -> list[transact.Action]:
    """A transaction without a Session: put the METER item (``meter_action``) and update the TX
    summary (the station must be the one that started it: ``TX_ACTION``)."""
    expression = "SET meter_message_count = if_not_exists(meter_message_count, :zero) + :one"
    values: dict[str, Any] = {":station": reported.station_id, ":zero": 0, ":one": 1}
    energy = energy_register_wh(reported.samples)
    if energy is not None:
        expression += ", last_energy_wh = :energy, last_energy_at = :energy_at"
        values.update({":energy": energy[0], ":energy_at": format_datetime(energy[1])})
    actions = [
        meter_action(reported),
        transact.update(
            TABLE,
            tx_key(reported.transaction_id),
            expression,
            "station_id = :station",
            name=TX_ACTION,
            ExpressionAttributeValues=values,
        ),
    ]
    return actions


def meter_action(reported: MeterValuesReported) -> transact.Action:
    """Put the METER item, once per message id (``METER_ACTION``): what a MeterValues of a transaction
    with a Session writes beside it (the Session read checked the station)."""
    return transact.put(
        TABLE,
        _meter_item(
            reported.transaction_id, reported.station_id, reported.message_id, reported.samples, reported.received_at
        ),
        "attribute_not_exists(pk)",
        name=METER_ACTION,
    )


def put_meter(reported: MeterValuesReported) -> bool:
    """The METER item alone, one conditional PutItem (not a transaction: half the write units); False
    when it is stored already (a retransmission)."""
    action = meter_action(reported)
    try:
        table(TABLE).put_item(Item=action.body["Item"], ConditionExpression=action.body["ConditionExpression"])
    except table(TABLE).meta.client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def meter_write_retransmitted(cancelled: transact.Cancelled, reported: MeterValuesReported) -> bool:
    """Read a cancelled ``meter_actions`` write: True when the message is stored already (a
    retransmission: nothing to do); ``UnknownTransaction`` when this station never started that
    transaction; False for any other cause (the caller decides)."""
    if cancelled.condition_failed(METER_ACTION):
        return True
    if cancelled.condition_failed(TX_ACTION):
        raise UnknownTransaction(
            f"transaction {reported.transaction_id} was not started at {reported.station_id}"
        ) from None
    return False


def raise_if_retransmitted(cancelled: transact.Cancelled, receipt: Receipt) -> None:
    """Read a cancelled write that carried ``receipt`` (``stations.receipt_action``): when the receipt
    is stored already the station retransmitted, and ``AlreadyHandled`` answers as before."""
    if cancelled.condition_failed(stations.RECEIPT_ACTION):
        raise AlreadyHandled(
            stations.stored_response(cancelled.item(stations.RECEIPT_ACTION), receipt.station_id, receipt.message_id)
        ) from None


def stop_actions(
    stopped: TransactionStopped, receipt: Receipt, meter_seq: int | None = None
) -> list[transact.Action]:
    """Update TX with the stop facts (once, by the station that started it: ``TX_ACTION``; with
    ``meter_seq``, the ``RunningMeter.seq`` read, only if no reading was applied to its running meter
    since), the receipt and the transactionData's METER item."""
    values: dict[str, Any] = {
        ":station": stopped.station_id,
        ":stopped": STOPPED,
        ":meter": stopped.meter_stop_wh,
        ":at": format_datetime(stopped.timestamp),
        ":reason": stopped.reason,
        ":received": format_datetime(stopped.received_at),
        ":message": stopped.message_id,
    }
    assignments = [
        "station_id = if_not_exists(station_id, :station)",
        "#status = :stopped",
        "meter_stop_wh = :meter",
        "stopped_at = :at",
        "stop_reason = :reason",
        "stop_received_at = :received",
        "stop_message_id = :message",
    ]
    if stopped.id_tag is not None:
        assignments.append("stop_id_tag = :tag")
        values[":tag"] = stopped.id_tag
    for name, value in _token_attributes("stop_", stopped.authorization).items():
        assignments.append(f"{name} = :{name}")
        values[f":{name}"] = value
    condition = "(attribute_not_exists(station_id) OR station_id = :station) AND attribute_not_exists(stopped_at)"
    expression = "SET " + ", ".join(assignments) + f" REMOVE {WINDOW_OPENED}"  # the stop is the Session's
    if meter_seq is not None:
        condition += " AND meter_seq = :read"
        values[":read"] = meter_seq
    actions = [
        transact.update(
            TABLE,
            tx_key(stopped.transaction_id),
            expression,
            condition,
            name=TX_ACTION,
            return_old=True,
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=values,
        ),
        stations.receipt_action(receipt, stopped.received_at),
    ]
    if stopped.samples:
        actions.append(
            transact.put(
                TABLE,
                _meter_item(
                    stopped.transaction_id,
                    stopped.station_id,
                    stopped.message_id,
                    stopped.samples,
                    stopped.received_at,
                ),
                name=METER_ACTION,
            )
        )
    return actions


def get_transaction(transaction_id: int) -> dict[str, Any] | None:
    """The TX item as stored (plain attributes; Decimals for numbers)."""
    return table(TABLE).get_item(Key=tx_key(transaction_id), ConsistentRead=True).get("Item")


def meter_items(transaction_id: int) -> list[dict[str, Any]]:
    """A transaction's METER items, oldest first (one Query per page)."""
    query: dict[str, Any] = {
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :meter)",
        "ExpressionAttributeValues": {":pk": f"TX#{transaction_id}", ":meter": "METER#"},
    }
    items: list[dict[str, Any]] = []
    while True:
        page = table(TABLE).query(**query)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
