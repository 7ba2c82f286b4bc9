"""What the pricing engine returns: the priced session and its lines, and the one rounding rule."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from mobie_hub.core.models import ChargingPeriod, Price
from mobie_hub.tariffs.models import TariffDimensionType

CENT = Decimal("0.01")


def round_money(amount: Decimal) -> Decimal:
    """Money is computed exactly and rounded once, here, to cents, half up (0.125 → 0.13).

    Half up, not banker's rounding: it is how invoices are rounded in Portugal and how the OCPI 2.2.1
    examples round (mod_tariffs, 20.45 kWh at 0.25: 5.125 → "Energy costs: 5.13 euro"); the v2.2.1-d2
    errata leave rounding to law and contract ("The OCPI specification stays out of these matters").
    """
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money(excl_vat: Decimal, incl_vat: Decimal | None) -> Price:
    """A Price from exact amounts, both rounded by ``round_money``."""
    return Price(
        excl_vat=round_money(excl_vat), incl_vat=None if incl_vat is None else round_money(incl_vat)
    )


@dataclass(frozen=True)
class PricedLine:
    """What one price component billed: one per (dimension, tariff element) the session used.

    ``consumed`` is the volume that fell under this element and ``billed`` the volume charged for,
    after step_size (the component that priced the dimension last bills the rounding, see
    docs/pricing.md), both in OCPI units: kWh for ENERGY, hours for TIME and PARKING_TIME, 1 for FLAT.
    ``amount_excl_vat`` = ``billed`` × ``unit_price``, exact (unrounded); ``amount_incl_vat`` adds
    ``vat`` percent and is None when the component gives no VAT (mod_tariffs §11.4.2).
    """

    dimension: TariffDimensionType
    element_index: int
    unit_price: Decimal
    vat: Decimal | None
    consumed: Decimal
    billed: Decimal
    amount_excl_vat: Decimal
    amount_incl_vat: Decimal | None


@dataclass(frozen=True)
class PricedSession:
    """A session priced with one Tariff (OCPI 2.2.1 mod_cdrs §10.3.1 totals).

    Costs are rounded to cents (``round_money``); the per-dimension costs are None when no component
    of that dimension applied. ``limited_by`` names the tariff limit that set ``total_cost``, if any;
    the per-dimension costs are what the components cost before that limit.
    """

    tariff_id: str
    charging_periods: list[ChargingPeriod]
    lines: list[PricedLine]
    total_cost: Price
    total_fixed_cost: Price | None
    total_energy_cost: Price | None
    total_time_cost: Price | None
    total_parking_cost: Price | None
    total_energy: Decimal
    total_time: Decimal
    total_parking_time: Decimal
    limited_by: Literal["min_price", "max_price"] | None = None
