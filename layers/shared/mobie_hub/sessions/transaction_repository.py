"""OCPP transactions in the ``sessions`` table (docs/dynamodb.md): the facts OCPI Sessions and CDRs
are built from, written by ``sessions.transactions.SessionTransactions`` (through ``RecordedTransactions``
for a transaction no session can be found for).

| item | pk | sk |
|---|---|---|
| the hub's transactionId counter | ``COUNTER#TRANSACTION`` | ``COUNTER`` |
| a transaction: start, stop, its session's running meter and recipients (or the latest energy reading without a session) | ``TX#<transactionId>`` | ``TX`` |
| one MeterValues message (or StopTransaction's transactionData) | ``TX#<transactionId>`` | ``METER#<timestamp>#<message id>`` |

Query ``pk = TX#<id> AND begins_with(sk, "METER#")`` gives a transaction's meter values in time order.
A METER item's key holds the message id, so a retransmitted MeterValues cannot be stored twice.

The running meter (``RunningMeter``): a transaction with a Session keeps the meter state every
reading updates on its small TX item (``meter``, ``meter_seq``, ``meter_updated``), the push window
of its latest pushed write (``meter_window``; ``WINDOW_OPENED`` only in the write of a window's first
reading, which the Pipe lets through), the Session's status and recipients (``owner``,
``station_cpo``). The Session itself is rewritten only at state changes (``sessions.transactions``):
``current`` gives a Session with the newer meter of its TX item, ``served_time`` its ``last_updated``.

METER items expire (``expires_at``, the table's TTL): ``meter_facts_retention_days`` after the latest
time their transaction's CDR can exist (the transaction's longest plausible duration after the
reading, ``max_transaction_hours``). Nothing that builds a CDR or a credit CDR reads them: a CDR is built
from its Session (its meter state), a credit CDR from its CDR; the audit trail keeps every frame for years.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from mobie_hub.core import transact
from mobie_hub.core.dynamodb import table
from mobie_hub.core.keys import sortable_time
from mobie_hub.core.observability import logger
from mobie_hub.core.settings import get_settings
from mobie_hub.core.types import format_datetime, parse_datetime
from mobie_hub.ocpp import api as stations
from mobie_hub.ocpp.meter import energy_register_wh, sample_dict
from mobie_hub.ocpp.ports import (
    AlreadyHandled,
    IdTagDecision,
    MeterSample,
    MeterValuesReported,
    Receipt,
    TransactionEvents,
    TransactionStarted,
    TransactionStopped,
    UnknownTransaction,
)
from mobie_hub.sessions import lifecycle
from mobie_hub.sessions.lifecycle import SessionRecord
from mobie_hub.sessions.periods import MeterState

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


def push_window(at: datetime, seconds: int) -> int:
    """The start (epoch s) of the clock window of ``seconds`` > 0 that ``at`` falls in: the windows the
    session push coalescing uses (``events.sessions.window_of``), so one Session write a window is one
    push a window."""
    return int(at.timestamp()) // seconds * seconds


WINDOW_OPENED = "window_opened"  # on the TX item only in the write of a push window's first reading


@dataclass(frozen=True)
class RunningMeter:
    """A session's meter as its TX item keeps it: ``seq`` counts the writes (each conditional on the
    one read), ``updated_at`` is the hub's time of the latest (the served ``last_updated`` of the
    Session), ``window`` the push window of the latest write that was pushed (epoch s: a reading in
    another window opens one, ``WINDOW_OPENED``; without coalescing every reading's ``seq``),
    ``session_status`` the Session's status."""

    meter: MeterState
    seq: int
    updated_at: datetime
    window: int
    session_status: str

    def attributes(self) -> dict[str, Any]:
        return {"meter": self.meter.to_json(), "meter_seq": self.seq, "meter_updated": format_datetime(self.updated_at),
                "meter_window": self.window, "session_status": self.session_status}


def running_meter(tx: dict[str, Any]) -> RunningMeter | None:
    """The TX item's running meter; None for a transaction without a Session, or one started before
    the TX item kept it (its Session holds the meter)."""
    if "meter_seq" not in tx:
        return None
    window = tx.get("meter_window", tx.get("session_window"))  # session_window: before issue #18's last cut
    return RunningMeter(
        MeterState.from_json(tx["meter"]), int(tx["meter_seq"]), parse_datetime(tx["meter_updated"]),
        int(window), str(tx["session_status"]),
    )


def pushes_readings(tx: dict[str, Any]) -> bool:
    """Whether the TX item's readings are pushed from its own stream records (its running meter and
    the Session's recipients on it, since issue #18's last cut); an older one's go through the Session."""
    return "meter_window" in tx


def recipients_attributes(record: SessionRecord) -> dict[str, str]:
    """Who the Session's pushes go to, kept on its TX item (the push of a reading names them from
    there): ``owner`` (the token's EMSP, ``PT#EDP``) and ``station_cpo`` (the station's CPO)."""
    attributes = {}
    if record.owner is not None:
        attributes["owner"] = "#".join(record.owner)
    if record.cpo is not None:
        attributes["station_cpo"] = "#".join(record.cpo)
    return attributes


def meter_update_action(
    transaction_id: int, read: RunningMeter, running: RunningMeter, *, opened: bool = False,
    recipients: dict[str, str] | None = None,
) -> transact.Action:
    """Write ``running`` on the TX item (``TX_ACTION``): only if no reading was applied since ``read``
    and the transaction is not stopped. ``opened``: the reading opened a push window
    (``WINDOW_OPENED``, which lets its stream record through to the push path); else that mark goes.
    ``recipients``: set them too (a TX item from before they were kept on it)."""
    attributes = {**running.attributes(), **(recipients or {})}
    names = {f"#{name}": name for name in attributes}
    values: dict[str, Any] = {f":{name}": value for name, value in attributes.items()}
    values[":read"] = read.seq
    expression = "SET " + ", ".join(f"#{n} = :{n}" for n in attributes)
    if opened:
        expression += f", {WINDOW_OPENED} = :meter_window"
    else:
        expression += f" REMOVE {WINDOW_OPENED}"
    condition = "attribute_not_exists(stopped_at) AND #meter_seq = :read"
    return transact.update(
        TABLE, tx_key(transaction_id), expression,
        condition, name=TX_ACTION, ExpressionAttributeNames=names, ExpressionAttributeValues=values,
    )


def served_time(stored: datetime, tx: dict[str, Any] | None) -> datetime:
    """The ``last_updated`` a Session stored at ``stored`` is served with: its running meter's time
    when that is newer (``current``; the meter and its time are written together, so a newer time is a
    newer meter)."""
    running = running_meter(tx) if tx and not tx.get("stopped_at") else None
    return max(stored, running.updated_at) if running else stored


def current(record: SessionRecord, tx: dict[str, Any] | None = None) -> SessionRecord:
    """``record`` with its transaction's running meter when that is newer than the Session's: the
    readings since the Session was written (one GetItem of the TX item unless ``tx`` is given). A
    Session that ended, or has no transaction, is returned as it is."""
    if record.transaction_id is None or record.meter is None or record.session.end_date_time is not None:
        return record
    if tx is None:
        tx = get_transaction(record.transaction_id)
    running = running_meter(tx) if tx and not tx.get("stopped_at") else None
    if running is None or running.meter == record.meter:
        return record
    return lifecycle.with_meter(record, running.meter, running.updated_at)


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


def stop_actions(
    stopped: TransactionStopped, receipt: Receipt, read: RunningMeter | None = None
) -> list[transact.Action]:
    """Update TX with the stop facts (once, by the station that started it: ``TX_ACTION``; with
    ``read``, only if no reading was applied to its running meter since), the receipt and the
    transactionData's METER item."""
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
    if read is not None:
        condition += " AND meter_seq = :read"
        values[":read"] = read.seq
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


class RecordedTransactions(TransactionEvents):
    """Records the facts of every transaction (start, meter values, stop) — nothing more."""

    def on_start(self, started: TransactionStarted, receipt: Receipt) -> None:
        actions = [
            transact.put(TABLE, start_item(started), "attribute_not_exists(pk)", name=TX_ACTION),
            stations.receipt_action(receipt, started.received_at),
        ]
        try:
            transact.write(actions)
        except transact.Cancelled as cancelled:
            if cancelled.condition_failed(stations.RECEIPT_ACTION):
                raise AlreadyHandled(
                    stations.stored_response(
                        cancelled.item(stations.RECEIPT_ACTION), receipt.station_id, receipt.message_id
                    )
                ) from None
            raise

    def on_meter_values(self, reported: MeterValuesReported) -> None:
        actions = meter_actions(reported)
        try:
            transact.write(actions)
        except transact.Cancelled as cancelled:
            if not meter_write_retransmitted(cancelled, reported):
                raise

    def on_stop(self, stopped: TransactionStopped, receipt: Receipt) -> None:
        actions = stop_actions(stopped, receipt)
        try:
            transact.write(actions)
        except transact.Cancelled as cancelled:
            if cancelled.condition_failed(stations.RECEIPT_ACTION):
                raise AlreadyHandled(
                    stations.stored_response(
                        cancelled.item(stations.RECEIPT_ACTION), receipt.station_id, receipt.message_id
                    )
                ) from None
            if cancelled.condition_failed(TX_ACTION):
                found = cancelled.item(TX_ACTION) or {}
                logger.warning(
                    "StopTransaction not recorded",
                    transaction_id=stopped.transaction_id,
                    station_id=stopped.station_id,
                    recorded_station=found.get("station_id"),
                    already_stopped_at=found.get("stopped_at"),
                )
                return
            raise


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
