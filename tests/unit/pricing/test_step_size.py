"""step_size (mod_tariffs §11.4.2): TIME and PARKING_TIME steps are seconds, ENERGY steps Wh. OCPI 2.2.1
mod_cdrs "step_size": it "SHALL only be taken into account once per session for [...] ENERGY and once
for PARKING_TIME and TIME combined": the session's ENERGY volume is rounded up once, with the last
ENERGY component's step; of TIME and PARKING_TIME only the dimension that is billed last in the session
is rounded (its session volume, with its last component's step), the other is billed exactly."""

from __future__ import annotations

import pytest

from tests.unit.pricing.helpers import at, charging, component, costs, d, element, parking, price, tariff


def test_time_is_rounded_up_to_the_step_in_seconds():
    # Given TIME 2.00/h billed per 15 minutes (900 s)
    rates = tariff(element(component("TIME", "2.00", step_size=900)))
    # When charging 16 minutes
    priced = price(rates, charging(at("10:00"), kwh=3, minutes=16))
    # Then 30 minutes are billed: 0.5 h × 2.00 = 1.00
    assert costs(priced) == (d("1.00"), None)
    assert priced.lines[0].billed == d("0.5")


@pytest.mark.parametrize(
    ("step", "billed_kwh", "amount"),
    # the spec's note: 115.2 Wh at 0.25/kWh → step 1: 116 Wh = 0.029; step 25: 125 Wh = 0.03125;
    # step 500: 500 Wh = 0.125 (exact amounts; the totals round them to cents)
    [(1, "0.116", "0.029"), (25, "0.125", "0.03125"), (500, "0.5", "0.125")],
)
def test_energy_is_rounded_up_to_the_step_in_wh(step, billed_kwh, amount):
    rates = tariff(element(component("ENERGY", "0.25", step_size=step)))
    priced = price(rates, charging(at("10:00"), kwh="0.1152", minutes=5))
    assert priced.lines[0].billed == d(billed_kwh)
    assert priced.lines[0].amount_excl_vat == d(amount)
    assert priced.total_energy == d("0.1152")  # the consumed energy, not the billed


def test_parking_is_rounded_up_to_the_step():
    # Given PARKING_TIME 6.00/h per 5 minutes; parked 8 minutes (the spec's example)
    rates = tariff(element(component("PARKING_TIME", "6.00", step_size=300)))
    priced = price(rates, charging(at("10:00"), kwh=5, minutes=30), parking(at("10:30"), 8))
    # Then 10 minutes billed: 10/60 × 6.00 = 1.00
    assert costs(priced) == (d("1.00"), None)


def test_charging_followed_by_parking_bills_the_charging_minutes_exactly():
    # Given, as mod_cdrs "step_size" (2.2.1 and v2.2.1-d2), step_size 5 minutes for both charging and parking
    rates = tariff(
        element(component("TIME", "3.00", step_size=300), component("PARKING_TIME", "6.00", step_size=300))
    )
    # When charging 21 minutes, then connected 7 more minutes
    priced = price(rates, charging(at("10:00"), kwh=5, minutes=21), parking(at("10:21"), 7))
    # Then "the cost of charging will be calculated based on 21 minutes (not 25)" and parking on 10 minutes:
    # 21/60 × 3.00 = 1.05 + 10/60 × 6.00 = 1.00 → 2.05
    assert costs(priced) == (d("2.05"), None)
    assert [line.billed * 60 for line in priced.lines] == [d("21"), d("10")]


def test_time_and_parking_in_separate_elements_round_only_the_parking():
    # Given charging 2.00/h and parking 1.00/h, both per 5 minutes, in separate elements
    rates = tariff(
        element(component("TIME", "2.00", step_size=300)),
        element(component("PARKING_TIME", "1.00", step_size=300)),
    )
    # When charging 7 minutes, then parked 3
    priced = price(rates, charging(at("10:00"), kwh=2, minutes=7), parking(at("10:07"), 3))
    # Then the step applies once, to the parking billed last: 7/60 × 2.00 = 0.2333 + 5/60 × 1.00 = 0.0833
    # → 0.32 (rounding the charging to 10 minutes too, as the engine did before, gave 0.42)
    assert costs(priced) == (d("0.32"), None)


def test_energy_is_rounded_once_per_session_even_across_an_element_without_energy():
    # Given ENERGY 0.20/kWh per 1 kWh except from 17:00 to 18:00, when no element prices energy
    rates = tariff(
        element(component("ENERGY", "0.20", step_size=1000), start_time="00:00", end_time="17:00"),
        element(component("TIME", "0.00"), start_time="17:00", end_time="18:00"),
        element(component("ENERGY", "0.20", step_size=1000), start_time="18:00", end_time="00:00"),
    )
    # When 0.5 kWh are charged in each hour from 16:00 to 19:00
    priced = price(rates, charging(at("16:00"), kwh="1.5", minutes=180))
    # Then the 1 kWh billable is rounded once (mod_cdrs: once per session for ENERGY): 1 kWh × 0.20 = 0.20,
    # not 0.5 → 1 kWh before 17:00 and again after 18:00 (0.40)
    assert costs(priced) == (d("0.20"), None)


def test_a_run_that_ends_because_the_next_element_lacks_the_dimension_is_rounded_there():
    # Given parking 1.00/h per 15 min before 17:00 and an element after 17:00 without parking
    rates = tariff(
        element(component("TIME", "2.00", step_size=60), component("PARKING_TIME", "1.00", step_size=900),
                start_time="00:00", end_time="17:00"),
        element(component("TIME", "2.00", step_size=60), start_time="17:00", end_time="00:00"),
    )
    # When charging 16:20-16:50, parked 16:50-17:10
    priced = price(rates, charging(at("16:20"), kwh=5, minutes=30), parking(at("16:50"), 20))
    # Then TIME 0.5 h × 2.00 = 1.00; parking: 10 min before 17:00 round to 15 = 0.25; after 17:00 free
    assert costs(priced) == (d("1.25"), None)


def test_a_charging_run_is_not_interrupted_by_parking_under_the_same_component():
    # Given TIME 6.00/h per 15 minutes and no parking price
    rates = tariff(element(component("TIME", "6.00", step_size=900)))
    # When charging 5 min, parked 10, charging 5 again
    priced = price(
        rates,
        charging(at("10:00"), kwh=1, minutes=5),
        parking(at("10:05"), 10),
        charging(at("10:15"), kwh=1, minutes=5),
    )
    # Then the 10 charging minutes are one run, rounded once to 15: 0.25 h × 6.00 = 1.50 (not 2 × 15 min)
    assert costs(priced) == (d("1.50"), None)


def test_step_size_zero_bills_the_exact_volume():
    rates = tariff(element(component("TIME", "6.00", step_size=0)))
    # When charging 61 s / Then 61/3600 × 6.00 = 0.10166… → 0.10
    priced = price(rates, charging(at("10:00"), kwh=1, minutes=61 / 60))
    assert costs(priced) == (d("0.10"), None)
