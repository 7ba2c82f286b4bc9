"""Meter plausibility (issue 12): the rule alone, then as the lifecycle applies it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from mobie_hub.locations import power
from mobie_hub.locations.models import EVSE, Connector
from mobie_hub.sessions import lifecycle, plausibility
from mobie_hub.sessions.models import SessionStatus
from mobie_hub.sessions.plausibility import Limits
from tests.unit.sessions.test_lifecycle import LIMITS, T0, opened, start, stop

HOUR = timedelta(hours=1)


def connector(power_type: str, volts: int, amps: int, watts: int | None = None) -> Connector:
    return Connector.model_validate({
        "id": "1", "standard": "IEC_62196_T2", "format": "SOCKET", "power_type": power_type,
        "max_voltage": volts, "max_amperage": amps, "max_electric_power": watts,
        "last_updated": "2026-11-23T09:00:00Z",
    })


@pytest.mark.parametrize(("power_type", "volts", "amps", "watts", "expected"), [
    ("AC_3_PHASE", 230, 32, None, 22_080),  # line to neutral x amps x 3 phases (OCPI 2.2.1 §8.3.3)
    ("AC_1_PHASE", 230, 16, None, 3_680),
    ("AC_2_PHASE_SPLIT", 120, 40, None, 9_600),
    ("DC", 920, 163, 150_000, 150_000),  # the declared power when it is the larger
    ("AC_3_PHASE", 230, 32, 22, 22_080),  # a power typed in kW cannot make every session INVALID
])
def test_a_connectors_power_is_the_larger_of_its_declared_and_its_rated_power(power_type, volts, amps, watts, expected):
    assert power.connector_power_w(connector(power_type, volts, amps, watts)) == expected


def test_an_evse_can_deliver_what_its_strongest_connector_can_and_nothing_known_is_none():
    evse = EVSE.model_construct(connectors=[connector("AC_3_PHASE", 230, 32), connector("DC", 500, 100, 50_000)])
    assert power.evse_power_w(evse) == 50_000
    assert power.evse_power_w(EVSE.model_construct(connectors=[connector("DC", 0, 0)])) is None


def test_energy_up_to_power_times_time_with_10_percent_and_1_kwh_is_plausible_and_one_wh_more_is_not():
    # 22 kW for one hour: 22,000 Wh x 1.10 + 1,000 Wh
    assert plausibility.allowed_wh(22_000, HOUR) == Decimal(25_200)
    assert plausibility.reading(LIMITS, Decimal(1000), T0, Decimal(26_200), T0 + HOUR) is None
    found = plausibility.reading(LIMITS, Decimal(1000), T0, Decimal(26_201), T0 + HOUR)
    assert found.reason == "energy_above_power"
    assert found.figures == {
        "register_wh": "26201", "delivered_wh": "25201", "allowed_wh": "25200", "elapsed_s": "3600",
        "max_power_w": "22000",
    }


def test_the_attack_two_billion_wh_after_five_minutes_is_implausible():
    found = plausibility.reading(LIMITS, Decimal(0), T0, Decimal(2_000_000_000), T0 + timedelta(minutes=5))
    assert found.reason == "energy_above_power" and "2000000000 Wh" in found.detail


def test_a_reading_at_the_start_instant_may_carry_only_the_rounding_allowance():
    assert plausibility.reading(LIMITS, Decimal(0), T0, Decimal(1000), T0) is None
    assert plausibility.reading(LIMITS, Decimal(0), T0, Decimal(1001), T0).reason == "energy_above_power"


def test_a_transaction_longer_than_the_maximum_is_implausible_whatever_its_energy():
    limits = Limits(max_power_w=None, max_duration=timedelta(hours=48))
    assert plausibility.reading(limits, Decimal(0), T0, Decimal(0), T0 + timedelta(hours=48)) is None
    found = plausibility.reading(limits, Decimal(0), T0, Decimal(0), T0 + timedelta(hours=48, seconds=1))
    assert found.reason == "transaction_too_long" and found.figures["max_s"] == "172800"


def test_an_unknown_power_skips_only_the_energy_rule():
    limits = Limits(max_power_w=None, max_duration=timedelta(hours=48))
    assert plausibility.reading(limits, Decimal(0), T0, Decimal(2_000_000_000), T0 + HOUR) is None
    assert plausibility.reading(limits, Decimal(0), T0, Decimal(-1), T0 + HOUR).reason == "register_out_of_range"


@pytest.mark.parametrize("wh", [-1, 10**12 + 1])
def test_a_register_below_zero_or_above_a_terawatt_hour_is_out_of_range(wh):
    assert plausibility.register_reading(Decimal(wh)).reason == "register_out_of_range"
    assert plausibility.register_reading(Decimal(10**12)) is None


# --- as the lifecycle applies it ------------------------------------------------------------------
def test_an_absurd_meter_start_makes_the_session_invalid_from_the_start():
    applied = lifecycle.started(start(meter_start=-5), "S1", ("PT", "MOB"), "C1")
    assert applied.record.status is SessionStatus.INVALID and applied.implausible.reason == "register_out_of_range"
    assert "-5 Wh" in applied.record.invalid_reason


def test_a_plausible_start_keeps_the_evses_power_and_finds_nothing():
    facts = start()
    applied = lifecycle.started(facts, "S1", ("PT", "MOB"), "C1")
    assert applied.implausible is None and applied.record.status is SessionStatus.ACTIVE


def test_an_implausible_reading_invalidates_at_once_and_is_left_out_with_those_after_it():
    # Given an active session at 1,000 Wh, When one MeterValues carries a plausible, an absurd and a
    # later reading
    readings = [(Decimal(4000), T0 + timedelta(minutes=15)), (Decimal(2_000_000_000), T0 + timedelta(minutes=20)),
                (Decimal(2_000_001_000), T0 + timedelta(minutes=25))]
    applied = lifecycle.metered(opened(), readings, T0 + timedelta(minutes=25), LIMITS)
    # Then the session is INVALID, keeps the plausible 3 kWh, and the finding is returned for the alarm
    assert applied.record.status is SessionStatus.INVALID and applied.record.session.kwh == Decimal(3)
    assert applied.implausible.reason == "energy_above_power"
    assert "2000000000" in applied.record.invalid_reason


def test_the_meter_going_backwards_is_an_implausible_reading_in_meter_values_and_in_the_stop():
    backwards = lifecycle.metered(opened(), [(Decimal(900), T0 + timedelta(minutes=5))], T0 + HOUR, LIMITS)
    assert backwards.implausible.reason == "meter_backwards" and backwards.record.status is SessionStatus.INVALID
    stopped = lifecycle.stopped(opened(), stop(500, minutes=30), [], LIMITS)
    assert stopped.implausible.reason == "meter_backwards" and stopped.record.status is SessionStatus.INVALID


def test_an_absurd_meter_stop_ends_the_session_invalid_with_the_last_plausible_energy():
    charged = lifecycle.metered(opened(), [(Decimal(5000), T0 + timedelta(minutes=30))], T0 + timedelta(minutes=30), LIMITS)
    applied = lifecycle.stopped(charged.record, stop(2_000_000_000, minutes=35), [], LIMITS)
    session = applied.record.session
    assert (session.status, session.kwh, session.end_date_time) == (
        SessionStatus.INVALID, Decimal(4), T0 + timedelta(minutes=35))
    assert applied.implausible.reason == "energy_above_power"


def test_an_absurd_reading_in_the_stops_transaction_data_is_caught_too():
    data = [(Decimal(2_000_000_000), T0 + timedelta(minutes=10))]
    applied = lifecycle.stopped(opened(), stop(3000, minutes=20), data, LIMITS)
    assert applied.implausible.reason == "energy_above_power" and applied.record.status is SessionStatus.INVALID


def test_a_stop_after_the_maximum_duration_is_invalid():
    applied = lifecycle.stopped(opened(), stop(2000, minutes=49 * 60), [], LIMITS)
    assert applied.implausible.reason == "transaction_too_long" and applied.record.status is SessionStatus.INVALID


def test_an_already_invalid_session_keeps_its_first_reason_and_still_reports_the_new_finding():
    blocked = opened(status="Blocked")
    applied = lifecycle.metered(blocked, [(Decimal(2_000_000_000), T0 + HOUR)], T0 + HOUR, LIMITS)
    assert "Blocked" in applied.record.invalid_reason and applied.implausible.reason == "energy_above_power"


def test_a_normal_charge_finds_nothing():
    charged = lifecycle.metered(opened(), [(Decimal(12_000), T0 + timedelta(minutes=30))], T0 + timedelta(minutes=30), LIMITS)
    applied = lifecycle.stopped(charged.record, stop(22_000, minutes=60), [], LIMITS)
    assert charged.implausible is None and applied.implausible is None
    assert applied.record.status is SessionStatus.COMPLETED and applied.record.session.kwh == Decimal(21)
