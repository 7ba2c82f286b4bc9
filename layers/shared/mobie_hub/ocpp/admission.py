"""Who may open an OCPP connection (OCPP-J 1.6 §3; Security Whitepaper profiles 1 and 2).

1. The station offers the ``ocpp1.6`` subprotocol (``Sec-WebSocket-Protocol``); the hub echoes it.
   (OCPP-J §3.1.2 lets the server complete the handshake without the header and then close; the hub
   refuses the handshake instead, which the station sees the same way and is simpler to observe.)
2. The charge point id in the URL is a known station: a Location with that id (OCPP-J §3.1.1:
   unknown → HTTP 404).
3. HTTP Basic auth: a station with a stored password must present it, with its charge point id as
   the username. A station without one connects without credentials unless
   ``MOBIE_REQUIRE_STATION_AUTH`` (``mobie-hub serve --require-station-auth``) requires them of all.

DynamoDB: 2 strongly consistent GetItems (the Location, the station record).
"""

from __future__ import annotations

from dataclasses import dataclass

from mobie_hub.observability import logger
from mobie_hub.ocpp.station_auth import parse_basic, verify_password
from mobie_hub.repositories import stations
from mobie_hub.repositories.locations import get_location

SUBPROTOCOL = "ocpp1.6"
MAX_STATION_ID_LENGTH = 36  # a Location id is CiString(36)


class AdmissionRefused(Exception):
    """The connection is refused with ``status`` (404 unknown station, 401 credentials, 400 protocol)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Admission:
    station_id: str
    subprotocol: str
    authenticated: bool


def offered_subprotocols(header: str | list[str] | None) -> list[str]:
    """``Sec-WebSocket-Protocol`` values (comma-separated, possibly repeated) as a list."""
    values = header if isinstance(header, list) else [header or ""]
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def negotiate(offered: list[str]) -> str:
    if SUBPROTOCOL not in offered:
        raise AdmissionRefused(
            400, f"the {SUBPROTOCOL} subprotocol is required (offered: {', '.join(offered) or 'none'})"
        )
    return SUBPROTOCOL


def _valid_station_id(station_id: str) -> bool:
    return 0 < len(station_id) <= MAX_STATION_ID_LENGTH and station_id.isprintable() and station_id.isascii()


def admit(station_id: str, *, authorization: str | None, offered: list[str], require_auth: bool) -> Admission:
    """Admit the station or raise ``AdmissionRefused``."""
    subprotocol = negotiate(offered)
    if not _valid_station_id(station_id) or get_location(station_id) is None:
        raise AdmissionRefused(404, f"unknown charging station {station_id!r}")
    record = stations.get_station(station_id)
    password_hash = record.password_hash if record else None
    credentials = parse_basic(authorization)
    if password_hash is None:
        if require_auth:
            raise AdmissionRefused(
                401, f"station {station_id} has no password; the hub requires authentication"
            )
        return Admission(station_id, subprotocol, authenticated=False)
    if credentials is None:
        raise AdmissionRefused(401, f"station {station_id} must authenticate (HTTP Basic)")
    username, password = credentials
    if username != station_id or not verify_password(password, password_hash):
        logger.warning(
            "station authentication failed", station_id=station_id, username_matches=username == station_id
        )
        raise AdmissionRefused(401, f"wrong credentials for station {station_id}")
    return Admission(station_id, subprotocol, authenticated=True)
