"""Which price component bills each slice, and how much each bills after step_size.

Per dimension the first TariffElement holding a component of that dimension whose restrictions hold
applies (mod_tariffs §11.3.1); a dimension no element prices costs nothing there. step_size
(§11.4.2 note) counts only for the last element of a dimension and when the next element lacks the
dimension: so a *run* is a stretch of the session in which some component prices the dimension, and
at its end the run's whole volume is rounded up to the step_size of the component that priced its
last slice, which bills the difference (the spec's step_size examples: 25 + 10 charging minutes,
last step 15 minutes → 45 minutes billed, 25 before the switch and 20 after).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from mobie_hub.pricing.restrictions import State, holds
from mobie_hub.pricing.result import PricedLine
from mobie_hub.tariffs.models import PriceComponent, Tariff, TariffDimensionType

Dimension = TariffDimensionType
# step_size units in one OCPI unit: ENERGY steps are Wh of kWh, TIME/PARKING_TIME steps seconds of hours.
STEP_UNITS = {
    Dimension.ENERGY: Decimal(1000),
    Dimension.TIME: Decimal(3600),
    Dimension.PARKING_TIME: Decimal(3600),
}
VOLUME_DIMENSIONS = (Dimension.ENERGY, Dimension.TIME, Dimension.PARKING_TIME)


@dataclass(frozen=True)
class Choice:
    element_index: int
    component: PriceComponent


def choose(tariff: Tariff, dimension: Dimension, state: State) -> Choice | None:
    """The component of the first element with ``dimension`` whose restrictions hold at ``state``."""
    for index, element in enumerate(tariff.elements):
        component = next((c for c in element.price_components if c.type is dimension), None)
        if component is not None and holds(element.restrictions, state):
            return Choice(index, component)
    return None


def volume(state: State, dimension: Dimension) -> Decimal:
    """The slice's volume of ``dimension`` in step_size units (Wh, seconds)."""
    piece = state.piece
    if dimension is Dimension.ENERGY:
        return piece.energy * STEP_UNITS[Dimension.ENERGY]
    return piece.seconds if piece.charging == (dimension is Dimension.TIME) else Decimal(0)


@dataclass
class Ledger:
    """Volumes in step_size units per (dimension, element index), in order of first use."""

    components: dict[tuple[Dimension, int], PriceComponent] = field(default_factory=dict)
    consumed: dict[tuple[Dimension, int], Decimal] = field(default_factory=dict)
    billed: dict[tuple[Dimension, int], Decimal] = field(default_factory=dict)

    def add(self, dimension: Dimension, choice: Choice, consumed: Decimal, billed: Decimal) -> None:
        key = (dimension, choice.element_index)
        self.components[key] = choice.component
        self.consumed[key] = self.consumed.get(key, Decimal(0)) + consumed
        self.billed[key] = self.billed.get(key, Decimal(0)) + billed

    def lines(self) -> list[PricedLine]:
        return [
            _line(key, self.components[key], self.consumed[key], self.billed[key]) for key in self.components
        ]


def _line(
    key: tuple[Dimension, int], component: PriceComponent, consumed: Decimal, billed: Decimal
) -> PricedLine:
    dimension, index = key
    unit = STEP_UNITS.get(dimension, Decimal(1))
    amount = billed * component.price / unit
    incl = None if component.vat is None else amount * (1 + component.vat / 100)
    return PricedLine(
        dimension, index, component.price, component.vat, consumed / unit, billed / unit, amount, incl
    )


def _round_up(total: Decimal, step: int) -> Decimal:
    if step <= 0 or total <= 0:
        return total
    return (total / step).to_integral_value(rounding=ROUND_CEILING) * step


def bill_dimension(
    dimension: Dimension,
    states: Sequence[State],
    choices: Sequence[Choice | None],
    ledger: Ledger,
    waived: Sequence[Decimal] | None = None,
) -> list[tuple[int, Decimal]]:
    """Add the dimension's volumes to ``ledger``, runs rounded; returns (last slice, extra) per run."""
    runs: list[tuple[int, Decimal]] = []
    run_total, last = Decimal(0), None

    def close() -> None:
        nonlocal run_total, last
        if last is not None:
            extra = _round_up(run_total, choices[last].component.step_size) - run_total
            if extra:
                ledger.add(dimension, choices[last], Decimal(0), extra)
            runs.append((last, extra))
        run_total, last = Decimal(0), None

    for index, state in enumerate(states):
        consumed = volume(state, dimension)
        choice = choices[index]
        if consumed == 0:
            continue
        billable = consumed - (waived[index] if waived else Decimal(0))
        if choice is None:
            close()
            continue
        ledger.add(dimension, choice, consumed, billable)
        if billable > 0:
            run_total += billable
            last = index
    close()
    return runs


def waivers_after(
    runs: list[tuple[int, Decimal]],
    states: Sequence[State],
    time_choices: Sequence[Choice | None],
    parking_choices: Sequence[Choice | None],
) -> list[Decimal]:
    """Parking seconds already billed as charging time, per slice.

    A TIME run rounded up by step_size bills minutes after charging stopped. When the same element
    prices the parking right after it, those minutes are not billed twice (mod_tariffs §11.4.2,
    step_size example #1: "the 2 minutes parking time is within the extra 5 minutes of charging
    billed because of the step_size"). Parking priced by another element is billed in full, as the
    complex tariff example does (147 → 150 charging minutes, and still 45 parking minutes).
    """
    waived = [Decimal(0)] * len(states)
    for last, extra in runs:
        element = time_choices[last].element_index if time_choices[last] else None
        index = last + 1
        while extra > 0 and index < len(states) and not states[index].piece.charging:
            parking = parking_choices[index]
            if parking is None or parking.element_index != element:
                break
            waived[index] = min(extra, states[index].piece.seconds)
            extra -= waived[index]
            index += 1
    return waived


def flat_choice(tariff: Tariff, states: Sequence[State]) -> Choice | None:
    """FLAT is billed once per session: the first FLAT component that applies, in time order."""
    for state in states:
        choice = choose(tariff, Dimension.FLAT, state)
        if choice is not None:
            return choice
    return None
