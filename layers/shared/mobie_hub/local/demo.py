"""Demo data for ``make run``: real-looking Lisbon and Porto stations (one private) with tariffs,
loaded through the same import path as ``mobie-hub tariffs import`` / ``locations import``.

Stations authenticate by default, so each demo station gets a fresh random password at start: its
hash is stored as ``mobie-hub stations set-password`` would, and the password itself stays in this
process's memory only. ``mobie-hub simulate station --id LSB-00175`` (no ``--password``) asks the
local hub's admin interface for it (``stations.demo_password``): whoever may call that interface may
already set any station's password, so it grants nothing more, and nothing is written to disk.
"""

from __future__ import annotations

import json
import secrets
from importlib import resources
from typing import Any

from mobie_hub.admin.registry import operation
from mobie_hub.core.errors import NotFound
from mobie_hub.core.types import utcnow
from mobie_hub.locations.inventory_repository import DynamoLocationStore
from mobie_hub.locations.registry import import_locations, import_tariffs
from mobie_hub.ocpp import repository as stations
from mobie_hub.ocpp.admin import StationRequest
from mobie_hub.ocpp.station_auth import hash_password
from mobie_hub.tariffs.registry_repository import DynamoTariffStore

DEMO_PASSWORD_BYTES = 16  # hex: 32 characters, inside the 16-40 bytes a password may have

_passwords: dict[str, str] = {}  # station id → its demo password, for this process's hub only


def _read(name: str) -> list:
    return json.loads(resources.files("mobie_hub.data.demo").joinpath(name).read_text(encoding="utf-8"))


def load_demo_data() -> dict[str, int]:
    """Tariffs first: connectors must reference tariffs that exist. Then a password per station."""
    tariffs = import_tariffs(_read("tariffs.json"), DynamoTariffStore())
    locations = import_locations(_read("locations.json"), DynamoLocationStore(), DynamoTariffStore())
    passwords = provision_demo_passwords([location["id"] for location in _read("locations.json")])
    return {
        "tariffs": len(tariffs.created) + len(tariffs.updated),
        "locations": len(locations.created),
        "station_passwords": len(passwords),
    }


def provision_demo_passwords(station_ids: list[str]) -> dict[str, str]:
    """A new random password for each station (its hash stored); returns every demo password."""
    now = utcnow()
    for station_id in station_ids:
        password = secrets.token_hex(DEMO_PASSWORD_BYTES)
        stations.set_password_hash(station_id, hash_password(password.encode("ascii")), now)
        _passwords[station_id] = password
    return demo_passwords()


def demo_passwords() -> dict[str, str]:
    return dict(_passwords)


@operation("stations.demo_password")
def demo_password(payload: dict[str, Any]) -> dict[str, Any]:
    """The password this local hub gave a demo station at start (the simulator's default)."""
    request = StationRequest.model_validate(payload)
    password = _passwords.get(request.station_id)
    if password is None:
        raise NotFound(f"{request.station_id!r} is not a demo station of this hub (set its password)")
    return {"station_id": request.station_id, "password": password}
