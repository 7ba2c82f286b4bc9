"""Charging periods from energy readings: the semantics the pricing engine relies on."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from mobie_hub.core.models import dump_ocpi
from mobie_hub.sessions.periods import MeterState, MeterWentBackwards, apply_readings, charging_periods

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def dumped(meter: MeterState) -> list[dict]:
    return [dump_ocpi(p) for p in charging_periods(meter)]


def test_charging_then_flat_energy_makes_a_time_period_then_a_parking_period():
    # Given a session started at 1000 Wh
    meter = MeterState.starting(Decimal(1000), T0)
    # When the register rises for 30 min, rises again, then stays flat for 15 min
    meter = apply_readings(meter, [(Decimal(4000), at(15)), (Decimal(7000), at(30)), (Decimal(7000), at(45))])
    # Then two consecutive periods: 6 kWh over 0.5 h charging, then 0.25 h parking with no energy
    assert dumped(meter) == [
        {"start_date_time": "2026-11-23T09:00:00Z",
         "dimensions": [{"type": "ENERGY", "volume": 6}, {"type": "TIME", "volume": 0.5}]},
        {"start_date_time": "2026-11-23T09:30:00Z",
         "dimensions": [{"type": "ENERGY", "volume": 0}, {"type": "PARKING_TIME", "volume": 0.25}]},
    ]
    assert meter.kwh == Decimal(6)


def test_charging_again_after_parking_opens_a_new_time_period():
    meter = apply_readings(
        MeterState.starting(Decimal(0), T0),
        [(Decimal(500), at(6)), (Decimal(500), at(12)), (Decimal(1500), at(18))],
    )
    kinds = [(p.start, p.charging) for p in meter.periods]
    assert kinds == [(T0, True), (at(6), False), (at(12), True)]
    assert dumped(meter)[2]["dimensions"] == [{"type": "ENERGY", "volume": 1}, {"type": "TIME", "volume": 0.1}]


def test_readings_are_applied_in_time_order_and_an_older_late_one_is_ignored():
    meter = apply_readings(MeterState.starting(Decimal(0), T0), [(Decimal(2000), at(20)), (Decimal(1000), at(10))])
    assert meter.last_wh == Decimal(2000) and len(meter.periods) == 1
    late = apply_readings(meter, [(Decimal(1500), at(15))])
    assert late == meter


def test_energy_reported_at_the_instant_of_the_last_reading_joins_the_running_period():
    meter = apply_readings(MeterState.starting(Decimal(0), T0), [(Decimal(1000), at(60)), (Decimal(1200), at(60))])
    assert dumped(meter) == [
        {"start_date_time": "2026-11-23T09:00:00Z",
         "dimensions": [{"type": "ENERGY", "volume": 1.2}, {"type": "TIME", "volume": 1}]},
    ]


def test_a_register_going_backwards_is_an_error():
    meter = apply_readings(MeterState.starting(Decimal(5000), T0), [(Decimal(6000), at(10))])
    with pytest.raises(MeterWentBackwards):
        apply_readings(meter, [(Decimal(5999), at(20))])


def test_hours_are_rounded_to_microhours_and_kwh_kept_exact():
    meter = apply_readings(MeterState.starting(Decimal(0), T0), [(Decimal("333.3"), T0 + timedelta(seconds=100))])
    [period] = dumped(meter)
    assert period["dimensions"] == [{"type": "ENERGY", "volume": 0.3333}, {"type": "TIME", "volume": 0.027778}]
