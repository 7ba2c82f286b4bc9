"""Reading OCPP 1.6 meter values (OCPP 1.6 §7.45 SampledValue; defaults: measurand
Energy.Active.Import.Register, unit Wh, location Outlet)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from mobie_hub.core.types import format_datetime, parse_datetime
from mobie_hub.ocpp.ports import MeterSample

ENERGY_REGISTER = "Energy.Active.Import.Register"
_TO_WH = {"Wh": Decimal(1), "kWh": Decimal(1000)}


def samples_of(meter_values: list[dict[str, Any]]) -> tuple[MeterSample, ...]:
    """Flatten MeterValue[] (each a timestamp and sampledValue[]) into samples, defaults filled in."""
    samples = []
    for meter_value in meter_values:
        timestamp = parse_datetime(meter_value["timestamp"])
        for sampled in meter_value["sampledValue"]:
            samples.append(
                MeterSample(
                    timestamp=timestamp,
                    value=sampled["value"],
                    measurand=sampled.get("measurand", ENERGY_REGISTER),
                    unit=sampled.get("unit", "Wh"),
                    context=sampled.get("context", "Sample.Periodic"),
                    phase=sampled.get("phase"),
                    location=sampled.get("location", "Outlet"),
                    format=sampled.get("format", "Raw"),
                )
            )
    return tuple(samples)


def energy_register_wh(samples: tuple[MeterSample, ...]) -> tuple[Decimal, datetime] | None:
    """The latest total imported energy reading in Wh (all phases, raw format), if any sample has one."""
    readings = []
    for sample in samples:
        if sample.measurand != ENERGY_REGISTER or sample.phase or sample.format != "Raw":
            continue
        if sample.unit not in _TO_WH:
            continue
        try:
            value = Decimal(sample.value) * _TO_WH[sample.unit]
        except InvalidOperation:
            continue
        readings.append((sample.timestamp, value))
    if not readings:
        return None
    timestamp, value = max(readings, key=lambda reading: reading[0])
    return value, timestamp


def sample_dict(sample: MeterSample) -> dict[str, Any]:
    """A sample as stored: compact, defaults included, timestamp as an OCPI DateTime string."""
    data = {
        "timestamp": format_datetime(sample.timestamp),
        "value": sample.value,
        "measurand": sample.measurand,
        "unit": sample.unit,
        "context": sample.context,
        "location": sample.location,
        "format": sample.format,
    }
    if sample.phase:
        data["phase"] = sample.phase
    return data
