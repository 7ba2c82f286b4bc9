"""Meter values: OCPP 1.6 SampledValue defaults and the energy register reading."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from mobie_hub.ocpp.meter import energy_register_wh, sample_dict, samples_of


def test_samples_get_the_ocpp_defaults_and_the_latest_energy_register_wins_in_wh():
    samples = samples_of(
        [
            {"timestamp": "2026-11-23T10:00:00Z", "sampledValue": [{"value": "1000"}]},
            {
                "timestamp": "2026-11-23T10:05:00Z",
                "sampledValue": [
                    {"value": "1.5", "unit": "kWh", "measurand": "Energy.Active.Import.Register"},
                    {"value": "7000", "unit": "W", "measurand": "Power.Active.Import"},
                    {"value": "900", "phase": "L1"},
                ],
            },
        ]
    )

    assert samples[0].measurand == "Energy.Active.Import.Register"
    assert (samples[0].unit, samples[0].context, samples[0].location) == ("Wh", "Sample.Periodic", "Outlet")
    assert energy_register_wh(samples) == (
        Decimal("1500.0"),
        datetime(2026, 11, 23, 10, 5, tzinfo=timezone.utc),
    )
    assert sample_dict(samples[3])["phase"] == "L1"


def test_no_usable_energy_reading_gives_none():
    samples = samples_of(
        [
            {
                "timestamp": "2026-11-23T10:00:00Z",
                "sampledValue": [
                    {"value": "abc"},
                    {"value": "5", "format": "SignedData"},
                    {"value": "3", "unit": "A", "measurand": "Current.Import"},
                ],
            }
        ]
    )

    assert energy_register_wh(samples) is None
