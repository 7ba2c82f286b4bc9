"""``RecordedTransactions``: the ``TransactionEvents`` port as the facts of a transaction alone (its
``TX#`` / ``METER#`` items, ``transaction_repository``) and the receipt of each message, no Session.
``sessions.transactions.SessionTransactions`` hands it the transactions no session can be found for.
"""

from __future__ import annotations

from mobie_hub.core import transact
from mobie_hub.core.observability import logger
from mobie_hub.ocpp import api as stations
from mobie_hub.ocpp.ports import (
    MeterValuesReported,
    Receipt,
    TransactionEvents,
    TransactionStarted,
    TransactionStopped,
)
from mobie_hub.sessions import transaction_repository as transactions


class RecordedTransactions(TransactionEvents):
    """Records the facts of every transaction (start, meter values, stop) — nothing more."""

    def on_start(self, started: TransactionStarted, receipt: Receipt) -> None:
        actions = [
            transact.put(
                transactions.TABLE, transactions.start_item(started), "attribute_not_exists(pk)",
                name=transactions.TX_ACTION,
            ),
            stations.receipt_action(receipt, started.received_at),
        ]
        try:
            transact.write(actions)
        except transact.Cancelled as cancelled:
            transactions.raise_if_retransmitted(cancelled, receipt)
            raise

    def on_meter_values(self, reported: MeterValuesReported) -> None:
        actions = transactions.meter_actions(reported)
        try:
            transact.write(actions)
        except transact.Cancelled as cancelled:
            if not transactions.meter_write_retransmitted(cancelled, reported):
                raise

    def on_stop(self, stopped: TransactionStopped, receipt: Receipt) -> None:
        actions = transactions.stop_actions(stopped, receipt)
        try:
            transact.write(actions)
        except transact.Cancelled as cancelled:
            transactions.raise_if_retransmitted(cancelled, receipt)
            if cancelled.condition_failed(transactions.TX_ACTION):
                found = cancelled.item(transactions.TX_ACTION) or {}
                logger.warning(
                    "StopTransaction not recorded",
                    transaction_id=stopped.transaction_id,
                    station_id=stopped.station_id,
                    recorded_station=found.get("station_id"),
                    already_stopped_at=found.get("stopped_at"),
                )
                return
            raise
