"""The CDR of a completed session: OPC lines from the pricing, the regulated items from the shipped
illustrative rates (EGME 0.1657/charge, IEC 0.001/kWh, TAR BTN 0.0843 outside off-peak / 0.0305
off-peak 22:00-08:00, VAT 23 % mainland, 16 % Azores), totals that agree with both."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from mobie_hub.cdrs.builder import NO_TARIFF_REMARK, SessionNotBillable, build_cdr
from mobie_hub.cdrs.models import MobieCdr
from mobie_hub.core.models import dump_ocpi
from mobie_hub.locations.models import MobieLocation
from mobie_hub.pricing import price_session
from mobie_hub.sessions.models import Session
from mobie_hub.tariffs.models import Tariff
from tests.unit.conformance.ocpi_json import assert_equivalent

NOW = datetime(2026, 3, 12, 22, 33, 5, tzinfo=UTC)
AC_NORMAL = {  # 0.30 per charge, 0.21/kWh, 1.20/h per minute, 23 % VAT
    "country_code": "PT", "party_id": "MOB", "id": "MOB-AC-NORMAL", "currency": "EUR",
    "elements": [{"price_components": [
        {"type": "FLAT", "price": 0.30, "vat": 23, "step_size": 1},
        {"type": "ENERGY", "price": 0.21, "vat": 23, "step_size": 1},
        {"type": "TIME", "price": 1.20, "vat": 23, "step_size": 60},
    ]}],
    "last_updated": "2026-01-01T00:00:00Z",
}
DC_FAST = {  # 0.35/kWh, min_price 1.00 / 1.23
    "country_code": "PT", "party_id": "MOB", "id": "MOB-DC-FAST", "currency": "EUR",
    "min_price": {"excl_vat": 1.00, "incl_vat": 1.23},
    "elements": [{"price_components": [{"type": "ENERGY", "price": 0.35, "vat": 23, "step_size": 1}]}],
    "last_updated": "2026-01-01T00:00:00Z",
}


def _tariff(document: dict[str, Any], **changes: Any) -> Tariff:
    return Tariff.model_validate({**document, **changes})


def _location(publish: bool = True, time_zone: str = "Europe/Lisbon") -> MobieLocation:
    return MobieLocation.model_validate({
        "country_code": "PT", "party_id": "MOB", "id": "LSB-00175", "publish": publish,
        "name": "Praça do Comércio", "address": "Praça do Comércio 1", "city": "Lisboa",
        "postal_code": "1100-148", "country": "PRT",
        "coordinates": {"latitude": "38.707751", "longitude": "-9.136592"},
        "evses": [{"uid": "LSB-00175-01", "evse_id": "PT*MOB*ELSB*00175*01", "status": "AVAILABLE",
                   "connectors": [{"id": "1", "standard": "IEC_62196_T2", "format": "SOCKET",
                                   "power_type": "AC_3_PHASE", "max_voltage": 400, "max_amperage": 32,
                                   "tariff_ids": ["MOB-AC-NORMAL"], "last_updated": "2026-01-01T00:00:00Z"}],
                   "last_updated": "2026-01-01T00:00:00Z"}],
        "time_zone": time_zone, "mobie_voltage_level": "BTN", "last_updated": "2026-01-01T00:00:00Z",
    })


def _session(status: str = "COMPLETED", kwh: float = 18.5, periods: list | None = None) -> Session:
    # 21:30-22:32 UTC on 2026-03-12 (Lisbon is on UTC until the end of March)
    if periods is None:
        periods = [{"start_date_time": "2026-03-12T21:30:00Z",
                    "dimensions": [{"type": "ENERGY", "volume": kwh}, {"type": "TIME", "volume": 1.033333}]}]
    return Session.model_validate({
        "country_code": "PT", "party_id": "MOB", "id": "SES-1", "start_date_time": "2026-03-12T21:30:00Z",
        "end_date_time": "2026-03-12T22:32:00Z", "kwh": kwh,
        "cdr_token": {"country_code": "PT", "party_id": "EDP", "uid": "04A1B2C3D4E5F6", "type": "RFID",
                      "contract_id": "PT-EDP-C-1234ABCD-J"},
        "auth_method": "WHITELIST", "authorization_reference": "a1b2c3", "location_id": "LSB-00175",
        "evse_uid": "LSB-00175-01", "connector_id": "1", "currency": "EUR", "charging_periods": periods,
        "status": status, "last_updated": "2026-03-12T22:32:00Z",
    })


def _build(session: Session | None = None, location: MobieLocation | None = None, tariffs=None) -> MobieCdr:
    tariffs = [_tariff(AC_NORMAL)] if tariffs is None else tariffs
    return build_cdr(session or _session(), location or _location(), tariffs, cdr_id="CDR-1", now=NOW)


def _lines(cdr: MobieCdr) -> list[tuple[str, Decimal, Decimal]]:
    return [(line.type.value, line.quantity, line.amount_excl_vat) for line in cdr.mobie_cdr_extension.lines]


def test_a_public_station_cdr_itemises_the_whole_bill():
    # When a 62-minute charge of 18.5 kWh across 22:00 is billed
    cdr = _build()
    # Then OPC: 0.30 + 18.5 × 0.21 = 3.885 → 3.89 + 62 min × 0.02 = 1.24 (priced: 5.425 → 5.43, no gap);
    # EGME 0.1657 → 0.17; TAR: 30/62 of 18.5 = 8.951613 kWh × 0.0843 = 0.7546 → 0.75 before 22:00,
    # 9.548387 × 0.0305 = 0.2912 → 0.29 after; IEC 18.5 × 0.001 = 0.0185 → 0.02.
    # Total 5.43 + 0.17 + 0.75 + 0.29 + 0.02 = 6.66; VAT 23 % = 1.5318 → 1.53; incl. 8.19
    assert _lines(cdr) == [
        ("OPC_ACTIVATION", 1, Decimal("0.30")),
        ("OPC_ENERGY", Decimal("18.5"), Decimal("3.89")),
        ("OPC_TIME", 62, Decimal("1.24")),
        ("EGME", 1, Decimal("0.17")),
        ("TAR", Decimal("8.951613"), Decimal("0.75")),
        ("TAR", Decimal("9.548387"), Decimal("0.29")),
        ("IEC", Decimal("18.5"), Decimal("0.02")),
    ]
    assert [u.time_period for u in cdr.mobie_cdr_extension.sub_usages] == ["OUTSIDE_OFF_PEAK", "OFF_PEAK"]
    assert (cdr.total_cost.excl_vat, cdr.total_cost.incl_vat) == (Decimal("6.66"), Decimal("8.19"))
    assert cdr.mobie_cdr_extension.vat.amount == Decimal("1.53")
    # And the OCPI sub-totals follow the lines: fixed = OPC_ACTIVATION + EGME, energy = OPC_ENERGY + TAR + IEC
    assert cdr.total_fixed_cost.excl_vat == Decimal("0.47")
    assert cdr.total_energy_cost.excl_vat == Decimal("4.95")
    assert cdr.total_time_cost.excl_vat == Decimal("1.24")
    assert cdr.total_parking_cost.excl_vat == 0
    # And the OCPI fields of the profile
    assert (cdr.country_code, cdr.party_id, cdr.id, cdr.session_id) == ("PT", "MOB", "CDR-1", "SES-1")
    assert (cdr.auth_method, cdr.authorization_reference, cdr.currency) == ("WHITELIST", "a1b2c3", "EUR")
    assert (cdr.cdr_token.country_code, cdr.cdr_token.party_id) == ("PT", "EDP")
    assert [t.id for t in cdr.tariffs] == ["MOB-AC-NORMAL"] and cdr.last_updated == NOW
    assert cdr.cdr_location.address == "Praça do Comércio 1"
    assert cdr.cdr_location.connector_standard == "IEC_62196_T2"


def test_the_cdr_totals_agree_with_the_pricing():
    session, location, tariff = _session(), _location(), _tariff(AC_NORMAL)
    cdr = _build(session, location, [tariff])
    # When the same session is priced on its own
    priced = price_session(tariff, session.charging_periods, start=session.start_date_time,
                           end=session.end_date_time, time_zone=location.time_zone)
    # Then the OPC's lines add up to the priced total, and the volumes and periods are the pricing's
    opc = [line for line in cdr.mobie_cdr_extension.lines if line.type.value.startswith("OPC_")]
    assert sum(line.amount_excl_vat for line in opc) == priced.total_cost.excl_vat
    assert (cdr.total_energy, cdr.total_time, cdr.total_parking_time) == (
        priced.total_energy, priced.total_time, priced.total_parking_time)
    assert cdr.charging_periods == priced.charging_periods


def test_the_cdr_serialises_to_json_that_parses_back_as_a_mobie_cdr():
    cdr = _build()
    document = json.loads(json.dumps(dump_ocpi(cdr)))
    assert MobieCdr.model_validate(document) == cdr
    assert document["status"] == "COMPLETED" and document["cdr_token"]["party_id"] == "EDP"


def test_a_private_station_cdr_has_the_short_location():
    # Given a private station (publish false)
    cdr = _build(location=_location(publish=False))
    # Then cdr_location has only the ids and the voltage level (profile §8)
    assert dump_ocpi(cdr)["cdr_location"] == {
        "id": "LSB-00175", "evse_uid": "LSB-00175-01", "evse_id": "PT*MOB*ELSB*00175*01",
        "connector_id": "1", "mobie_voltage_level": "BTN",
    }
    assert cdr.total_cost.excl_vat == Decimal("6.66")  # billed the same


def test_a_session_without_energy_gets_a_cdr_with_only_what_the_tariff_charges():
    # Given a DC tariff of 0.35/kWh with min_price 1.00 / 1.23, and a 62-minute session without energy
    cdr = _build(_session(kwh=0), tariffs=[_tariff(DC_FAST)])
    # Then the OPC's min_price is the adjustment line (0 kWh × 0.35 = 0 → 1.00); no EGME (no charge
    # happened); no TAR; IEC at 0 kWh = 0.00. Total 1.00; VAT 0.23; incl. 1.23
    assert _lines(cdr) == [("OPC_ADJUSTMENT", 1, Decimal("1.00")), ("IEC", 0, Decimal("0.00"))]
    assert (cdr.total_cost.excl_vat, cdr.total_cost.incl_vat) == (Decimal("1.00"), Decimal("1.23"))
    assert cdr.total_energy == 0


def test_a_session_without_periods_is_billed_from_its_kwh():
    cdr = _build(_session(kwh=10, periods=[]))
    # Then one charging period of the whole session holding the 10 kWh
    assert len(cdr.charging_periods) == 1 and cdr.total_energy == 10


@pytest.mark.parametrize("status", ["INVALID", "ACTIVE", "PENDING"])
def test_a_session_not_completed_is_refused(status):
    with pytest.raises(SessionNotBillable):
        _build(_session(status=status))


def test_the_first_tariff_valid_at_the_session_start_applies():
    # Given an expired tariff, then DC_FAST, then AC_NORMAL
    expired = _tariff(AC_NORMAL, id="OLD", end_date_time="2026-03-01T00:00:00Z")
    cdr = _build(tariffs=[expired, _tariff(DC_FAST), _tariff(AC_NORMAL)])
    # Then DC_FAST: 18.5 × 0.35 = 6.475 → 6.48
    assert [t.id for t in cdr.tariffs] == ["MOB-DC-FAST"]
    assert _lines(cdr)[0] == ("OPC_ENERGY", Decimal("18.5"), Decimal("6.48"))


def test_without_a_valid_tariff_the_cdr_bills_only_the_regulated_items():
    # Given only a tariff that starts after the session
    future = _tariff(AC_NORMAL, start_date_time="2026-04-01T00:00:00Z")
    cdr = _build(tariffs=[future])
    # Then no OPC line, no tariff, a remark; EGME + TAR + IEC = 0.17 + 0.75 + 0.29 + 0.02 = 1.23
    assert [line[0] for line in _lines(cdr)] == ["EGME", "TAR", "TAR", "IEC"]
    assert cdr.tariffs is None and cdr.remark == NO_TARIFF_REMARK
    assert cdr.total_cost.excl_vat == Decimal("1.23")
    assert all(p.tariff_id is None for p in cdr.charging_periods)


def test_a_max_price_shows_as_a_negative_adjustment():
    capped = _tariff(AC_NORMAL, max_price={"excl_vat": 4.00, "incl_vat": 4.92})
    cdr = _build(tariffs=[capped])
    # Then the OPC lines (0.30 + 3.89 + 1.24 = 5.43) are brought to 4.00 by an adjustment of -1.43
    assert _lines(cdr)[3] == ("OPC_ADJUSTMENT", 1, Decimal("-1.43"))
    assert cdr.total_cost.excl_vat == Decimal("5.23")  # 4.00 + 0.17 + 0.75 + 0.29 + 0.02


def test_vat_follows_the_region_of_the_station():
    # Given the same station in the Azores (16 % VAT; UTC-1 in March, so 22:00 local is 23:00 UTC)
    cdr = _build(location=_location(time_zone="Atlantic/Azores"))
    # Then all 18.5 kWh fall outside off-peak: TAR 18.5 × 0.0843 = 1.5596 → 1.56;
    # total 5.43 + 0.17 + 1.56 + 0.02 = 7.18; VAT 16 % = 1.1488 → 1.15
    assert cdr.mobie_cdr_extension.vat.rate == 16
    assert (cdr.total_cost.excl_vat, cdr.total_cost.incl_vat) == (Decimal("7.18"), Decimal("8.33"))


def test_the_documented_extension_is_what_the_hub_builds():
    # Given the charge of docs/mobie-extensions.md: 8.3 kWh 21:30-22:00 and 10.2 kWh 22:00-22:32 at a
    # BTN station, with 0.25 per charge, 0.20/kWh and 1.20/h (0.02/min) billed per minute
    doc = (Path(__file__).resolve().parents[3] / "docs" / "mobie-extensions.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", doc, flags=re.DOTALL)
    _, documented, documented_cdr = [json.loads(block) for block in blocks]
    tariff = _tariff(AC_NORMAL, elements=[{"price_components": [
        {"type": "FLAT", "price": 0.25, "step_size": 1},
        {"type": "ENERGY", "price": 0.20, "step_size": 1},
        {"type": "TIME", "price": 1.20, "step_size": 60},
    ]}])
    periods = [
        {"start_date_time": "2024-03-12T21:30:00Z", "dimensions": [{"type": "ENERGY", "volume": 8.3},
                                                                   {"type": "TIME", "volume": 0.5}]},
        {"start_date_time": "2024-03-12T22:00:00Z", "dimensions": [{"type": "ENERGY", "volume": 10.2},
                                                                   {"type": "TIME", "volume": 0.5333}]},
    ]
    session = _session(periods=periods).model_copy(update={
        "start_date_time": datetime(2024, 3, 12, 21, 30, tzinfo=UTC),
        "end_date_time": datetime(2024, 3, 12, 22, 32, tzinfo=UTC),
    })
    # When the hub builds its CDR
    cdr = _build(session, tariffs=[tariff])
    # Then its extension is the documented one, and so are the CDR's totals
    assert_equivalent(dump_ocpi(cdr.mobie_cdr_extension), documented)
    for total in ("total_cost", "total_fixed_cost", "total_energy_cost", "total_time_cost"):
        assert_equivalent(dump_ocpi(getattr(cdr, total)), documented_cdr[total])
