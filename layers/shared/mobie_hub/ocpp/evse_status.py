"""OCPP 1.6 StatusNotification → OCPI EVSE status (docs/ocpp.md, "Status mapping").

OCPI 2.2.1 mod_locations §8.4.22 defines CHARGING as "the EVSE/Connector is in use", so every OCPP
state in which a user holds the connector — Preparing (plugged in or authorised, no transaction yet),
Charging, SuspendedEV, SuspendedEVSE and Finishing (transaction over, cable still in) — is CHARGING:
the EVSE cannot take another user. OCPI's BLOCKED ("a physical barrier, i.e. a car") cannot be told
from OCPP 1.6 and is not among MOBI.E's statuses (profile §6), so it is never emitted.

| OCPP 1.6 ChargePointStatus | OCPI Status | MOBI.E internal |
|---|---|---|
| Available | AVAILABLE | Idle |
| Preparing, Charging, SuspendedEV, SuspendedEVSE, Finishing | CHARGING | InUse |
| Reserved | RESERVED | Reserved |
| Unavailable | INOPERATIVE | InMaintenance |
| Faulted | OUTOFORDER | OutOfService |

``connectorId`` *n* is the *n*-th EVSE of the station's Location; ``connectorId`` 0 is the whole
station (OCPP 1.6 §4.9: Available, Unavailable or Faulted only). Unavailable / Faulted at 0 apply to
every EVSE; Available at 0 brings back only the EVSEs that were INOPERATIVE, OUTOFORDER or UNKNOWN
(an EVSE in use stays in use — its own connector reports follow). A REMOVED EVSE (end of life,
profile §6) never comes back through a station report.
"""

from __future__ import annotations

from datetime import datetime

from mobie_hub.locations.enums import Status
from mobie_hub.locations.models import EVSE, Location

OCPP_TO_OCPI: dict[str, Status] = {
    "Available": Status.AVAILABLE,
    "Preparing": Status.CHARGING,
    "Charging": Status.CHARGING,
    "SuspendedEV": Status.CHARGING,
    "SuspendedEVSE": Status.CHARGING,
    "Finishing": Status.CHARGING,
    "Reserved": Status.RESERVED,
    "Unavailable": Status.INOPERATIVE,
    "Faulted": Status.OUTOFORDER,
}

_RECOVERABLE = frozenset({Status.INOPERATIVE, Status.OUTOFORDER, Status.UNKNOWN})


class UnknownConnector(Exception):
    """The station reported a connectorId its Location has no EVSE for."""

    def __init__(self, location_id: str, connector_id: int, evse_count: int) -> None:
        super().__init__(
            f"station {location_id} has {evse_count} EVSE(s); connectorId {connector_id} names none of them"
        )


def evse_for_connector(location: Location, connector_id: int) -> EVSE:
    """The EVSE an OCPP connectorId (1-based) stands for, or ``UnknownConnector``."""
    evses = location.evses or []
    if not 1 <= connector_id <= len(evses):
        raise UnknownConnector(location.id, connector_id, len(evses))
    return evses[connector_id - 1]


def _station_wide(current: Status, reported: Status) -> Status:
    if reported is Status.AVAILABLE:
        return Status.AVAILABLE if current in _RECOVERABLE else current
    return reported


def apply_status(location: Location, connector_id: int, ocpp_status: str, now: datetime) -> Location | None:
    """``location`` with the reported status applied and ``last_updated`` bumped on what changed
    (the EVSE and the Location, profile §6), or None when nothing changes (no write, no push)."""
    reported = OCPP_TO_OCPI[ocpp_status]
    if connector_id != 0:
        targets = {evse_for_connector(location, connector_id).uid: reported}
    else:
        targets = {evse.uid: _station_wide(evse.status, reported) for evse in location.evses or []}
    changed = False
    evses = []
    for evse in location.evses or []:
        wanted = targets.get(evse.uid)
        if wanted is None or wanted == evse.status or evse.status is Status.REMOVED:
            evses.append(evse)
            continue
        evses.append(evse.model_copy(update={"status": wanted, "last_updated": now}))
        changed = True
    if not changed:
        return None
    return location.model_copy(update={"evses": evses, "last_updated": max(now, location.last_updated)})


def apply_offline(location: Location, now: datetime) -> tuple[Location | None, dict[str, str]]:
    """The station is offline (its connection ended, or it missed heartbeats): every EVSE it reports
    for becomes UNKNOWN — what MOBI.E shows for a station it cannot hear (profile §6), never AVAILABLE.
    Returns the Location (None when nothing changes) and the statuses the changed EVSEs had, by uid:
    the last known ones, restored when the station comes back without reporting (``ocpp.watchdog``).
    A REMOVED EVSE stays REMOVED; ``last_updated`` is bumped on what changed, as for a report."""
    known: dict[str, str] = {}
    evses = []
    for evse in location.evses or []:
        if evse.status in (Status.UNKNOWN, Status.REMOVED):
            evses.append(evse)
            continue
        known[evse.uid] = evse.status.value
        evses.append(evse.model_copy(update={"status": Status.UNKNOWN, "last_updated": now}))
    if not known:
        return None, {}
    updated = location.model_copy(update={"evses": evses, "last_updated": max(now, location.last_updated)})
    return updated, known


def apply_known(location: Location, known: dict[str, str], now: datetime) -> Location | None:
    """The station is back and reported nothing (it refused to be asked): the EVSEs still UNKNOWN get
    the status they had when it went offline. An EVSE it reported since keeps that report."""
    changed = False
    evses = []
    for evse in location.evses or []:
        status = known.get(evse.uid)
        if evse.status is not Status.UNKNOWN or status is None or status == Status.UNKNOWN.value:
            evses.append(evse)
            continue
        evses.append(evse.model_copy(update={"status": Status(status), "last_updated": now}))
        changed = True
    if not changed:
        return None
    return location.model_copy(update={"evses": evses, "last_updated": max(now, location.last_updated)})
