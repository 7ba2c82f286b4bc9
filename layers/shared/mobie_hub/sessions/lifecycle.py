"""The life of an OCPI Session (profile §7), driven by OCPP transactions. Pure: facts in, records out.

    START_SESSION accepted ─► PENDING ─(StartTransaction, same EVSE and token)─► ACTIVE
    StartTransaction (RFID, or nothing pending) ───────────────────────────────► ACTIVE
    ACTIVE ─(MeterValues)─► ACTIVE ─(StopTransaction)─► COMPLETED
    any error ─► INVALID (kept, pushed, never billed)      PENDING ─(start failed)─► INVALID

Errors that make a session INVALID: the idTag was not Accepted (the station let an unknown or
blocked card charge), the meter went backwards, the stop is timed before the start.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from mobie_hub.models.cdrs import AuthMethod, CdrToken
from mobie_hub.models.common import TokenType
from mobie_hub.models.sessions import Session, SessionStatus
from mobie_hub.ocpp.ports import TokenRef, TransactionStarted, TransactionStopped
from mobie_hub.sessions.periods import MeterState, MeterWentBackwards, apply_readings, charging_periods

Reading = tuple[Decimal, datetime]  # energy register (Wh) and when it was read


@dataclass(frozen=True)
class SessionRecord:
    """A Session with what the hub needs to keep it up to date.

    ``owner`` is the EMSP (country_code, party_id) that owns the token — the only party the session
    is pushed to and listed for; None for an idTag no EMSP has sent (such a session is kept, INVALID).
    ``revision`` counts writes: every update is conditional on the revision it was read at.
    """

    session: Session
    owner: tuple[str, str] | None
    meter: MeterState | None = None  # None while PENDING
    transaction_id: int | None = None
    station_id: str | None = None
    invalid_reason: str | None = None
    revision: int = 0

    @property
    def status(self) -> SessionStatus:
        return self.session.status

    def owns(self, token: TokenRef) -> bool:
        t = self.session.cdr_token
        return (t.country_code, t.party_id, t.type.value, t.uid) == (
            token.country_code, token.party_id, token.type, token.uid,
        )


def cdr_token(token: TokenRef) -> CdrToken:
    return CdrToken(
        country_code=token.country_code, party_id=token.party_id, uid=token.uid,
        type=TokenType(token.type), contract_id=token.contract_id,
    )


def _unknown_token(id_tag: str) -> CdrToken:
    # No EMSP sent this idTag: the session still needs a CdrToken; the idTag is all the hub knows.
    return CdrToken(uid=id_tag, type=TokenType.RFID, contract_id=id_tag)


def pending(
    session_id: str, hub: tuple[str, str], location_id: str, evse_uid: str, connector_id: str,
    token: TokenRef, authorization_reference: str | None, now: datetime,
) -> SessionRecord:
    """A START_SESSION the station accepted, not yet confirmed by a StartTransaction."""
    session = Session(
        country_code=hub[0], party_id=hub[1], id=session_id, start_date_time=now, kwh=Decimal(0),
        cdr_token=cdr_token(token), auth_method=AuthMethod.WHITELIST,
        authorization_reference=authorization_reference, location_id=location_id, evse_uid=evse_uid,
        connector_id=connector_id, currency="EUR", status=SessionStatus.PENDING, last_updated=now,
    )
    return SessionRecord(session, (token.country_code, token.party_id))


def started(
    facts: TransactionStarted, session_id: str, hub: tuple[str, str], connector_id: str,
    adopting: SessionRecord | None = None,
) -> SessionRecord:
    """The session a StartTransaction opens, or the PENDING one it confirms (same id, now ACTIVE)."""
    token = facts.authorization.token
    accepted = facts.authorization.status == "Accepted"
    meter = MeterState.starting(Decimal(facts.meter_start_wh), facts.timestamp)
    fields = {
        "start_date_time": facts.timestamp, "kwh": Decimal(0), "last_updated": facts.received_at,
        "status": SessionStatus.ACTIVE if accepted else SessionStatus.INVALID,
    }
    reason = None if accepted else f"idTag {facts.id_tag} was {facts.authorization.status}, not Accepted"
    if adopting is not None:
        session = adopting.session.model_copy(update=fields)
        return replace(
            adopting, session=session, meter=meter, transaction_id=facts.transaction_id,
            station_id=facts.station_id, invalid_reason=reason,
        )
    session = Session(
        country_code=hub[0], party_id=hub[1], id=session_id,
        cdr_token=cdr_token(token) if token else _unknown_token(facts.id_tag),
        auth_method=AuthMethod.WHITELIST, location_id=facts.station_id, evse_uid=facts.evse_uid,
        connector_id=connector_id, currency="EUR", **fields,
    )
    owner = (token.country_code, token.party_id) if token else None
    return SessionRecord(session, owner, meter, facts.transaction_id, facts.station_id, reason)


def _invalid(record: SessionRecord, reason: str, now: datetime) -> SessionRecord:
    session = record.session.model_copy(update={"status": SessionStatus.INVALID, "last_updated": now})
    return replace(record, session=session, invalid_reason=reason)


def _with_meter(record: SessionRecord, meter: MeterState, now: datetime, **fields: object) -> SessionRecord:
    session = record.session.model_copy(update={
        "kwh": meter.kwh, "charging_periods": charging_periods(meter) or None, "last_updated": now, **fields,
    })
    return replace(record, session=session, meter=meter)


def metered(record: SessionRecord, readings: list[Reading], now: datetime) -> SessionRecord | None:
    """The session after MeterValues; None when nothing changed (no reading, or all older ones)."""
    if record.meter is None or record.session.end_date_time is not None:
        return None  # PENDING (no transaction yet), or ended: later readings change nothing
    try:
        meter = apply_readings(record.meter, readings)
    except MeterWentBackwards as backwards:
        return _invalid(record, str(backwards), now)
    if meter == record.meter:
        return None
    return _with_meter(record, meter, now)


def stopped(record: SessionRecord, facts: TransactionStopped, readings: list[Reading]) -> SessionRecord:
    """The session after StopTransaction: COMPLETED with its final kWh, unless it was INVALID or the
    stop breaks a rule (then INVALID, with the end time the station gave)."""
    now = facts.received_at
    end = {"end_date_time": facts.timestamp}
    if record.meter is None:  # cannot happen for a started session; kept safe
        return _invalid(record, "stopped without a start", now)
    if facts.timestamp < record.session.start_date_time:
        failed = _invalid(record, f"stop at {facts.timestamp.isoformat()} is before the start", now)
        return replace(failed, session=failed.session.model_copy(update=end))
    try:
        meter = apply_readings(record.meter, [*readings, (Decimal(facts.meter_stop_wh), facts.timestamp)])
    except MeterWentBackwards as backwards:
        failed = _invalid(record, str(backwards), now)
        return replace(failed, session=failed.session.model_copy(update=end))
    status = SessionStatus.INVALID if record.status is SessionStatus.INVALID else SessionStatus.COMPLETED
    return _with_meter(record, meter, now, status=status, **end)


def invalidated(record: SessionRecord, reason: str, now: datetime) -> SessionRecord:
    """A PENDING session whose START_SESSION failed (nothing stays PENDING forever)."""
    return _invalid(record, reason, now)
