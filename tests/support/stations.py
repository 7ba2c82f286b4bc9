"""Build MOBI.E-shaped Locations and Tariffs for tests (valid per profile §6/§9/§12)."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from typing import Any

from mobie_hub.core.types import format_datetime

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def tariff(tariff_id: str = "MOB-AC", party_id: str = "MOB", price: float = 0.25) -> dict[str, Any]:
    return {
        "country_code": "PT", "party_id": party_id, "id": tariff_id, "currency": "EUR", "type": "REGULAR",
        "elements": [{"price_components": [{"type": "ENERGY", "price": price, "vat": 23, "step_size": 1}]}],
        "last_updated": format_datetime(T0),
    }


def location(location_id: str = "LSB-00001", *, publish: bool = True, evses: int = 2, party_id: str = "MOB",
             tariff_id: str = "MOB-AC", last_updated: datetime = T0) -> dict[str, Any]:
    stamp = format_datetime(last_updated)
    return {
        "country_code": "PT", "party_id": party_id, "id": location_id, "publish": publish,
        "name": f"Posto {location_id}", "address": "Rua Augusta 1", "city": "Lisboa", "postal_code": "1100-048",
        "country": "PRT", "coordinates": {"latitude": "38.710000", "longitude": "-9.137000"},
        "parking_type": "ON_STREET", "time_zone": "Europe/Lisbon", "mobie_voltage_level": "BTN",
        "operator": {"name": "MOBI.E"}, "last_updated": stamp,
        "evses": [
            {
                "uid": f"{location_id}-{n:02d}", "status": "AVAILABLE",
                "evse_id": f"PT*{party_id}*E{location_id.replace('-', '*')}*{n:02d}",
                "capabilities": ["REMOTE_START_STOP_CAPABLE", "RFID_READER"], "last_updated": stamp,
                "connectors": [{
                    "id": f"{location_id}-{n:02d}-01", "standard": "IEC_62196_T2", "format": "SOCKET",
                    "power_type": "AC_3_PHASE", "max_voltage": 400, "max_amperage": 32, "max_electric_power": 22000,
                    "tariff_ids": [tariff_id], "terms_and_conditions": "https://www.mobie.pt/termos",
                    "last_updated": stamp,
                }],
            }
            for n in range(1, evses + 1)
        ],
    }


def hourly_locations(count: int, start: datetime = T0) -> list[dict[str, Any]]:
    """``count`` published stations, station n last updated at start + n hours."""
    return [location(f"LSB-{n:05d}", last_updated=start + timedelta(hours=n)) for n in range(count)]


def with_changes(obj: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(obj)
    changed.update(changes)
    return changed


def station_password(station_id: str, password: str | None = None) -> str:
    """Give ``station_id`` a password in the store this process points at (only its hash is stored, as
    ``mobie-hub stations set-password`` does) and return it: stations authenticate by default."""
    import secrets

    from mobie_hub.core.types import utcnow
    from mobie_hub.ocpp import repository as stations
    from mobie_hub.ocpp.station_auth import hash_password

    password = password or secrets.token_hex(16)
    stations.set_password_hash(station_id, hash_password(password.encode("utf-8")), utcnow())
    return password
