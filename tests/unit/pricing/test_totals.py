"""Totals: VAT per component, min_price / max_price on each side of VAT, rounding once at the end,
the session totals, and the input the engine refuses with a typed error."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from mobie_hub.core.errors import HubError
from mobie_hub.core.models import ChargingPeriod
from mobie_hub.pricing import InvalidChargingPeriods, UnknownTimeZone, price_session
from tests.unit.pricing.helpers import (
    LISBON,
    at,
    charging,
    component,
    costs,
    d,
    element,
    parking,
    periods_of,
    price,
    tariff,
)


def test_vat_is_applied_per_component():
    # Given FLAT 1.00 at 23% VAT and ENERGY 0.20/kWh at 6%
    rates = tariff(element(component("FLAT", "1.00", vat=23), component("ENERGY", "0.20", vat=6)))
    # When 10 kWh are charged
    priced = price(rates, charging(at("10:00"), kwh=10, minutes=60))
    # Then excl. 1.00 + 2.00 = 3.00; incl. 1.23 + 2.12 = 3.35
    assert costs(priced) == (d("3.00"), d("3.35"))
    assert priced.total_fixed_cost.incl_vat == d("1.23") and priced.total_energy_cost.incl_vat == d("2.12")


def test_a_billing_component_without_vat_leaves_the_price_incl_vat_unknown():
    rates = tariff(element(component("FLAT", "1.00", vat=23), component("ENERGY", "0.20")))
    priced = price(rates, charging(at("10:00"), kwh=10, minutes=60))
    assert costs(priced) == (d("3.00"), None)


def test_min_price_applies_to_each_side_of_vat_on_its_own():
    # Given ENERGY 0.25/kWh at 23%, min_price 1.00 excl. / 1.30 incl.
    minimum = {"excl_vat": 1.00, "incl_vat": 1.30}
    rates = tariff(element(component("ENERGY", "0.25", vat=23)), min_price=minimum)
    # When 4 kWh: excl. 1.00 (not below), incl. 1.23 (below 1.30)
    priced = price(rates, charging(at("10:00"), kwh=4, minutes=30))
    # Then 1.00 / 1.30 (mod_tariffs §11.3.1 note: "they both apply")
    assert costs(priced) == (d("1.00"), d("1.30"))
    assert priced.limited_by == "min_price"


def test_max_price_caps_the_total_but_not_the_dimension_costs():
    # Given ENERGY 0.50/kWh at 23%, max_price 10.00 excl. (no incl. given)
    rates = tariff(element(component("ENERGY", "0.50", vat=23)), max_price={"excl_vat": 10.00})
    # When 30 kWh: 15.00 excl., 18.45 incl.
    priced = price(rates, charging(at("10:00"), kwh=30, minutes=60))
    # Then excl. capped at 10.00; incl. has no bound given, so stays 18.45; the energy cost shows 15.00
    assert costs(priced) == (d("10.00"), d("18.45"))
    assert priced.total_energy_cost.excl_vat == d("15.00")
    assert priced.limited_by == "max_price"


def test_money_is_rounded_once_at_the_end_half_up():
    # Given FLAT 0.0025 and ENERGY 0.125/kWh
    rates = tariff(element(component("FLAT", "0.0025"), component("ENERGY", "0.125")))
    # When 0.1 kWh: 0.0025 + 0.0125 = 0.015 → 0.02 (half up); rounding each first would give 0.00 + 0.01
    priced = price(rates, charging(at("10:00"), kwh="0.1", minutes=5))
    assert priced.total_cost.excl_vat == d("0.02")
    assert priced.total_fixed_cost.excl_vat == d("0.00") and priced.total_energy_cost.excl_vat == d("0.01")


def test_session_totals():
    rates = tariff(element(component("ENERGY", "0.30")))
    priced = price(rates, charging(at("10:00"), kwh="12.345", minutes=45), parking(at("10:45"), 15))
    # Then total_time is the whole session (1 h), total_parking_time the parked part (0.25 h)
    totals = (priced.total_energy, priced.total_time, priced.total_parking_time)
    assert totals == (d("12.345"), d("1"), d("0.25"))


def test_a_session_without_periods_is_one_charging_period():
    rates = tariff(element(component("TIME", "2.00", step_size=60)))
    priced = price_session(rates, [], start=at("10:00"), end=at("10:30"), time_zone=LISBON)
    assert costs(priced) == (d("1.00"), None)
    assert len(priced.charging_periods) == 1 and priced.total_energy == 0


def _invalid(periods: list[ChargingPeriod], start: datetime, end: datetime, time_zone: str = LISBON):
    with pytest.raises(HubError) as raised:
        rates = tariff(element(component("ENERGY", "0.30")))
        price_session(rates, periods, start=start, end=end, time_zone=time_zone)
    return raised.value


def test_invalid_input_raises_typed_errors():
    periods, end = periods_of(
        charging(at("10:00"), kwh=1, minutes=30), charging(at("10:30"), kwh=1, minutes=30)
    )
    start = at("10:00")
    # periods out of order
    assert isinstance(_invalid(periods[::-1], start, end), InvalidChargingPeriods)
    # end before start
    assert isinstance(_invalid(periods, end, start), InvalidChargingPeriods)
    # a period before the session starts, or after it ends
    assert isinstance(_invalid(periods, at("10:15"), end), InvalidChargingPeriods)
    assert isinstance(_invalid(periods, start, at("10:20")), InvalidChargingPeriods)
    # a naive datetime
    assert isinstance(_invalid(periods, start.replace(tzinfo=None), end), InvalidChargingPeriods)
    # an unknown time zone
    assert isinstance(_invalid(periods, start, end, "Europe/Atlantis"), UnknownTimeZone)


def test_a_period_both_charging_and_parking_is_refused():
    period = ChargingPeriod.model_validate(
        {"start_date_time": at("10:00"), "dimensions": [
            {"type": "TIME", "volume": 0.5}, {"type": "PARKING_TIME", "volume": 0.5}]}
    )
    assert isinstance(_invalid([period], at("10:00"), at("11:00")), InvalidChargingPeriods)


def test_negative_energy_is_refused():
    period = ChargingPeriod.model_validate(
        {"start_date_time": at("10:00"), "dimensions": [{"type": "ENERGY", "volume": -1}]}
    )
    assert isinstance(_invalid([period], at("10:00"), at("11:00")), InvalidChargingPeriods)


def test_the_output_periods_keep_the_input_when_nothing_changes():
    # Given a tariff without restrictions and two input periods
    rates = tariff(element(component("ENERGY", "0.30")))
    periods, end = periods_of(charging(at("23:00"), kwh=2, minutes=90), parking(at("2026-01-06 00:30"), 30))
    priced = price_session(rates, periods, start=at("23:00"), end=end, time_zone=LISBON)
    # Then the periods come back as they were (the midnight cut merges back), with the tariff id
    assert [(p.start_date_time, p.dimensions) for p in priced.charging_periods] == [
        (p.start_date_time, p.dimensions) for p in periods
    ]
    assert all(p.tariff_id == "T1" for p in priced.charging_periods)
    assert priced.charging_periods[0].dimensions[1].volume == Decimal("1.5")
