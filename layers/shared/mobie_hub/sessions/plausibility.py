"""Is a meter reading possible? (issue 12: a station reported 2,000,000 kWh for a short charge.)

A reading is implausible — its session becomes INVALID, is never billed, and the operator is alarmed
(``ImplausibleMeterReadings``) — when:

| reason | rule |
|---|---|
| ``register_out_of_range`` | the energy register is negative or above ``REGISTER_CEILING_WH`` (meterStart included) |
| ``energy_above_power`` | energy since the start > max power x elapsed time x ``POWER_MARGIN`` + ``ROUNDING_ALLOWANCE_WH`` |
| ``transaction_too_long`` | the reading (or the stop) is more than ``Limits.max_duration`` after the start |
| ``meter_backwards`` | the register went down (``periods.MeterWentBackwards``) |

Times are the station's own (the start's and the reading's timestamps), so a station clock that is
off by a constant does not matter. The energy rule checks the average power since the start, not
between two readings: a register sampled a second late or reported in whole kWh cannot trip it.
Pure: values in, a finding out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

METRIC = "ImplausibleMeterReadings"  # counted per message that carried one; alarmed (infra monitoring)

# 10 %: a connector's rating is nominal; meters are class 1-2 (EN 50470-3, MID) and a car may draw
# slightly above the rating for a while.
POWER_MARGIN = Decimal("1.10")
# 1 kWh: a register reported in whole kWh (unit kWh, no decimals) is off by up to 1 kWh.
ROUNDING_ALLOWANCE_WH = Decimal(1000)
# 1 TWh: no connector delivers that in its life (350 kW for 30 years is 92 GWh); anything above is
# not a register, and it keeps every figure far inside DynamoDB's 38 digits.
REGISTER_CEILING_WH = Decimal(10**12)

@dataclass(frozen=True)
class Limits:
    """What a transaction may do: ``max_power_w`` stored at its start (None: unknown), and the
    longest it may last (``max_transaction_hours`` in the settings)."""

    max_power_w: int | None
    max_duration: timedelta


@dataclass(frozen=True)
class Implausible:
    """A reading that cannot be true: ``reason`` (a metric dimension: few values), ``detail`` (for
    people: the figures in words) and ``figures`` (for the log, as keys)."""

    reason: str
    detail: str
    figures: dict[str, str] = field(default_factory=dict)


def register_reading(wh: Decimal) -> Implausible | None:
    """A register value alone (meterStart, or any reading)."""
    if 0 <= wh <= REGISTER_CEILING_WH:
        return None
    return Implausible(
        "register_out_of_range", f"energy register {wh} Wh is outside 0..{REGISTER_CEILING_WH} Wh",
        {"register_wh": str(wh)},
    )


def allowed_wh(max_power_w: int, elapsed: timedelta) -> Decimal:
    """The most energy a connector of ``max_power_w`` can deliver in ``elapsed``, margins included."""
    hours = Decimal(str(max(elapsed.total_seconds(), 0))) / 3600
    return (Decimal(max_power_w) * hours * POWER_MARGIN + ROUNDING_ALLOWANCE_WH).quantize(Decimal(1))


def reading(
    limits: Limits, start_wh: Decimal, start_at: datetime, wh: Decimal, at: datetime
) -> Implausible | None:
    """A reading ``wh`` at ``at`` of a transaction that started at ``start_at`` with ``start_wh``."""
    out_of_range = register_reading(wh)
    if out_of_range is not None:
        return out_of_range
    elapsed = at - start_at
    if elapsed > limits.max_duration:
        return Implausible(
            "transaction_too_long",
            f"reading at {at.isoformat()} is {elapsed} after the start, more than {limits.max_duration}",
            {"elapsed_s": str(int(elapsed.total_seconds())),
             "max_s": str(int(limits.max_duration.total_seconds()))},
        )
    if limits.max_power_w is None:
        return None
    delivered, allowed = wh - start_wh, allowed_wh(limits.max_power_w, elapsed)
    if delivered <= allowed:
        return None
    return Implausible(
        "energy_above_power",
        f"register {wh} Wh at {at.isoformat()}: {delivered} Wh in {elapsed} since the start is more than"
        f" the {allowed} Wh a {limits.max_power_w} W connector can deliver",
        {"register_wh": str(wh), "delivered_wh": str(delivered), "allowed_wh": str(allowed),
         "elapsed_s": str(int(elapsed.total_seconds())), "max_power_w": str(limits.max_power_w)},
    )
