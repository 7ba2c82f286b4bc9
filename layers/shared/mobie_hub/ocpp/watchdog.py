"""A station the hub cannot hear is not shown AVAILABLE (issue #17 item 4, docs/ocpp.md "Offline stations").

- **Its connection ends** (``CentralSystem.disconnected``, for the current connection only): the time
  is recorded on its liveness item, and the sweep marks its EVSEs UNKNOWN once it has been gone for
  longer than ``MOBIE_OCPP_DISCONNECT_GRACE_SECONDS`` without reconnecting (issue #18: API Gateway
  closes every connection after 2 h, and a station that reconnects at once is not offline; nothing
  is written to its Location and no EMSP hears of it). A grace of 0 marks it at once.
- **It misses heartbeats** for longer than ``MOBIE_OCPP_OFFLINE_GRACE_SECONDS``: the same. This
  catches a lost ``$disconnect`` and a connection that stays open while the station is silent.
- Both are found by ``sweep`` (a schedule in AWS, a timer in ``mobie-hub serve``, every minute) with
  one Query of the liveness partition.
- **It comes back**: its StatusNotifications set the real statuses again; a BootNotification, and
  the first Heartbeat after it was marked offline, make the hub ask for them (TriggerMessage
  StatusNotification, sent after the answer). A station that refuses that TriggerMessage (the
  RemoteTrigger profile is optional) has reported no change since (OCPP stations report the changes
  they made while offline when they reconnect), so its EVSEs still UNKNOWN get back the statuses
  they had when it was marked offline (``restore_known``).

Marking is one transaction: the Location (on the condition that it is the document read), the
liveness item (offline, with the last known statuses; on the condition that it still holds the
disconnect or the heartbeat the sweep read) and a check that the station has not come back (for a
disconnect, no connection at all; for silence, none opened after the cutoff): nothing half-written,
and a sweep that raced a reconnect changes nothing. The Location write reaches the EMSPs as an EVSE
PATCH through the locations table stream, as every status change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from mobie_hub.core import retry, transact
from mobie_hub.core.observability import count, logger
from mobie_hub.locations import api as locations
from mobie_hub.ocpp import liveness_repository
from mobie_hub.ocpp import repository as stations
from mobie_hub.ocpp.evse_status import apply_known, apply_offline


class Why(str, Enum):
    DISCONNECTED = "disconnected"
    SILENT = "silent"


def mark_offline(
    station_id: str,
    now: datetime,
    why: Why,
    *,
    seen: int | None = None,
    cutoff: datetime | None = None,
    disconnected: int | None = None,
) -> bool:
    """Mark the station's EVSEs UNKNOWN; True when marked, False when it came back meanwhile (or has no
    Location, or is marked already). ``DISCONNECTED``: only while its liveness item still holds the
    disconnect at ``disconnected`` and it has no connection. ``SILENT``: only while it was last seen at
    ``seen`` and has no connection opened after ``cutoff``.

    DynamoDB: 1 GetItem (the Location) + one TransactWriteItems of 2 or 3 items (the Location when an
    EVSE changes, the liveness item, the connection check)."""

    def attempt(_: retry.Attempt) -> bool:
        current = locations.read_for_station(station_id)
        if current is None:
            return False
        updated, known = apply_offline(current.location, now)
        actions = [
            liveness_repository.offline_action(station_id, now, known, seen=seen, disconnected=disconnected),
            liveness_repository.no_connection_since(station_id, cutoff if why is Why.SILENT else None),
        ]
        if updated is not None:
            actions.append(locations.replace_for_station_action(updated, expected=current))
        try:
            transact.write(actions)
        except transact.Cancelled as cancelled:
            if updated is not None and cancelled.condition_failed(locations.LOCATION_ACTION):
                raise retry.ReadAgain from None  # a report or an import changed the Location: again
            if cancelled.conflict:
                raise retry.ReadAgain from None
            return False  # it came back: a new connection, a heartbeat or a disconnect since the read
        logger.info(
            "station offline: EVSEs UNKNOWN", station_id=station_id, why=why.value, evses=sorted(known)
        )
        count("StationOffline", why=why.value)
        return True

    return retry.optimistic(
        attempt, gave_up=f"the Location of {station_id} kept changing; not marked offline"
    )


@dataclass(frozen=True)
class SweepResult:
    silent: int  # stations found not heard since the cutoff
    marked: int  # of them and the disconnected, marked offline now (the others came back meanwhile)
    disconnected: int = 0  # stations found disconnected for longer than the disconnect grace


def sweep(now: datetime, grace: timedelta, disconnect_grace: timedelta) -> SweepResult:
    """Mark offline every station not heard for longer than ``grace`` or disconnected for longer than
    ``disconnect_grace``. One Query of the liveness partition, plus per station found ``mark_offline``
    (a disconnected one: after a GetItem of its connection, which clears the disconnect when it came
    back); a station that fails is logged and left to the next sweep (the others are still marked)."""
    silent_cutoff, gone_cutoff = now - grace, now - disconnect_grace
    found = liveness_repository.unheard_since(silent_cutoff, gone_cutoff)
    silent = gone = marked = 0
    for station in found:
        is_gone, is_silent = station.disconnected_before(gone_cutoff), station.silent_before(silent_cutoff)
        silent, gone = silent + is_silent, gone + is_gone
        try:
            marked += _mark(station, now, silent_cutoff, gone=is_gone, silent=is_silent)
        except Exception:  # noqa: BLE001 - one station must not stop the sweep; the next one retries it
            logger.exception("marking an unheard station offline failed", station_id=station.station_id)
    if found:
        logger.info("watchdog sweep", silent=silent, disconnected=gone, marked=marked)
    return SweepResult(silent, marked, gone)


def _mark(station: liveness_repository.Unheard, now: datetime, cutoff: datetime, *, gone: bool, silent: bool) -> bool:
    station_id = station.station_id
    if gone and station.disconnected is not None:
        if stations.get_connection(station_id) is None:
            return mark_offline(station_id, now, Why.DISCONNECTED, disconnected=station.disconnected)
        liveness_repository.clear_disconnected(station_id, station.disconnected)  # it reconnected within the grace
    if silent:
        return mark_offline(station_id, now, Why.SILENT, seen=station.seen, cutoff=cutoff)
    return False


def restore_known(station_id: str, now: datetime) -> bool:
    """The station is back and will not report (it refused the TriggerMessage): its EVSEs still UNKNOWN
    get their last known statuses. 1 GetItem (liveness) + 1 GetItem and 1 conditional Put (Location)."""
    liveness = liveness_repository.get_liveness(station_id)
    if liveness is None or liveness.offline or not liveness.known:
        return False  # nothing kept, or it went offline again meanwhile

    def attempt(_: retry.Attempt) -> bool:
        current = locations.read_for_station(station_id)
        if current is None:
            return False
        updated = apply_known(current.location, liveness.known, now)
        if updated is None:
            return False
        if not locations.replace_for_station(updated, expected=current):
            raise retry.ReadAgain
        logger.info("station back without reports: last known statuses restored", station_id=station_id)
        return True

    return retry.optimistic(
        attempt, gave_up=f"the Location of {station_id} kept changing; statuses not restored"
    )
