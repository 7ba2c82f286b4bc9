"""Who may open an OCPP connection (OCPP-J 1.6 §3; Security Whitepaper profiles 1 and 2).

1. The station offers the ``ocpp1.6`` subprotocol (``Sec-WebSocket-Protocol``); the hub echoes it.
   (OCPP-J §3.1.2 lets the server complete the handshake without the header and then close; the hub
   refuses the handshake instead, which the station sees the same way and is simpler to observe.)
2. HTTP Basic auth, always (``require_station_auth``, the default): username = the charge point id,
   password = the station's, checked against its stored scrypt hash; then the id must be a Location.

Every refusal of step 2 is the same HTTP 401 with the same body, whether the id is unknown, a
private station, a station without a password, a wrong password or a throttled id: a stranger cannot
tell which ids exist. Timing too: without a stored hash the password is checked against a dummy hash
(one scrypt either way), and the Location is read only after the password matched.

Throttling: after ``station_auth_max_failures`` failed checks of one id within a window of
``station_auth_failure_window_seconds``, that id is refused (the same 401, no scrypt) until the
window ends. The count is a DynamoDB item with a TTL, so it holds across Lambdas.

DynamoDB per admission: 1 BatchGetItem (station record + failure count) and 1 GetItem (the Location)
when admitted; 1 BatchGetItem + 1 UpdateItem (count the failure) when the password is wrong; none
without credentials.

Open mode (``require_station_auth=false``: ``mobie-hub serve --insecure-open-stations`` or the CDK
context ``insecure_open_stations=true``) — a station without a stored password connects without
credentials, an unknown id is answered 404 (OCPP-J §3.1.1), and presented credentials are checked
as above.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from mobie_hub.core.observability import count, logger
from mobie_hub.core.settings import Settings
from mobie_hub.locations.api import get_location
from mobie_hub.ocpp import repository as stations
from mobie_hub.ocpp.station_auth import parse_basic, verify_password

SUBPROTOCOL = "ocpp1.6"
MAX_STATION_ID_LENGTH = 36  # a Location id is CiString(36)
# What every 401 says, whatever the reason (the reason is logged, never answered).
AUTH_METRIC = "StationAuthRefused"  # dimension outcome: wrong (a check failed) or throttled
UNAUTHORIZED = "the charging station must authenticate: HTTP Basic, its charge point id and its password"
# The hash of a random password nobody knows: checked when the id has no stored hash, so that an
# unknown id costs the same scrypt as a known one (timing tells nothing).
_DUMMY_HASH = "scrypt$16384$8$1$fB4ibnCX634dyaLF6orbRg==$jkWITg9bu7mm5e2AyGss9DrpSeQmlvpeakcUjNAKQWM="


class AdmissionRefused(Exception):
    """The connection is refused with ``status`` (401 credentials, 400 protocol, 404 unknown station in
    open mode). ``reason`` is for the log; ``public`` is what the station is answered."""

    def __init__(self, status: int, reason: str, public: str | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.public = public if public is not None else reason


@dataclass(frozen=True)
class Admission:
    station_id: str
    subprotocol: str
    authenticated: bool


@dataclass(frozen=True)
class AuthPolicy:
    require_auth: bool = True
    max_failures: int = 10
    window_seconds: int = 300

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthPolicy:
        return cls(
            require_auth=settings.require_station_auth,
            max_failures=settings.station_auth_max_failures,
            window_seconds=settings.station_auth_failure_window_seconds,
        )


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


def _unauthorized(reason: str) -> AdmissionRefused:
    return AdmissionRefused(401, reason, UNAUTHORIZED)


def admit(
    station_id: str,
    *,
    authorization: str | None,
    offered: list[str],
    policy: AuthPolicy,
    now: float | None = None,
) -> Admission:
    """Admit the station or raise ``AdmissionRefused``. ``now``: epoch seconds (the throttle window)."""
    subprotocol = negotiate(offered)
    credentials = parse_basic(authorization)
    if credentials is None and not policy.require_auth:
        return _admit_open(station_id, subprotocol)
    if not _valid_station_id(station_id):
        raise _unauthorized("not a valid charge point id")
    if credentials is None:
        raise _unauthorized("no HTTP Basic credentials")
    username, password = credentials
    window = int((time.time() if now is None else now) // policy.window_seconds)
    record, failures = stations.get_admission_facts(station_id, window)
    if failures >= policy.max_failures:
        logger.warning("station authentication throttled", station_id=station_id, failures=failures)
        count(AUTH_METRIC, outcome="throttled")
        raise _unauthorized("too many failed authentications for this id; refused until the window ends")
    password_hash = record.password_hash if record else None
    matches = verify_password(password, password_hash or _DUMMY_HASH)  # one scrypt, stored hash or not
    if not (matches and password_hash is not None and username == station_id):
        failed = stations.record_auth_failure(
            station_id, window, expires_at=(window + 2) * policy.window_seconds
        )
        logger.warning(
            "station authentication failed",
            station_id=station_id,
            failures=failed,
            password_stored=password_hash is not None,
            username_matches=username == station_id,
        )
        count(AUTH_METRIC, outcome="wrong")
        raise _unauthorized("wrong credentials")
    if get_location(station_id) is None:  # a password that outlived its Location
        logger.warning("station authenticated but is no Location", station_id=station_id)
        raise _unauthorized("not a known charging station")
    return Admission(station_id, subprotocol, authenticated=True)


def _admit_open(station_id: str, subprotocol: str) -> Admission:
    """Open mode, no credentials presented: a known station without a stored password connects."""
    if not _valid_station_id(station_id) or get_location(station_id) is None:
        raise AdmissionRefused(404, f"unknown charging station {station_id!r}")
    record = stations.get_station(station_id)
    if record is not None and record.password_hash is not None:
        raise _unauthorized("the station has a password and presented none")
    return Admission(station_id, subprotocol, authenticated=False)
