"""Which price component bills each slice, and how much each bills after step_size.

Per dimension the first TariffElement holding a component of that dimension whose restrictions hold
applies (mod_tariffs §11.3.1); a dimension no element prices costs nothing there. step_size is
applied once per session for ENERGY and once for TIME and PARKING_TIME combined (OCPI 2.2.1 mod_cdrs
"step_size", read as its v2.2.1-d2 errata do; ``bill_volumes``).
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


def bill_exactly(
    dimension: Dimension, states: Sequence[State], choices: Sequence[Choice | None], ledger: Ledger
) -> tuple[int, Choice] | None:
    """Add each slice's volume of ``dimension`` to ``ledger`` as billed, unrounded; returns the last
    slice a component of the dimension priced, with that component (None when none did)."""
    last = None
    for index, state in enumerate(states):
        consumed, choice = volume(state, dimension), choices[index]
        if consumed == 0 or choice is None:
            continue
        ledger.add(dimension, choice, consumed, consumed)
        last = (index, choice)
    return last


def round_up_once(dimension: Dimension, choice: Choice, ledger: Ledger) -> None:
    """The session's billed volume of ``dimension`` rounded up to ``choice``'s step; it bills the extra.

    The whole session's volume, across elements, so the step of an element left earlier is not used
    (mod_cdrs "step_size": charging before and after 17:00, 25 + 10 minutes, last step 15 minutes → 45
    minutes billed, 20 of them after 17:00).
    """
    billed = ledger.billed.items()
    total = sum((volume for (kind, _), volume in billed if kind is dimension), start=Decimal(0))
    extra = _round_up(total, choice.component.step_size) - total
    if extra:
        ledger.add(dimension, choice, Decimal(0), extra)


def bill_volumes(
    states: Sequence[State], choices: dict[Dimension, list[Choice | None]], ledger: Ledger
) -> None:
    """ENERGY, TIME and PARKING_TIME billed with step_size applied as OCPI 2.2.1 mod_cdrs "step_size"
    says: "only [...] once per session for [...] ENERGY and once for PARKING_TIME and TIME combined".

    ENERGY: the session's volume, rounded with the step of the component that priced energy last.
    TIME and PARKING_TIME: only the one billed last in the session is rounded, its session volume with
    the step of the component that priced it last; the other is billed exactly ("After 21 minutes of
    charging, the EV is full but remains connected for 7 more minutes. The cost of charging will be
    calculated based on 21 minutes (not 25). The cost of parking will be calculated based on 10
    minutes"). The v2.2.1-d2 examples read it so (step_size example #1: 5 + 5 charging minutes exact,
    the 2 parking minutes rounded to 15), as the maintainers answered ("The step_size rounds only the
    last time based TariffDimension", ocpi/ocpi#289; #396, #423); the 2.2.1 step_size examples round
    charging + parking together instead, which contradicts that mod_cdrs example (28 → 30 minutes, not
    21 + 10).
    """
    energy = bill_exactly(Dimension.ENERGY, states, choices[Dimension.ENERGY], ledger)
    if energy is not None:
        round_up_once(Dimension.ENERGY, energy[1], ledger)
    times = [
        (last[0], dimension, last[1])
        for dimension in (Dimension.TIME, Dimension.PARKING_TIME)
        if (last := bill_exactly(dimension, states, choices[dimension], ledger)) is not None
    ]
    if times:  # a slice is charging or parked, so the two never end on the same slice
        _, dimension, choice = max(times, key=lambda last: last[0])
        round_up_once(dimension, choice, ledger)


def flat_choice(tariff: Tariff, states: Sequence[State]) -> Choice | None:
    """FLAT is billed once per session: the first FLAT component that applies, in time order."""
    for state in states:
        choice = choose(tariff, Dimension.FLAT, state)
        if choice is not None:
            return choice
    return None
