"""Fan-out recipients of session and CDR events: only the EMSP that owns the token (if it exposes
the receiver), unlike Location events, which go to every EMSP exposing locations."""

from __future__ import annotations

from mobie_hub.core.versions import Endpoint, InterfaceRole
from mobie_hub.events.envelope import DomainEvent
from mobie_hub.events.fanout import recipients
from mobie_hub.parties.models import ConnectionStatus
from mobie_hub.parties.party import Party, Registration

OWNER = {"country_code": "PT", "party_id": "EDP"}


def party(party_id: str, *modules: str) -> Party:
    return Party(
        country_code="PT", party_id=party_id, registration=Registration.REGISTERED,
        connection_status=ConnectionStatus.CONNECTED, version="2.2.1",
        endpoints=[Endpoint(identifier=m, role=InterfaceRole.RECEIVER, url=f"https://{party_id}.test/{m}")
                   for m in modules],
    )


PARTIES = [party("EDP", "sessions", "cdrs", "locations"), party("GLP", "sessions", "cdrs", "locations")]


def test_session_and_cdr_events_go_to_the_owner_only():
    for name in ("SessionStarted", "SessionUpdated", "SessionCompleted", "CdrCreated"):
        event = DomainEvent.of(name, {"owner": OWNER, "session_id": "S1"})
        assert recipients(event, lambda: PARTIES) == ["PARTY#EMSP#PT#EDP"]


def test_an_owner_without_the_receiver_or_an_event_without_owner_reaches_nobody():
    event = DomainEvent.of("CdrCreated", {"owner": OWNER})
    assert recipients(event, lambda: [party("EDP", "sessions")]) == []
    assert recipients(DomainEvent.of("SessionStarted", {"session_id": "S1"}), lambda: PARTIES) == []


def test_location_events_still_go_to_every_emsp_exposing_locations():
    event = DomainEvent.of("LocationPublished", {"location": {}})
    assert recipients(event, lambda: PARTIES) == ["PARTY#EMSP#PT#EDP", "PARTY#EMSP#PT#GLP"]
