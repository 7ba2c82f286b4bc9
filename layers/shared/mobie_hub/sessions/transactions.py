"""``SessionTransactions``: the ``TransactionEvents`` port as OCPI Sessions.

Each OCPP message writes its facts (``TX#`` / ``METER#`` items, as ``RecordedTransactions`` does),
its receipt and the Session in ONE TransactWriteItems, so a retransmission applies nothing twice and
a crash leaves nothing half-written. Writes are conditional on what was read (the Session's revision,
the TX item's ``meter_seq``); a lost race (two messages of one transaction at once) is re-read and
re-applied.

A transaction's running meter lives on its small TX item (``running_meter.RunningMeter``): a
plausible reading of an ACTIVE session updates it alone, and the Session (larger, in three list
indexes) is rewritten only at the start, at a state change (INVALID), for an INVALID session's
readings and at the stop; ``running_meter.current`` gives the Session with the newer meter.
The first reading of a push window (the windows the pushes coalesce on) marks its TX write
(``WINDOW_OPENED``): its stream record is the push (``events.sessions.reading_events``).

| message | reads | writes |
|---|---|---|
| StartTransaction | 1 (PENDING session on the EVSE, only for an Accepted token) | 1 transaction: TX (with the running meter) + receipt + Session |
| MeterValues, an ACTIVE session's plausible reading | 1 (TX) | 1 transaction: METER + TX (no index) |
| MeterValues, a state change or an INVALID session's reading | 2 (TX, Session) | 1 transaction: METER + TX + Session |
| MeterValues changing nothing for the Session (no energy reading, after the stop, an older reading) | 1 (TX) | a PutItem of METER alone |
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
from mobie_hub.core.types import parse_datetime
from mobie_hub.ocpp import api as stations
from mobie_hub.ocpp.meter import energy_register_wh
from mobie_hub.ocpp.ports import (
    MeterSample,
    MeterValuesReported,
    Receipt,
    TransactionEvents,
    TransactionStarted,
    TransactionStopped,
)
from mobie_hub.sessions import lifecycle, plausibility, running_meter
from mobie_hub.sessions import repository as sessions
from mobie_hub.sessions import transaction_repository as transactions
from mobie_hub.sessions.lifecycle import Applied, SessionRecord
from mobie_hub.sessions.models import SessionStatus
from mobie_hub.sessions.plausibility import Limits
from mobie_hub.sessions.recorded_transactions import RecordedTransactions
from mobie_hub.sessions.running_meter import RunningMeter


def energy_readings(samples: tuple[MeterSample, ...]) -> list[tuple[Decimal, datetime]]:
    """One energy register reading (Wh) per MeterValue timestamp, oldest first."""
    by_time: dict[datetime, list[MeterSample]] = defaultdict(list)
    for sample in samples:
        by_time[sample.timestamp].append(sample)
    readings = [energy_register_wh(tuple(group)) for _, group in sorted(by_time.items())]
    return [reading for reading in readings if reading is not None]


def _max_duration() -> timedelta:
    return timedelta(hours=get_settings().max_transaction_hours)


def _limits(record: SessionRecord) -> Limits:
    return record.limits(_max_duration())


def _tx_limits(tx: dict) -> Limits:
    """The limits of a transaction from its TX item (the EVSE's power kept at the start)."""
    power = tx.get("max_power_w")
    return Limits(int(power) if power is not None else None, _max_duration())


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


class SessionTransactions(TransactionEvents):
    """Every transaction gets a session, whatever started it (profile §7)."""

    def __init__(self, facts: RecordedTransactions | None = None) -> None:
        self._facts = facts or RecordedTransactions()  # transactions no session can be found for

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
            running = RunningMeter(
                record.meter, 0, started.received_at, _window(started.received_at, 0), record.status.value,
            )
            tx = {**transactions.start_item(started), "session_id": session_id, **running.attributes(),
                  **running_meter.recipients_attributes(record)}
            actions = [
                transact.put(transactions.TABLE, tx, "attribute_not_exists(pk)", name=transactions.TX_ACTION),
                stations.receipt_action(receipt, started.received_at),
                sessions.put_action(record),
            ]
            try:
                transact.write(actions)
            except transact.Cancelled as cancelled:
                transactions.raise_if_retransmitted(cancelled, receipt)
                if cancelled.condition_failed(sessions.SESSION_ACTION) or cancelled.conflict:
                    raise retry.ReadAgain from None  # the PENDING session changed (e.g. invalidated)
                raise
            logger.debug(
                "session started", session_id=session_id, transaction_id=started.transaction_id,
                status=record.status.value, adopted=adopting is not None, reason=record.invalid_reason,
            )
            _alarm(applied, started.station_id, started.transaction_id)

        retry.optimistic(start, gave_up=_kept_changing(started.transaction_id))

    @staticmethod
    def _transaction_of(transaction_id: int, station_id: str) -> dict | None:
        """The TX item of a transaction this station started and a Session was opened for, or None."""
        tx = transactions.get_transaction(transaction_id)
        if tx is None or tx.get("station_id") != station_id or not tx.get("session_id"):
            return None
        return tx

    def on_meter_values(self, reported: MeterValuesReported) -> None:
        readings = energy_readings(reported.samples)

        def meter(_: retry.Attempt) -> None:
            tx = self._transaction_of(reported.transaction_id, reported.station_id)
            if tx is None:
                self._facts.on_meter_values(reported)  # raises UnknownTransaction when there is none
                return
            if tx.get("stopped_at") or not readings:  # ended, or no energy reading: nothing for the Session
                transactions.put_meter(reported)
                return
            running = running_meter.from_item(tx)
            if running is None or not running_meter.pushes_readings(tx) or not self._on_transaction(
                tx, running, reported, readings
            ):
                self._through_session(tx, running, reported, readings)

        retry.optimistic(meter, gave_up=_kept_changing(reported.transaction_id))

    @staticmethod
    def _on_transaction(
        tx: dict, running: RunningMeter, reported: MeterValuesReported, readings: list
    ) -> bool:
        """A plausible reading of an ACTIVE session: the running meter on the TX item alone (one
        transaction: METER + TX; the first reading of a push window marks the write, which the push
        path follows). False when the Session must be written too (a state change, an INVALID session)."""
        if running.session_status != SessionStatus.ACTIVE.value:
            return False  # an INVALID session: each change is its own write and event
        start_at = parse_datetime(str(tx["started_at"]))
        meter, implausible = lifecycle.apply_checked(running.meter, start_at, readings, _tx_limits(tx))
        if implausible is not None:
            return False
        if meter == running.meter:  # nothing for the Session: the facts only
            transactions.put_meter(reported)
            return True
        seq = running.seq + 1
        window = _window(reported.received_at, seq)
        updated = RunningMeter(meter, seq, reported.received_at, window, running.session_status)
        try:
            transact.write([
                transactions.meter_action(reported),
                running_meter.update_action(
                    reported.transaction_id, running, updated, opened=window != running.window
                ),
            ])
        except transact.Cancelled as cancelled:
            if cancelled.condition_failed(transactions.METER_ACTION):  # a retransmission: stored already
                return True
            if transactions.TX_ACTION in cancelled.failed or cancelled.conflict:  # another reading, or the stop
                raise retry.ReadAgain from None
            raise
        return True

    @staticmethod
    def _through_session(
        tx: dict, running: RunningMeter | None, reported: MeterValuesReported, readings: list
    ) -> None:
        """The reading applied to the Session (read now, with the TX item's newer meter) and written
        with the METER fact and the TX item's running meter, if it has one, in one transaction: a state
        change (INVALID), an INVALID session's readings, a transaction from before its TX item pushed
        its readings (then written as one that does from now on)."""
        record = sessions.get_stored_record(str(tx["session_id"]))
        if record is None:
            raise retry.ReadAgain  # cannot be: the Session is written with its TX item
        record = running_meter.current(record, tx)
        applied = lifecycle.metered(record, readings, reported.received_at, _limits(record))
        if applied is None:  # nothing for the Session (no energy reading, or ended): the facts only
            transactions.put_meter(reported)
            return
        updated = applied.record
        actions = [transactions.meter_action(reported), sessions.put_action(updated)]
        if running is not None:
            seq = running.seq + 1
            after = RunningMeter(
                updated.meter, seq, reported.received_at, _window(reported.received_at, seq),
                updated.status.value,
            )
            actions.append(running_meter.update_action(
                reported.transaction_id, running, after, recipients=running_meter.recipients_attributes(updated),
            ))
        try:
            transact.write(actions)
        except transact.Cancelled as cancelled:
            if cancelled.condition_failed(transactions.METER_ACTION):  # a retransmission: stored already
                return
            if {transactions.TX_ACTION, sessions.SESSION_ACTION} & set(cancelled.failed) or cancelled.conflict:
                raise retry.ReadAgain from None
            raise
        if updated.status is not record.status:
            logger.warning("session invalid", session_id=record.session.id, reason=updated.invalid_reason)
        _alarm(applied, reported.station_id, reported.transaction_id)

    def on_stop(self, stopped: TransactionStopped, receipt: Receipt) -> None:
        readings = energy_readings(stopped.samples)

        def stop(_: retry.Attempt) -> None:
            tx = self._transaction_of(stopped.transaction_id, stopped.station_id)
            record = sessions.get_stored_record(str(tx["session_id"])) if tx else None
            if record is None or record.session.end_date_time is not None:
                # A stop of an unknown (or another station's, or stopped) transaction: facts only.
                self._facts.on_stop(stopped, receipt)
                return
            record = running_meter.current(record, tx)  # with the readings since the Session was written
            running = running_meter.from_item(tx)
            actions = transactions.stop_actions(stopped, receipt, running.seq if running else None)
            applied = lifecycle.stopped(record, stopped, readings, _limits(record))
            updated = applied.record
            actions.append(sessions.put_action(updated))
            try:
                transact.write(actions)
            except transact.Cancelled as cancelled:
                transactions.raise_if_retransmitted(cancelled, receipt)
                if cancelled.condition_failed(sessions.SESSION_ACTION) or cancelled.conflict:
                    raise retry.ReadAgain from None
                if cancelled.condition_failed(transactions.TX_ACTION):
                    if not (cancelled.item(transactions.TX_ACTION) or {}).get("stopped_at"):
                        raise retry.ReadAgain from None  # a reading was applied meanwhile: stop on top of it
                    self._facts.on_stop(stopped, receipt)  # stopped meanwhile: the facts path logs it
                    return
                raise
            logger.debug(
                "session ended", session_id=record.session.id, status=updated.status.value,
                kwh=str(updated.session.kwh), reason=updated.invalid_reason,
            )
            _alarm(applied, stopped.station_id, stopped.transaction_id)

        retry.optimistic(stop, gave_up=_kept_changing(stopped.transaction_id))


def _window(at: datetime, seq: int) -> int:
    """The push window of the reading ``seq`` at ``at``: its clock window of the push interval, or,
    with pushes not coalesced (0), a window of its own."""
    seconds = get_settings().session_push_interval_seconds
    return running_meter.push_window(at, seconds) if seconds else seq


def adopting_connector(adopting: SessionRecord | None, started: TransactionStarted) -> str:
    """The OCPI connector id when the port did not carry one: the PENDING session's, else the EVSE's
    single connector numbered as the hub numbers them (``<evse uid>-01``)."""
    if adopting is not None:
        return adopting.session.connector_id
    return f"{started.evse_uid}-01"
