"""``price_session``: a charging session priced with one OCPI 2.2.1 Tariff (mod_tariffs, mod_cdrs).

The steps (docs/pricing.md): the periods become slices, cut wherever a restriction may change; each
slice gets, per dimension, the component of the first element that applies; the volumes are billed
with step_size once per session for ENERGY and once for TIME and PARKING_TIME combined; FLAT once;
min_price / max_price bound the total; money is rounded to cents once, at the end. The output periods
are the input ones cut where the applicable elements change, so a CDR shows which element billed what.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mobie_hub.core.models import CdrDimension, CdrDimensionType, ChargingPeriod, Price
from mobie_hub.pricing.billing import (
    VOLUME_DIMENSIONS,
    Choice,
    Dimension,
    Ledger,
    bill_volumes,
    choose,
    flat_choice,
)
from mobie_hub.pricing.errors import UnknownTimeZone
from mobie_hub.pricing.restrictions import State, energy_boundaries, time_boundaries
from mobie_hub.pricing.result import PricedLine, PricedSession, money
from mobie_hub.pricing.slices import (
    Slice,
    cut_at_energy,
    cut_at_instants,
    seconds_between,
    slices_from_periods,
)
from mobie_hub.tariffs.models import Tariff

HOURS_QUANTUM = Decimal("0.000001")  # hours in the output (3.6 ms): TIME/PARKING_TIME volumes, totals


def zone_of(time_zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownTimeZone(f"unknown time_zone {time_zone!r}") from exc


def session_states(
    tariff: Tariff, periods: Sequence[ChargingPeriod], start: datetime, end: datetime, zone: ZoneInfo
) -> list[State]:
    """The session as slices cut at every boundary of the tariff, each with its state at its start."""
    pieces = slices_from_periods(periods, start, end)
    pieces = cut_at_instants(pieces, time_boundaries(tariff, start, end, zone))
    pieces = cut_at_energy(pieces, energy_boundaries(tariff))
    states, delivered = [], Decimal(0)
    for piece in pieces:
        elapsed = seconds_between(start, piece.start)
        states.append(State(piece.start.astimezone(zone), elapsed, delivered, piece))
        delivered += piece.energy
    return states


def price_session(
    tariff: Tariff,
    charging_periods: Sequence[ChargingPeriod],
    *,
    start: datetime,
    end: datetime,
    time_zone: str,
) -> PricedSession:
    """Price the session; raises ``InvalidChargingPeriods`` / ``UnknownTimeZone`` on input it cannot price."""
    states = session_states(tariff, charging_periods, start, end, zone_of(time_zone))
    choices = {d: [choose(tariff, d, s) for s in states] for d in VOLUME_DIMENSIONS}
    ledger = Ledger()
    flat = flat_choice(tariff, states)
    if flat is not None:
        ledger.add(Dimension.FLAT, flat, Decimal(1), Decimal(1))
    bill_volumes(states, choices, ledger)
    lines = ledger.lines()
    total, limited_by = _bounded_total(tariff, lines)
    parked = sum((s.piece.seconds for s in states if not s.piece.charging), start=Decimal(0))
    return PricedSession(
        tariff_id=tariff.id,
        charging_periods=_output_periods(tariff.id, states, choices),
        lines=lines,
        total_cost=total,
        total_fixed_cost=_dimension_cost(lines, Dimension.FLAT),
        total_energy_cost=_dimension_cost(lines, Dimension.ENERGY),
        total_time_cost=_dimension_cost(lines, Dimension.TIME),
        total_parking_cost=_dimension_cost(lines, Dimension.PARKING_TIME),
        total_energy=sum((s.piece.energy for s in states), start=Decimal(0)),
        total_time=_hours(seconds_between(start, end)),
        total_parking_time=_hours(parked),
        limited_by=limited_by,
    )


def _hours(seconds: Decimal) -> Decimal:
    return (seconds / 3600).quantize(HOURS_QUANTUM)


def _sums(lines: Sequence[PricedLine]) -> tuple[Decimal, Decimal | None]:
    excl = sum((line.amount_excl_vat for line in lines), start=Decimal(0))
    # A component without VAT leaves the price incl. VAT unknown (mod_tariffs first-hour-free example:
    # "As no VAT information is given, it is not possible to calculate total costs including VAT"),
    # unless it billed nothing.
    if any(line.amount_incl_vat is None and line.amount_excl_vat != 0 for line in lines):
        return excl, None
    return excl, sum((line.amount_incl_vat or Decimal(0) for line in lines), start=Decimal(0))


def _dimension_cost(lines: Sequence[PricedLine], dimension: Dimension) -> Price | None:
    chosen = [line for line in lines if line.dimension is dimension]
    return money(*_sums(chosen)) if chosen else None


def _bounded_total(tariff: Tariff, lines: Sequence[PricedLine]) -> tuple[Price, str | None]:
    """The total within min_price / max_price; each bound applies to excl. and incl. VAT on its own
    (mod_tariffs §11.3.1 notes), and only where the tariff gives that side of the bound."""
    excl, incl = _sums(lines)
    limited_by = None
    limits = (("min_price", tariff.min_price, Decimal.__lt__), ("max_price", tariff.max_price, Decimal.__gt__))
    for name, bound, outside in limits:
        if bound is None:
            continue
        if outside(excl, bound.excl_vat):
            excl, limited_by = bound.excl_vat, name
        if incl is not None and bound.incl_vat is not None and outside(incl, bound.incl_vat):
            incl, limited_by = bound.incl_vat, name
    return money(excl, incl), limited_by


def _signature(index: int, states: Sequence[State], choices: dict[Dimension, list[Choice | None]]) -> tuple:
    piece = states[index].piece
    return (piece.source, piece.charging, *(choices[d][index] for d in VOLUME_DIMENSIONS))


def _output_periods(
    tariff_id: str, states: Sequence[State], choices: dict[Dimension, list[Choice | None]]
) -> list[ChargingPeriod]:
    """Adjacent slices of one input period with the same components merge back into one period."""
    merged: list[Slice] = []
    for index, state in enumerate(states):
        piece = state.piece
        if merged and index and _signature(index, states, choices) == _signature(index - 1, states, choices):
            last = merged[-1]
            merged[-1] = replace(last, end=piece.end, energy=last.energy + piece.energy)
        else:
            merged.append(piece)
    return [_period(tariff_id, piece) for piece in merged]


def _period(tariff_id: str, piece: Slice) -> ChargingPeriod:
    time_kind = CdrDimensionType.TIME if piece.charging else CdrDimensionType.PARKING_TIME
    dimensions = [
        CdrDimension(type=CdrDimensionType.ENERGY, volume=piece.energy),
        CdrDimension(type=time_kind, volume=_hours(piece.seconds)),
        *piece.readings,
    ]
    return ChargingPeriod(start_date_time=piece.start, dimensions=dimensions, tariff_id=tariff_id)
