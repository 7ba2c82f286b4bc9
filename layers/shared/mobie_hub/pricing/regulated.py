"""The regulated items of a MOBI.E charge that no OCPI tariff carries: the network manager's fee
(EGME), the grid access tariffs (TAR, by voltage level and tariff-cycle period), the excise duty on
electricity (IEC) and VAT by region. Rates are data (``mobie_hub/data/billing_rates.json``), read by
``cdrs.builder``; this module only validates them and applies them (pure).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from mobie_hub.core.mobie import SubUsage, TimePeriod, VoltageLevel
from mobie_hub.core.models import ChargingPeriod, LocalTime
from mobie_hub.pricing.engine import zone_of
from mobie_hub.pricing.errors import PricingError
from mobie_hub.pricing.restrictions import daily_instants, in_time_window
from mobie_hub.pricing.slices import Slice, cut_at_instants, slices_from_periods

Rate = Annotated[Decimal, Field(ge=0)]


class CycleWindow(BaseModel):
    """A time of day (local, end exclusive, may wrap midnight) that belongs to one cycle period."""

    time_period: TimePeriod
    start_time: LocalTime
    end_time: LocalTime


class GridAccessRates(BaseModel):
    """TAR: the tariff cycle (windows, the rest of the day being ``default_time_period``) and the
    price per kWh for each voltage level and period."""

    cycle: list[CycleWindow]
    default_time_period: TimePeriod
    per_kwh: dict[VoltageLevel, dict[TimePeriod, Rate]]

    def period_at(self, local: datetime) -> TimePeriod:
        window = next((w for w in self.cycle if in_time_window(local, w.start_time, w.end_time)), None)
        return window.time_period if window else self.default_time_period

    def rate(self, level: VoltageLevel, period: TimePeriod) -> Decimal:
        try:
            return self.per_kwh[level][period]
        except KeyError as exc:
            raise PricingError(f"no TAR rate for voltage level {level} in period {period}") from exc


class BillingRates(BaseModel):
    """Every rate the CDR extension applies besides the OPC's tariff (``note`` says where they come from)."""

    note: str
    currency: str
    egme_fee_per_session: Rate
    iec_per_kwh: Rate
    vat_rate_by_time_zone: dict[str, Annotated[Decimal, Field(ge=0, le=100)]]
    tar: GridAccessRates

    def vat_rate(self, time_zone: str) -> Decimal:
        if time_zone not in self.vat_rate_by_time_zone:
            raise PricingError(f"no VAT rate for time_zone {time_zone!r}")
        return self.vat_rate_by_time_zone[time_zone]


def sub_usages(
    periods: Sequence[ChargingPeriod], start: datetime, end: datetime, time_zone: str, tar: GridAccessRates
) -> list[SubUsage]:
    """The session cut where the tariff-cycle period changes, with the energy of each slice (energy
    of a period that straddles a boundary is shared in proportion to time, as in the pricing)."""
    zone = zone_of(time_zone)
    times = {t for w in tar.cycle for t in (w.start_time, w.end_time)}
    pieces = slices_from_periods(periods, start, end)
    pieces = cut_at_instants(pieces, daily_instants(times, start, end, zone))
    usages: list[tuple[TimePeriod, Slice]] = []
    for piece in pieces:
        period = tar.period_at(piece.start.astimezone(zone))
        if usages and usages[-1][0] is period:
            head = usages[-1][1]
            usages[-1] = (period, Slice(head.start, piece.end, head.energy + piece.energy, True, head.source))
        else:
            usages.append((period, piece))
    return [
        SubUsage(start_date_time=s.start, end_date_time=s.end, time_period=period, energy=s.energy)
        for period, s in usages
    ]
