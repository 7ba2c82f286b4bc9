"""Restrictions (mod_tariffs §11.4.6): the first element of a dimension whose restrictions hold
applies, and the session's periods are cut where that changes. Lisbon is on UTC in January and on
UTC+1 in July."""

from __future__ import annotations

from decimal import Decimal

from tests.unit.pricing.helpers import at, charging, component, costs, d, element, parking, price, tariff


def _energy_by_time(start_time: str, end_time: str, inside: str, outside: str):
    return tariff(
        element(component("ENERGY", inside), start_time=start_time, end_time=end_time),
        element(component("ENERGY", outside)),
    )


def _volumes(priced, kind="ENERGY"):
    return [next(dim.volume for dim in p.dimensions if dim.type == kind) for p in priced.charging_periods]


def test_a_period_is_cut_where_the_time_of_day_element_changes():
    # Given 0.30/kWh from 08:00 to 22:00, else 0.20
    rates = _energy_by_time("08:00", "22:00", "0.30", "0.20")
    # When one period charges 3 kWh evenly from 21:00 to 22:30
    priced = price(rates, charging(at("21:00"), kwh=3, minutes=90))
    # Then it is cut at 22:00, the energy shared in proportion to time: 2 kWh × 0.30 + 1 kWh × 0.20 = 0.80
    assert costs(priced) == (d("0.80"), None)
    assert [p.start_date_time for p in priced.charging_periods] == [at("21:00"), at("22:00")]
    assert _volumes(priced) == [d("2"), d("1")]
    assert _volumes(priced, "TIME") == [d("1"), d("0.5")]
    assert {p.tariff_id for p in priced.charging_periods} == {"T1"}


def test_a_window_that_wraps_midnight_applies_on_both_sides_of_it():
    # Given off-peak 0.15/kWh from 22:00 to 07:00, else 0.30
    rates = _energy_by_time("22:00", "07:00", "0.15", "0.30")
    # When 11 kWh are charged evenly from 21:00 to 08:00
    priced = price(rates, charging(at("21:00"), kwh=11, minutes=660))
    # Then 1 kWh × 0.30 (21-22) + 9 kWh × 0.15 (22-07) + 1 kWh × 0.30 (07-08) = 1.95, in three periods
    assert costs(priced) == (d("1.95"), None)
    assert _volumes(priced) == [d("1"), d("9"), d("1")]


def test_time_restrictions_are_local_time_of_the_location():
    # Given off-peak from 22:00 local; in July Lisbon is UTC+1, so 22:00 local is 21:00 UTC
    rates = _energy_by_time("22:00", "07:00", "0.10", "0.30")
    # When 2 kWh are charged evenly from 20:30 to 21:30 UTC
    priced = price(rates, charging(at("2026-07-06 20:30"), kwh=2, minutes=60))
    # Then 1 kWh × 0.30 + 1 kWh × 0.10 = 0.40, cut at 21:00 UTC
    assert costs(priced) == (d("0.40"), None)
    assert priced.charging_periods[1].start_date_time == at("2026-07-06 21:00")


def test_the_same_session_in_the_azores_sees_other_boundaries():
    # Given the same tariff; the Azores are UTC-1 in January, so 22:00 local is 23:00 UTC
    rates = _energy_by_time("22:00", "07:00", "0.10", "0.30")
    # When 2 kWh from 21:00 to 23:00 UTC (20:00-22:00 local) / Then all before the off-peak: 0.60
    priced = price(rates, charging(at("21:00"), kwh=2, minutes=120), time_zone="Atlantic/Azores")
    assert costs(priced) == (d("0.60"), None)


def test_day_of_week_changes_at_local_midnight():
    # Given TIME 1.00/h at weekends, else 2.00/h
    rates = tariff(
        element(component("TIME", "1.00"), day_of_week=["SATURDAY", "SUNDAY"]),
        element(component("TIME", "2.00")),
    )
    # When charging from Friday 23:00 to Saturday 01:00
    priced = price(rates, charging(at("2026-01-09 23:00"), kwh=10, minutes=120))
    # Then 1 h × 2.00 + 1 h × 1.00 = 3.00
    assert costs(priced) == (d("3.00"), None)


def test_start_date_inclusive_end_date_exclusive():
    # Given 0.10/kWh from 2026-01-01 until 2026-01-06 (exclusive), else 0.30
    rates = tariff(
        element(component("ENERGY", "0.10"), start_date="2026-01-01", end_date="2026-01-06"),
        element(component("ENERGY", "0.30")),
    )
    # When 2 kWh are charged evenly across midnight into 2026-01-06
    priced = price(rates, charging(at("23:00"), kwh=2, minutes=120))
    # Then 1 kWh × 0.10 + 1 kWh × 0.30 = 0.40
    assert costs(priced) == (d("0.40"), None)


def test_min_and_max_kwh_cut_where_the_session_reaches_the_energy():
    # Given 0.40/kWh for the first 10 kWh (max_kwh exclusive), 0.20 from 10 kWh on (min_kwh inclusive)
    rates = tariff(
        element(component("ENERGY", "0.40"), max_kwh=10),
        element(component("ENERGY", "0.20"), min_kwh=10),
    )
    # When 30 kWh are charged evenly in one 60-minute period
    priced = price(rates, charging(at("10:00"), kwh=30, minutes=60))
    # Then 10 × 0.40 + 20 × 0.20 = 8.00; the period is cut at 10 kWh exactly, a third of the way in
    assert costs(priced) == (d("8.00"), None)
    assert _volumes(priced) == [d("10"), d("20")]
    assert priced.charging_periods[1].start_date_time == at("10:20")


def test_min_duration_inclusive_and_max_duration_exclusive():
    # Given charging time free for the first 30 min, 3.00/h from 30 min on
    rates = tariff(
        element(component("TIME", "0.00"), max_duration=1800),
        element(component("TIME", "3.00"), min_duration=1800),
    )
    # When charging 60 min
    priced = price(rates, charging(at("10:00"), kwh=10, minutes=60))
    # Then 0.5 h × 3.00 = 1.50; the second element starts at exactly 30 min
    assert costs(priced) == (d("1.50"), None)
    assert priced.charging_periods[1].start_date_time == at("10:30")


def test_power_restrictions_read_the_reported_power():
    # Given 0.20/kWh below 16 kW, 0.50 otherwise
    rates = tariff(element(component("ENERGY", "0.20"), max_power=16), element(component("ENERGY", "0.50")))
    # When the first period reports MAX_POWER 11 kW and the second 50 kW, 10 kWh each
    priced = price(
        rates,
        charging(at("10:00"), kwh=10, minutes=60, MAX_POWER=11),
        charging(at("11:00"), kwh=10, minutes=60, MAX_POWER=50),
    )
    # Then 10 × 0.20 + 10 × 0.50 = 7.00 (the average, 10 kW, is not used when the period reports power)
    assert costs(priced) == (d("7.00"), None)
    assert priced.charging_periods[0].dimensions[-1].type == "MAX_POWER"


def test_a_current_restriction_without_a_current_reading_does_not_hold():
    # Given TIME 1.00/h below 32 A, else 2.00/h
    rates = tariff(element(component("TIME", "1.00"), max_current=32), element(component("TIME", "2.00")))
    # When the period reports no current / Then the fallback applies: 1 h × 2.00
    assert costs(price(rates, charging(at("10:00"), kwh=10, minutes=60))) == (d("2.00"), None)
    # And with a current of 16 A the restricted element applies: 1 h × 1.00
    assert costs(price(rates, charging(at("10:00"), kwh=10, minutes=60, CURRENT=16))) == (d("1.00"), None)


def test_a_dimension_no_element_prices_costs_nothing():
    # Given a tariff with TIME only (mod_tariffs §11.3.1: no matching element → no costs for it)
    rates = tariff(element(component("TIME", "2.00", step_size=60)))
    # When charging 30 min then parked 30 min
    priced = price(rates, charging(at("10:00"), kwh=5, minutes=30), parking(at("10:30"), 30))
    # Then only the charging time: 0.5 × 2.00 = 1.00; energy and parking are free
    assert costs(priced) == (d("1.00"), None)
    assert priced.total_parking_cost is None and priced.total_energy_cost is None
    assert priced.total_parking_time == Decimal("0.5")


def test_flat_is_billed_once_even_when_the_session_crosses_elements():
    # Given a FLAT 1.00 in both a day and a night element
    rates = tariff(
        element(component("FLAT", "1.00"), component("ENERGY", "0.30"), start_time="08:00", end_time="22:00"),
        element(component("FLAT", "1.00"), component("ENERGY", "0.20")),
    )
    # When charging 2 kWh across 22:00
    priced = price(rates, charging(at("21:00"), kwh=2, minutes=120))
    # Then FLAT once: 1.00 + 1 × 0.30 + 1 × 0.20 = 1.50
    assert costs(priced) == (d("1.50"), None)
    assert [line.dimension for line in priced.lines].count("FLAT") == 1


def test_local_times_follow_the_clock_across_a_dst_change():
    # Given off-peak 0.15/kWh from 22:00 to 07:00 local, else 0.30; on 2026-03-29 Lisbon moves from
    # UTC to UTC+1 at 01:00 UTC, so 22:00 local on the 28th is 22:00 UTC but 07:00 on the 29th is 06:00 UTC
    rates = _energy_by_time("22:00", "07:00", "0.15", "0.30")
    # When 11 kWh are charged evenly (1 kWh/h) from 21:00 to 08:00 UTC
    priced = price(rates, charging(at("2026-03-28 21:00"), kwh=11, minutes=660))
    # Then 1 kWh × 0.30 + 8 kWh × 0.15 (22:00-06:00 UTC) + 2 kWh × 0.30 = 0.30 + 1.20 + 0.60 = 2.10
    assert costs(priced) == (d("2.10"), None)
    starts = [p.start_date_time for p in priced.charging_periods]
    assert starts == [at("2026-03-28 21:00"), at("2026-03-28 22:00"), at("2026-03-29 06:00")]


def test_a_window_inside_the_hour_the_clocks_go_back_is_billed_for_both_occurrences_only():
    # Given 6.00/h charging from 01:30 to 02:00 local, free otherwise; on 2026-10-25 Lisbon goes back from
    # UTC+1 to UTC at 01:00 UTC, so the local clock shows 01:30-02:00 twice: 00:30-01:00 and 01:30-02:00 UTC
    rates = tariff(
        element(component("TIME", "6.00"), start_time="01:30", end_time="02:00"),
        element(component("TIME", "0.00")),
    )
    # When charging from 00:00 to 03:00 UTC
    priced = price(rates, charging(at("2026-10-25 00:00"), kwh=3, minutes=180))
    # Then two half hours: 1 h × 6.00 = 6.00 (not 1.5 h from the first 01:30 to 02:00 WET: 9.00)
    assert costs(priced) == (d("6.00"), None)
    starts = [p.start_date_time for p in priced.charging_periods]
    assert starts == [at(f"2026-10-25 {t}") for t in ("00:00", "00:30", "01:00", "01:30", "02:00")]
