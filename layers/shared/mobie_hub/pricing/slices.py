"""The session as a list of slices: the input charging periods, checked, then cut at instants.

A slice is a stretch of the session in one state (charging or parked) with the energy delivered in
it. Periods follow OCPI mod_cdrs §10.4.6: a period lasts until the next one starts, the last until
the session ends. Time is measured from the timestamps, not from the periods' TIME/PARKING_TIME
volumes, which are rounded copies of the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from mobie_hub.core.models import CdrDimension, CdrDimensionType, ChargingPeriod
from mobie_hub.pricing.errors import InvalidChargingPeriods

# Volumes whose amount belongs to a stretch of time; every other dimension (power, current, state of
# charge) is a reading that each piece of a cut period keeps as it is.
_VOLUMES = {CdrDimensionType.ENERGY, CdrDimensionType.TIME, CdrDimensionType.PARKING_TIME}
ENERGY_QUANTUM = Decimal("0.000001")  # kWh (1 mWh): precision of energy shared out by a cut
_MICROSECOND = timedelta(microseconds=1)


def seconds_between(start: datetime, end: datetime) -> Decimal:
    """Exact seconds (microsecond resolution, as datetimes have)."""
    return Decimal((end - start) // _MICROSECOND) / Decimal(1_000_000)


@dataclass(frozen=True)
class Slice:
    start: datetime
    end: datetime
    energy: Decimal  # kWh delivered in [start, end)
    charging: bool  # TIME (charging) or PARKING_TIME (connected, not charging)
    source: int  # index of the input period it comes from
    readings: tuple[CdrDimension, ...] = field(default=())

    @property
    def seconds(self) -> Decimal:
        return seconds_between(self.start, self.end)

    def reading(self, kind: CdrDimensionType) -> Decimal | None:
        return next((d.volume for d in self.readings if d.type is kind), None)


def _volume(period: ChargingPeriod, kind: CdrDimensionType) -> Decimal | None:
    volumes = [d.volume for d in period.dimensions if d.type is kind]
    return sum(volumes, start=Decimal(0)) if volumes else None


def _check_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidChargingPeriods(f"{name} must be an aware datetime (UTC)")


def slices_from_periods(periods: Sequence[ChargingPeriod], start: datetime, end: datetime) -> list[Slice]:
    """The periods as slices covering [start, end); none given → one charging slice without energy.

    The first slice begins at ``start`` even if the first period was stamped later (a session's
    first meter value may come after StartTransaction); nothing of the session goes unpriced.
    """
    _check_aware(start, "start")
    _check_aware(end, "end")
    if end < start:
        raise InvalidChargingPeriods(
            f"the session ends ({end.isoformat()}) before it starts ({start.isoformat()})"
        )
    if not periods:
        return [Slice(start, end, Decimal(0), True, 0)]
    starts = [p.start_date_time for p in periods]
    if starts[0] < start or starts[-1] > end:
        raise InvalidChargingPeriods("a charging period starts outside the session")
    if any(later <= earlier for earlier, later in zip(starts, starts[1:], strict=False)):
        raise InvalidChargingPeriods("charging periods must be in strictly increasing start order")
    ends = [*starts[1:], end]
    slices = []
    for index, (period, slice_end) in enumerate(zip(periods, ends, strict=True)):
        energy = _volume(period, CdrDimensionType.ENERGY) or Decimal(0)
        if energy < 0:
            raise InvalidChargingPeriods(f"charging period {index} has negative energy")
        time = _volume(period, CdrDimensionType.TIME)
        parking = _volume(period, CdrDimensionType.PARKING_TIME)
        if time is not None and parking is not None:
            raise InvalidChargingPeriods(f"charging period {index} is both TIME and PARKING_TIME")
        charging = time is not None or (parking is None and energy > 0)
        readings = tuple(d for d in period.dimensions if d.type not in _VOLUMES)
        slice_start = start if index == 0 else period.start_date_time
        if slice_end > slice_start or energy > 0:
            slices.append(Slice(slice_start, slice_end, energy, charging, index, readings))
    return slices


def cut_at_instants(slices: Iterable[Slice], instants: Iterable[datetime]) -> list[Slice]:
    """Every slice cut at the instants strictly inside it; energy shared in proportion to time."""
    cuts = sorted(set(instants))
    result = []
    for piece in slices:
        for instant in (i for i in cuts if piece.start < i < piece.end):
            head, piece = _split(piece, instant)
            result.append(head)
        result.append(piece)
    return result


def _split(piece: Slice, instant: datetime) -> tuple[Slice, Slice]:
    share = seconds_between(piece.start, instant) / piece.seconds
    head_energy = (piece.energy * share).quantize(ENERGY_QUANTUM, rounding=ROUND_HALF_UP)
    return (
        replace(piece, end=instant, energy=head_energy),
        replace(piece, start=instant, energy=piece.energy - head_energy),
    )


def cut_at_energy(slices: Iterable[Slice], thresholds: Iterable[Decimal]) -> list[Slice]:
    """Every slice cut where the session's cumulative energy reaches a threshold (kWh) inside it.

    The head gets exactly the energy up to the threshold; the instant is interpolated linearly.
    """
    levels = sorted(set(thresholds))
    result: list[Slice] = []
    delivered = Decimal(0)
    for piece in slices:
        for level in (x for x in levels if delivered < x < delivered + piece.energy):
            head_energy = level - delivered
            offset = (piece.end - piece.start) * float(head_energy / piece.energy)
            instant = piece.start + offset
            if not piece.start < instant < piece.end:  # too short to place it: the next slice starts there
                continue
            result.append(replace(piece, end=instant, energy=head_energy))
            piece = replace(piece, start=instant, energy=piece.energy - head_energy)
            delivered += head_energy
        result.append(piece)
        delivered += piece.energy
    return result
