"""The life of an OCPI Session (profile §7), driven by OCPP transactions. Pure: facts in, records out.

    START_SESSION accepted ─► PENDING ─(StartTransaction, same EVSE and token)─► ACTIVE
    StartTransaction (RFID, or nothing pending) ───────────────────────────────► ACTIVE
    ACTIVE ─(MeterValues)─► ACTIVE ─(StopTransaction)─► COMPLETED
    any error ─► INVALID (kept, pushed, never billed)      PENDING ─(start failed)─► INVALID

Errors that make a session INVALID: the idTag was not Accepted (the station let an unknown or
blocked card charge), the stop is timed before the start, or an implausible meter reading
(``plausibility``: out of range, more energy than the connector can deliver, too long, backwards).
An implausible reading is left out (the session keeps the last plausible energy) and returned in
``Applied.implausible`` so the caller raises the operator's alarm once the change is written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from mobie_hub.core.models import AuthMethod, CdrToken, TokenType
from mobie_hub.ocpp.ports import TokenRef, TransactionStarted, TransactionStopped
from mobie_hub.sessions import plausibility
from mobie_hub.sessions.models import Session, SessionStatus
from mobie_hub.sessions.periods import MeterState, MeterWentBackwards, apply_reading, charging_periods
from mobie_hub.sessions.plausibility import Implausible, Limits

Reading = tuple[Decimal, datetime]  # energy register (Wh) and when it was read


@dataclass(frozen=True)
class SessionRecord:
    """A Session with what the hub needs to keep it up to date.

    ``owner`` is the EMSP (country_code, party_id) that owns the token; None for an idTag no EMSP has
    sent (such a session is kept, INVALID, and listed or pushed to nobody). ``cpo`` is the CPO
    (country_code, party_id) of the station, snapshot when the session was created (``cpo_of``): the
    session is pushed and listed to it as well; None on the hub's own stations.
    ``revision`` counts writes: every update is conditional on the revision it was read at.
    """

    session: Session
    owner: tuple[str, str] | None
    meter: MeterState | None = None  # None while PENDING
    transaction_id: int | None = None
    station_id: str | None = None
    invalid_reason: str | None = None
    revision: int = 0
    max_power_w: int | None = None  # the EVSE's most power (W), from the Location at the start
    cpo: tuple[str, str] | None = None  # the station's CPO at the session's creation

    def limits(self, max_duration: timedelta) -> Limits:
        return Limits(self.max_power_w, max_duration)

    @property
    def status(self) -> SessionStatus:
        return self.session.status

    def owns(self, token: TokenRef) -> bool:
        t = self.session.cdr_token
        return (t.country_code, t.party_id, t.type.value, t.uid) == (
            token.country_code, token.party_id, token.type, token.uid,
        )


@dataclass(frozen=True)
class Applied:
    """A transition's new record, and the implausible reading it found (left out, session INVALID)."""

    record: SessionRecord
    implausible: Implausible | None = None


def cdr_token(token: TokenRef) -> CdrToken:
    return CdrToken(
        country_code=token.country_code, party_id=token.party_id, uid=token.uid,
        type=TokenType(token.type), contract_id=token.contract_id,
    )


def cpo_of(operator: tuple[str, str] | None, hub: tuple[str, str]) -> tuple[str, str] | None:
    """The CPO of a station whose Location names ``operator`` (its country_code, party_id): None for
    the hub's own stations (or none known). Upper-case, like party keys."""
    if operator is None:
        return None
    cpo = (operator[0].upper(), operator[1].upper())
    return None if cpo == (hub[0].upper(), hub[1].upper()) else cpo


def _unknown_token(id_tag: str) -> CdrToken:
    # No EMSP sent this idTag: the session still needs a CdrToken; the idTag is all the hub knows.
    return CdrToken(uid=id_tag, type=TokenType.RFID, contract_id=id_tag)


def pending(
    session_id: str, hub: tuple[str, str], location_id: str, evse_uid: str, connector_id: str,
    token: TokenRef, authorization_reference: str | None, now: datetime,
    operator: tuple[str, str] | None = None,
) -> SessionRecord:
    """A START_SESSION the station accepted, not yet confirmed by a StartTransaction. ``operator``:
    the Location's (country_code, party_id), the station's CPO unless it is the hub."""
    session = Session(
        country_code=hub[0], party_id=hub[1], id=session_id, start_date_time=now, kwh=Decimal(0),
        cdr_token=cdr_token(token), auth_method=AuthMethod.WHITELIST,
        authorization_reference=authorization_reference, location_id=location_id, evse_uid=evse_uid,
        connector_id=connector_id, currency="EUR", status=SessionStatus.PENDING, last_updated=now,
    )
    return SessionRecord(session, (token.country_code, token.party_id), cpo=cpo_of(operator, hub))


def started(
    facts: TransactionStarted, session_id: str, hub: tuple[str, str], connector_id: str,
    adopting: SessionRecord | None = None,
) -> Applied:
    """The session a StartTransaction opens, or the PENDING one it confirms (same id, now ACTIVE).
    INVALID from the start when the idTag was not Accepted or meterStart is no register value."""
    token = facts.authorization.token
    accepted = facts.authorization.status == "Accepted"
    meter = MeterState.starting(Decimal(facts.meter_start_wh), facts.timestamp)
    implausible = plausibility.register_reading(meter.start_wh)
    reasons = [] if accepted else [f"idTag {facts.id_tag} was {facts.authorization.status}, not Accepted"]
    if implausible is not None:
        reasons.append(implausible.detail)
    fields = {
        "start_date_time": facts.timestamp, "kwh": Decimal(0), "last_updated": facts.received_at,
        "status": SessionStatus.INVALID if reasons else SessionStatus.ACTIVE,
    }
    reason = "; ".join(reasons) or None
    if adopting is not None:
        session = adopting.session.model_copy(update=fields)
        record = replace(
            adopting, session=session, meter=meter, transaction_id=facts.transaction_id,
            station_id=facts.station_id, invalid_reason=reason, max_power_w=facts.max_power_w,
            cpo=adopting.cpo or cpo_of(facts.operator, hub),  # the PENDING session's snapshot first
        )
        return Applied(record, implausible)
    session = Session(
        country_code=hub[0], party_id=hub[1], id=session_id,
        cdr_token=cdr_token(token) if token else _unknown_token(facts.id_tag),
        auth_method=AuthMethod.WHITELIST, location_id=facts.station_id, evse_uid=facts.evse_uid,
        connector_id=connector_id, currency="EUR", **fields,
    )
    owner = (token.country_code, token.party_id) if token else None
    record = SessionRecord(
        session, owner, meter, facts.transaction_id, facts.station_id, reason, max_power_w=facts.max_power_w,
        cpo=cpo_of(facts.operator, hub),
    )
    return Applied(record, implausible)


def _invalid(record: SessionRecord, reason: str, now: datetime) -> SessionRecord:
    """INVALID, keeping the first reason of a session that already was (the cause, not a consequence)."""
    session = record.session.model_copy(update={"status": SessionStatus.INVALID, "last_updated": now})
    return replace(record, session=session, invalid_reason=record.invalid_reason or reason)


def with_meter(record: SessionRecord, meter: MeterState, now: datetime, **fields: object) -> SessionRecord:
    session = record.session.model_copy(update={
        "kwh": meter.kwh, "charging_periods": charging_periods(meter) or None, "last_updated": now, **fields,
    })
    return replace(record, session=session, meter=meter)


def apply_checked(
    meter: MeterState, start_at: datetime, readings: list[Reading], limits: Limits
) -> tuple[MeterState, Implausible | None]:
    """The meter after the readings, oldest first, up to the first implausible one (left out, with
    the readings after it), and that one."""
    for wh, at in sorted(readings, key=lambda reading: reading[1]):
        if at < meter.last_at:
            continue  # a late, out-of-order reading: ignored, as periods.apply_reading does
        found = plausibility.reading(limits, meter.start_wh, start_at, wh, at)
        if found is None:
            try:
                after = apply_reading(meter, wh, at)
            except MeterWentBackwards as backwards:
                figures = {"from_wh": str(meter.last_wh), "to_wh": str(wh)}
                found = Implausible("meter_backwards", str(backwards), figures)
        if found is not None:
            return meter, found
        meter = after
    return meter, None


def metered(record: SessionRecord, readings: list[Reading], now: datetime, limits: Limits) -> Applied | None:
    """The session after MeterValues; None when nothing changed (no reading, or all older ones)."""
    if record.meter is None or record.session.end_date_time is not None:
        return None  # PENDING (no transaction yet), or ended: later readings change nothing
    meter, implausible = apply_checked(record.meter, record.session.start_date_time, readings, limits)
    if implausible is not None:
        return Applied(_invalid(with_meter(record, meter, now), implausible.detail, now), implausible)
    if meter == record.meter:
        return None
    return Applied(with_meter(record, meter, now))


def stopped(
    record: SessionRecord, facts: TransactionStopped, readings: list[Reading], limits: Limits
) -> Applied:
    """The session after StopTransaction: COMPLETED with its final kWh, unless it was INVALID or the
    stop breaks a rule (then INVALID, with the end time the station gave)."""
    now = facts.received_at
    end = {"end_date_time": facts.timestamp}
    if record.meter is None:  # cannot happen for a started session; kept safe
        return Applied(_invalid(record, "stopped without a start", now))
    if facts.timestamp < record.session.start_date_time:
        failed = _invalid(record, f"stop at {facts.timestamp.isoformat()} is before the start", now)
        return Applied(replace(failed, session=failed.session.model_copy(update=end)))
    final = (Decimal(facts.meter_stop_wh), facts.timestamp)
    meter, implausible = apply_checked(record.meter, record.session.start_date_time, [*readings, final], limits)
    if implausible is not None:
        failed = _invalid(with_meter(record, meter, now, **end), implausible.detail, now)
        return Applied(failed, implausible)
    status = SessionStatus.INVALID if record.status is SessionStatus.INVALID else SessionStatus.COMPLETED
    return Applied(with_meter(record, meter, now, status=status, **end))


def invalidated(record: SessionRecord, reason: str, now: datetime) -> SessionRecord:
    """A PENDING session whose START_SESSION failed (nothing stays PENDING forever)."""
    return _invalid(record, reason, now)
