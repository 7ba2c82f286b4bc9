"""A Location as another feature checks it, read-only: its party, whether it is published, and its
EVSEs with their status, capabilities and connector ids, in that order (an EVSE's 1-based place is
its OCPP connectorId, docs/ocpp.md).

Read from the stored document as plain values, without the Location model: the commands Lambda
checks a command against these facts alone, and importing the model with its repositories would
cost its cold start more than the rest of the check (docs/architecture.md, "What a cold start
imports"). Statuses and capabilities are the OCPI values as strings, and the two facts a check
asks most are properties (the enums module alone would cost the commands Lambda more than this
one; the members of ``locations.enums.Status`` and ``Capability`` compare equal to the strings).
"""

from __future__ import annotations

import json
from typing import NamedTuple

from mobie_hub.locations.document_repository import get_document


class EvseView(NamedTuple):
    uid: str
    status: str
    capabilities: tuple[str, ...]
    connector_ids: tuple[str, ...]

    @property
    def removed(self) -> bool:
        """OCPI Status REMOVED: the EVSE is no longer there (kept in the Location, so the other
        EVSEs keep their places)."""
        return self.status == "REMOVED"

    @property
    def remote_start_stop_capable(self) -> bool:
        """OCPI Capability REMOTE_START_STOP_CAPABLE: sessions can be started and stopped remotely."""
        return "REMOTE_START_STOP_CAPABLE" in self.capabilities


class LocationView(NamedTuple):
    id: str
    country_code: str
    party_id: str
    publish: bool
    evses: tuple[EvseView, ...]


def location_view(location_id: str) -> LocationView | None:
    """The Location's view, or None when there is no such Location (one GetItem)."""
    document = get_document(location_id)
    return None if document is None else parse(document)


def parse(document: str) -> LocationView:
    """The view of a stored document (``dump_ocpi``'s shape: optional fields left out when unset)."""
    location = json.loads(document)
    evses = tuple(
        EvseView(
            evse["uid"],
            evse["status"],
            tuple(evse.get("capabilities", ())),
            tuple(connector["id"] for connector in evse["connectors"]),
        )
        for evse in location.get("evses", ())
    )
    return LocationView(location["id"], location["country_code"], location["party_id"], location["publish"], evses)
