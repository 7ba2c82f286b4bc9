"""Charging periods from a transaction's energy readings (OCPI 2.2.1 mod_cdrs §10.4.6).

The semantics the pricing engine relies on: periods are consecutive, each one lasts until the next
one starts (the last until the session's ``end_date_time``), and each carries ``ENERGY`` (kWh
delivered during it) and either ``TIME`` (hours charging) or ``PARKING_TIME`` (hours connected
without energy flowing: the register stayed flat between two readings, e.g. SuspendedEV).

Between two readings the meter either advanced (charging) or not (parking). Consecutive intervals of
the same kind extend the current period; a change of kind starts a new period at the earlier
reading's time. Energy and time are kept exact (Wh, seconds) and turned into kWh / hours on output.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from mobie_hub.core.models import CdrDimension, CdrDimensionType, ChargingPeriod
from mobie_hub.core.types import format_datetime, parse_datetime

HOURS_PLACES = Decimal("0.000001")  # 3.6 ms: finer than any OCPP timestamp a station sends


class MeterWentBackwards(Exception):
    """A reading lower than the one before it: the meter or the station is faulty (session INVALID)."""


@dataclass(frozen=True)
class Period:
    start: datetime
    charging: bool
    wh: Decimal = Decimal(0)
    seconds: Decimal = Decimal(0)


@dataclass(frozen=True)
class MeterState:
    """The register at the start, the latest reading applied, and the periods so far."""

    start_wh: Decimal
    last_wh: Decimal
    last_at: datetime
    periods: tuple[Period, ...] = ()

    @classmethod
    def starting(cls, wh: Decimal, at: datetime) -> MeterState:
        return cls(start_wh=wh, last_wh=wh, last_at=at)

    @property
    def kwh(self) -> Decimal:
        return ((self.last_wh - self.start_wh) / 1000).normalize()

    def to_json(self) -> str:
        """The compact stored form (the Session's and the TX item's ``meter``): exact Wh and seconds."""
        return json.dumps({
            "start_wh": str(self.start_wh), "last_wh": str(self.last_wh),
            "last_at": format_datetime(self.last_at),
            "periods": [[format_datetime(p.start), p.charging, str(p.wh), str(p.seconds)] for p in self.periods],
        }, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str) -> MeterState:
        data = json.loads(raw)
        periods = tuple(
            Period(parse_datetime(start), charging, Decimal(wh), Decimal(seconds))
            for start, charging, wh, seconds in data["periods"]
        )
        return cls(Decimal(data["start_wh"]), Decimal(data["last_wh"]), parse_datetime(data["last_at"]), periods)


def apply_reading(meter: MeterState, wh: Decimal, at: datetime) -> MeterState:
    """The state after one energy register reading. A reading older than the latest one applied is
    ignored (a late, out-of-order message); a lower register value raises ``MeterWentBackwards``."""
    if at < meter.last_at:
        return meter
    delta = wh - meter.last_wh
    if delta < 0:
        raise MeterWentBackwards(f"register went from {meter.last_wh} Wh to {wh} Wh at {at.isoformat()}")
    seconds = Decimal(str((at - meter.last_at).total_seconds()))
    if seconds == 0 and delta == 0:
        return meter
    charging = delta > 0
    periods = list(meter.periods)
    current = periods[-1] if periods else None
    if current is not None and (current.charging == charging or seconds == 0):
        # Same kind, or energy reported at the same instant: it belongs to the running period.
        periods[-1] = replace(current, wh=current.wh + delta, seconds=current.seconds + seconds)
    else:
        periods.append(Period(meter.last_at, charging, delta, seconds))
    return MeterState(meter.start_wh, wh, at, tuple(periods))


def apply_readings(meter: MeterState, readings: list[tuple[Decimal, datetime]]) -> MeterState:
    for wh, at in sorted(readings, key=lambda reading: reading[1]):
        meter = apply_reading(meter, wh, at)
    return meter


def charging_periods(meter: MeterState) -> list[ChargingPeriod]:
    return [
        ChargingPeriod(
            start_date_time=period.start,
            dimensions=[
                CdrDimension(type=CdrDimensionType.ENERGY, volume=(period.wh / 1000).normalize()),
                CdrDimension(
                    type=CdrDimensionType.TIME if period.charging else CdrDimensionType.PARKING_TIME,
                    volume=(period.seconds / 3600).quantize(HOURS_PLACES, ROUND_HALF_UP).normalize(),
                ),
            ],
        )
        for period in meter.periods
    ]
