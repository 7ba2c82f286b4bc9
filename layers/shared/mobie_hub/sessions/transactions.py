"""``SessionTransactions``: the ``TransactionEvents`` port as OCPI Sessions.

Each OCPP message writes its facts (``TX#`` / ``METER#`` items, as ``RecordedTransactions`` does),
its receipt and the Session in ONE TransactWriteItems, so a retransmission applies nothing twice and
a crash leaves nothing half-written. Session writes are conditional on the revision read; a lost race
(two messages of one transaction at once) is re-read and re-applied.

| message | reads | writes |
|---|---|---|
| StartTransaction | 1 (PENDING session on the EVSE, only for an Accepted token) | 1 transaction: TX + receipt + Session |
| MeterValues | 2 (TX → session id, Session) | 1 transaction: METER + Session; a PutItem of METER alone when the Session does not change |
| StopTransaction | 2 (TX, Session) | 1 transaction: TX + receipt (+ METER) + Session |

Meter plausibility (``plausibility``) costs no call: the EVSE's max power is read with the Location
StartTransaction reads anyway and kept on the TX item and the Session. An implausible reading makes
the session INVALID in the same write; once it is written, ``ImplausibleMeterReadings`` is counted
and a warning logged with the figures (the operator's alarm).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from mobie_hub.core import retry, transact
from mobie_hub.core.observability import count, logger
from mobie_hub.core.settings import get_settings
from mobie_hub.ocpp import api as stations
from mobie_hub.ocpp.meter import energy_register_wh
from mobie_hub.ocpp.ports import (
    AlreadyHandled,
    MeterSample,
    MeterValuesReported,
    Receipt,
    TransactionEvents,
    TransactionStarted,
    TransactionStopped,
)
from mobie_hub.sessions import lifecycle, plausibility
from mobie_hub.sessions import repository as sessions
from mobie_hub.sessions import transaction_repository as transactions
from mobie_hub.sessions.lifecycle import Applied, SessionRecord
from mobie_hub.sessions.plausibility import Limits


def energy_readings(samples: tuple[MeterSample, ...]) -> list[tuple[Decimal, datetime]]:
    """One energy register reading (Wh) per MeterValue timestamp, oldest first."""
    by_time: dict[datetime, list[MeterSample]] = defaultdict(list)
    for sample in samples:
        by_time[sample.timestamp].append(sample)
    readings = [energy_register_wh(tuple(group)) for _, group in sorted(by_time.items())]
    return [reading for reading in readings if reading is not None]


def _limits(record: SessionRecord) -> Limits:
    return record.limits(timedelta(hours=get_settings().max_transaction_hours))


def _alarm(applied: Applied, station_id: str, transaction_id: int) -> None:
    """The operator's alarm for an implausible reading, once the INVALID session is written."""
    found = applied.implausible
    if found is None:
        return
    count(plausibility.METRIC, reason=found.reason)
    logger.warning(
        "implausible meter reading: session invalid, not billed", station_id=station_id,
        session_id=applied.record.session.id, transaction_id=transaction_id, reason=found.reason,
        detail=found.detail, **found.figures,
    )


def _kept_changing(transaction_id: int) -> str:
    return f"the session of transaction {transaction_id} kept changing"


def _receipt_failed(cancelled: transact.Cancelled, receipt: Receipt) -> None:
    if cancelled.condition_failed(stations.RECEIPT_ACTION):  # a retransmission: answer as before
        raise AlreadyHandled(
            stations.stored_response(
                cancelled.item(stations.RECEIPT_ACTION), receipt.station_id, receipt.message_id
            )
        ) from None


class SessionTransactions(TransactionEvents):
    """Every transaction gets a session, whatever started it (profile §7)."""

    def __init__(self, facts: transactions.RecordedTransactions | None = None) -> None:
        self._facts = facts or transactions.RecordedTransactions()  # transactions no session can be found for

    def on_start(self, started: TransactionStarted, receipt: Receipt) -> None:
        hub = get_settings().hub
        token, accepted = started.authorization.token, started.authorization.status == "Accepted"

        def start(attempt: retry.Attempt) -> None:
            adopting = None
            if token is not None and accepted and not attempt.last:  # the last one opens a new session
                adopting = sessions.pending_on_evse(started.station_id, started.evse_uid, token)
            session_id = adopting.session.id if adopting else sessions.new_session_id()
            applied = lifecycle.started(
                started, session_id, (hub.country_code, hub.party_id),
                started.connector or adopting_connector(adopting, started), adopting,
            )
            record = applied.record
            actions = [
                transact.put(
                    transactions.TABLE, {**transactions.start_item(started), "session_id": session_id},
                    "attribute_not_exists(pk)", name=transactions.TX_ACTION,
                ),
                stations.receipt_action(receipt, started.received_at),
                sessions.put_action(record),
            ]
            try:
                transact.write(actions)
            except transact.Cancelled as cancelled:
                _receipt_failed(cancelled, receipt)
                if cancelled.condition_failed(sessions.SESSION_ACTION) or cancelled.conflict:
                    raise retry.ReadAgain from None  # the PENDING session changed (e.g. invalidated)
                raise
            logger.debug(
                "session started", session_id=session_id, transaction_id=started.transaction_id,
                status=record.status.value, adopted=adopting is not None, reason=record.invalid_reason,
            )
            _alarm(applied, started.station_id, started.transaction_id)

        retry.optimistic(start, gave_up=_kept_changing(started.transaction_id))

    def _record_of(self, transaction_id: int, station_id: str) -> SessionRecord | None:
        tx = transactions.get_transaction(transaction_id)
        if tx is None or tx.get("station_id") != station_id or not tx.get("session_id"):
            return None
        return sessions.get_record(str(tx["session_id"]))

    def on_meter_values(self, reported: MeterValuesReported) -> None:
        readings = energy_readings(reported.samples)

        def meter(_: retry.Attempt) -> None:
            record = self._record_of(reported.transaction_id, reported.station_id)
            if record is None:
                self._facts.on_meter_values(reported)  # raises UnknownTransaction when there is none
                return
            applied = lifecycle.metered(record, readings, reported.received_at, _limits(record))
            if applied is None:  # nothing for the Session (no energy reading, or ended): the facts only
                transactions.put_meter(reported)
                return
            updated = applied.record
            try:
                transact.write([transactions.meter_action(reported), sessions.put_action(updated)])
            except transact.Cancelled as cancelled:
                if cancelled.condition_failed(transactions.METER_ACTION):  # a retransmission: stored already
                    return
                if sessions.SESSION_ACTION in cancelled.failed or cancelled.conflict:  # (written when changed)
                    raise retry.ReadAgain from None
                raise
            if updated.status is not record.status:
                logger.warning("session invalid", session_id=record.session.id, reason=updated.invalid_reason)
            _alarm(applied, reported.station_id, reported.transaction_id)

        retry.optimistic(meter, gave_up=_kept_changing(reported.transaction_id))

    def on_stop(self, stopped: TransactionStopped, receipt: Receipt) -> None:
        readings = energy_readings(stopped.samples)

        def stop(_: retry.Attempt) -> None:
            record = self._record_of(stopped.transaction_id, stopped.station_id)
            if record is None or record.session.end_date_time is not None:
                # A stop of an unknown (or another station's, or stopped) transaction: facts only.
                self._facts.on_stop(stopped, receipt)
                return
            actions = transactions.stop_actions(stopped, receipt)
            applied = lifecycle.stopped(record, stopped, readings, _limits(record))
            updated = applied.record
            actions.append(sessions.put_action(updated))
            try:
                transact.write(actions)
            except transact.Cancelled as cancelled:
                _receipt_failed(cancelled, receipt)
                if cancelled.condition_failed(sessions.SESSION_ACTION) or cancelled.conflict:
                    raise retry.ReadAgain from None
                if cancelled.condition_failed(transactions.TX_ACTION):  # stopped meanwhile: facts path logs it
                    self._facts.on_stop(stopped, receipt)
                    return
                raise
            logger.debug(
                "session ended", session_id=record.session.id, status=updated.status.value,
                kwh=str(updated.session.kwh), reason=updated.invalid_reason,
            )
            _alarm(applied, stopped.station_id, stopped.transaction_id)

        retry.optimistic(stop, gave_up=_kept_changing(stopped.transaction_id))


def adopting_connector(adopting: SessionRecord | None, started: TransactionStarted) -> str:
    """The OCPI connector id when the port did not carry one: the PENDING session's, else the EVSE's
    single connector numbered as the hub numbers them (``<evse uid>-01``)."""
    if adopting is not None:
        return adopting.session.connector_id
    return f"{started.evse_uid}-01"
