"""``mobie_cdr_extension`` from a priced session and the regulated rates (docs/mobie-extensions.md).

Lines are money rounded to cents (``round_money``) line by line, as on an invoice, and the totals
are their exact sums, so the extension adds up to the cent. The OPC's lines restate the pricing's
lines; ``OPC_ADJUSTMENT`` carries what they do not add up to of the OPC's ``total_cost``
(min_price / max_price, or a cent lost rounding line by line), so the OPC's part of the CDR is
exactly the priced total.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from mobie_hub.core.mobie import UNIT_OF_ITEM, BillingItem, BillingLine, MobieCdrExtension, Vat, VoltageLevel
from mobie_hub.core.models import Price
from mobie_hub.pricing.regulated import BillingRates, sub_usages
from mobie_hub.pricing.result import PricedLine, PricedSession, round_money
from mobie_hub.tariffs.models import TariffDimensionType

CURRENCY = "EUR"
_OPC_ITEM = {
    TariffDimensionType.FLAT: BillingItem.OPC_ACTIVATION,
    TariffDimensionType.ENERGY: BillingItem.OPC_ENERGY,
    TariffDimensionType.TIME: BillingItem.OPC_TIME,
    TariffDimensionType.PARKING_TIME: BillingItem.OPC_PARKING,
}
_QUANTITY = Decimal("0.000001")  # kWh, minutes
_UNIT_PRICE = Decimal("0.000001")  # a per-minute price from a per-hour one (2.00/h = 0.033333/min)
# The OCPI sub-totals each line adds to (docs/mobie-extensions.md); OPC_ADJUSTMENT is only in total_cost.
SUBTOTAL_ITEMS = (
    (BillingItem.OPC_ACTIVATION, BillingItem.EGME),
    (BillingItem.OPC_ENERGY, BillingItem.TAR, BillingItem.IEC),
    (BillingItem.OPC_TIME,),
    (BillingItem.OPC_PARKING,),
)


def _line(item: BillingItem, unit_price: Decimal, quantity: Decimal, amount: Decimal, **extra) -> BillingLine:
    return BillingLine(
        type=item,
        unit=UNIT_OF_ITEM[item],
        unit_price=unit_price.normalize(),
        quantity=quantity.quantize(_QUANTITY).normalize(),
        amount_excl_vat=round_money(amount),
        **extra,
    )


def _opc_line(priced: PricedLine) -> BillingLine:
    item = _OPC_ITEM[priced.dimension]
    if item in (BillingItem.OPC_TIME, BillingItem.OPC_PARKING):  # OCPI prices per hour, lines per minute
        unit_price = (priced.unit_price / 60).quantize(_UNIT_PRICE)
        return _line(item, unit_price, priced.billed * 60, priced.amount_excl_vat)
    return _line(item, priced.unit_price, priced.billed, priced.amount_excl_vat)


def opc_lines(priced: PricedSession) -> list[BillingLine]:
    """The OPC's lines: one per price component that billed something, then any adjustment."""
    lines = [_opc_line(line) for line in priced.lines if line.billed != 0]
    gap = priced.total_cost.excl_vat - sum((line.amount_excl_vat for line in lines), start=Decimal(0))
    if gap:
        lines.append(_line(BillingItem.OPC_ADJUSTMENT, gap, Decimal(1), gap))
    return lines


def extension_for(
    priced: PricedSession,
    *,
    opc_billed: bool,
    start: datetime,
    end: datetime,
    time_zone: str,
    voltage_level: VoltageLevel,
    rates: BillingRates,
) -> MobieCdrExtension:
    """The extension of a charge: OPC lines (if ``opc_billed``), EGME, TAR per period, IEC, VAT."""
    lines = opc_lines(priced) if opc_billed else []
    energy = priced.total_energy
    if energy > 0:  # the network manager's fee is per charge: a session that delivered nothing owes none
        fee = rates.egme_fee_per_session
        lines.append(_line(BillingItem.EGME, fee, Decimal(1), fee))
    usages = sub_usages(priced.charging_periods, start, end, time_zone, rates.tar)
    for period in dict.fromkeys(u.time_period for u in usages):
        kwh = sum((u.energy for u in usages if u.time_period is period), start=Decimal(0))
        if kwh > 0:
            rate = rates.tar.rate(voltage_level, period)
            lines.append(_line(BillingItem.TAR, rate, kwh, kwh * rate, time_period=period))
    # IEC is always itemised, also at 0 kWh, so that every extension has a line (mobie.py: lines 1..*).
    lines.append(_line(BillingItem.IEC, rates.iec_per_kwh, energy, energy * rates.iec_per_kwh))
    total = sum((line.amount_excl_vat for line in lines), start=Decimal(0))
    rate = rates.vat_rate(time_zone)
    vat = round_money(total * rate / 100)
    return MobieCdrExtension(
        lines=lines,
        sub_usages=usages,
        total_excl_vat=total,
        vat=Vat(rate=rate, amount=vat),
        total_incl_vat=total + vat,
    )


def subtotals(extension: MobieCdrExtension) -> list[Price]:
    """total_fixed_cost, total_energy_cost, total_time_cost, total_parking_cost (excl. VAT)."""
    return [
        Price(excl_vat=sum((l.amount_excl_vat for l in extension.lines if l.type in items), start=Decimal(0)))
        for items in SUBTOTAL_ITEMS
    ]
