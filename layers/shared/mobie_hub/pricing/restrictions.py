"""TariffRestrictions (OCPI 2.2.1 mod_tariffs §11.4.6): where they can change, and whether they hold.

Restrictions describe when a TariffElement is active *during* a session, not for the whole session.
Between two boundaries (a local time of day, a local midnight, a duration, an energy level) nothing
they test can change, so the engine cuts the session at every boundary and asks ``holds`` once per
slice, with the state at the slice's start.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta, tzinfo
from decimal import Decimal

from mobie_hub.core.models import CdrDimension, CdrDimensionType
from mobie_hub.pricing.slices import Slice
from mobie_hub.tariffs.models import DayOfWeek, Tariff, TariffRestrictions

_WEEKDAYS = list(DayOfWeek)  # Monday first, as datetime.weekday() counts
_POWER = (CdrDimensionType.POWER, CdrDimensionType.MIN_POWER, CdrDimensionType.MAX_POWER)
_CURRENT = (CdrDimensionType.CURRENT, CdrDimensionType.MIN_CURRENT, CdrDimensionType.MAX_CURRENT)


@dataclass(frozen=True)
class State:
    """What restrictions test, at an instant of the session."""

    local: datetime  # the instant in the Location's time zone
    elapsed: Decimal  # seconds since the session started
    energy: Decimal  # kWh delivered since the session started
    piece: Slice  # the slice it starts: charging or parked, power and current readings


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def time_boundaries(tariff: Tariff, start: datetime, end: datetime, zone: tzinfo) -> set[datetime]:
    """Instants in (start, end) where a time, date, weekday or duration restriction may change."""
    restrictions = [e.restrictions for e in tariff.elements if e.restrictions]
    times = {"00:00"}  # local midnight: dates and weekdays change there
    times |= {t for r in restrictions for t in (r.start_time, r.end_time) if t}
    instants = daily_instants(times, start, end, zone)
    for r in restrictions:
        instants |= {start + timedelta(seconds=s) for s in (r.min_duration, r.max_duration) if s is not None}
    return {i for i in instants if start < i < end}


def daily_instants(times: set[str], start: datetime, end: datetime, zone: tzinfo) -> set[datetime]:
    """The instants in (start, end) at which the local clock shows one of ``times`` ("HH:MM"), and those
    at which it jumps (a DST change).

    Built from local dates, so a DST change moves them with the clock. A time the autumn change
    repeats is shown twice, and the clock jumps back between: a window of 01:30-02:00 on that night
    holds for its two half hours, not from its first 01:30 to 02:00 of the later offset (1.5 h). A
    time the spring change skips falls where zoneinfo resolves it (either offset).
    """
    instants = set()
    day = start.astimezone(zone).date() - timedelta(days=1)
    while day <= end.astimezone(zone).date() + timedelta(days=1):
        instants |= {
            datetime.combine(day, _hhmm(t).replace(fold=fold), tzinfo=zone).astimezone(UTC)
            for t in times
            for fold in (0, 1)
        }
        day += timedelta(days=1)
    instants |= offset_changes(start, end, zone)
    return {i for i in instants if start < i < end}


def offset_changes(start: datetime, end: datetime, zone: tzinfo) -> set[datetime]:
    """The instants in [start, end] from which ``zone``'s UTC offset differs from the second before.

    zoneinfo does not list its transitions, so each UTC day whose two ends differ in offset is bisected
    to the second (a zone changes its offset at most once a day).
    """

    def offset(seconds: int) -> timedelta | None:
        return datetime.fromtimestamp(seconds, UTC).astimezone(zone).utcoffset()

    changes = set()
    day = int(start.timestamp()) // 86400 * 86400
    while day <= end.timestamp():
        low, high = day, day + 86400
        if offset(low) != offset(high):
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(middle) == offset(low) else (low, middle)
            changes.add(datetime.fromtimestamp(high, UTC))
        day += 86400
    return {c for c in changes if start <= c <= end}


def energy_boundaries(tariff: Tariff) -> set[Decimal]:
    """Cumulative energies (kWh) where a min_kwh / max_kwh restriction may change."""
    restrictions = [e.restrictions for e in tariff.elements if e.restrictions]
    return {k for r in restrictions for k in (r.min_kwh, r.max_kwh) if k is not None and k > 0}


def in_time_window(local: datetime, start_time: str | None, end_time: str | None) -> bool:
    """start_time inclusive, end_time exclusive; start after end wraps midnight (22:00-07:00)."""
    now = local.time()
    begin = _hhmm(start_time) if start_time else None
    finish = _hhmm(end_time) if end_time else None
    if begin is not None and finish is not None and begin > finish:  # wraps midnight, e.g. 22:00-07:00
        return now >= begin or now < finish
    if begin is not None and finish is not None and begin == finish:
        return True  # a window of a whole day
    return (begin is None or now >= begin) and (finish is None or now < finish)


def _reading_holds(piece: Slice, low: Decimal | None, high: Decimal | None, kinds: tuple) -> bool:
    """min_X inclusive, max_X exclusive; MIN_/MAX_ readings where given, else the plain reading.

    A restriction on a quantity the period does not report does not hold: nothing shows it is met.
    """
    plain, minimum, maximum = kinds
    if low is not None:
        value = piece.reading(minimum) if piece.reading(minimum) is not None else piece.reading(plain)
        if value is None or value < low:
            return False
    if high is not None:
        value = piece.reading(maximum) if piece.reading(maximum) is not None else piece.reading(plain)
        if value is None or value >= high:
            return False
    return True


def _power_readings(piece: Slice) -> Slice:
    """Power where the period gives none: the average (energy ÷ charging time), 0 when parked."""
    if any(piece.reading(k) is not None for k in _POWER):
        return piece
    average = piece.energy * 3600 / piece.seconds if piece.charging and piece.seconds else Decimal(0)
    power = CdrDimension(type=CdrDimensionType.POWER, volume=average)
    return replace(piece, readings=(*piece.readings, power))


def holds(restrictions: TariffRestrictions | None, state: State) -> bool:
    """Whether every set restriction holds (logical AND) at ``state``.

    Elements restricted to reservations never apply: MOBI.E Phase 1 has no reservations (profile §13).
    """
    if restrictions is None:
        return True
    r, local = restrictions, state.local
    if r.reservation is not None:
        return False
    if not in_time_window(local, r.start_time, r.end_time):
        return False
    today = local.date().isoformat()
    if (r.start_date and today < r.start_date) or (r.end_date and today >= r.end_date):
        return False
    if r.day_of_week and _WEEKDAYS[local.weekday()] not in r.day_of_week:
        return False
    if (r.min_kwh is not None and state.energy < r.min_kwh) or (
        r.max_kwh is not None and state.energy >= r.max_kwh
    ):
        return False
    if (r.min_duration is not None and state.elapsed < r.min_duration) or (
        r.max_duration is not None and state.elapsed >= r.max_duration
    ):
        return False
    if (r.min_power is not None or r.max_power is not None) and not _reading_holds(
        _power_readings(state.piece), r.min_power, r.max_power, _POWER
    ):
        return False
    return _reading_holds(state.piece, r.min_current, r.max_current, _CURRENT)
