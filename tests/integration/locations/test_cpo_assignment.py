"""Which CPO operates a station (issue #16 item 1, contract §2): ``locations.set_cpo`` moves a station to
another party — its identity, EVSE ids, operator and tariff references together — or refuses with every
reason; the EMSPs get the old copy withdrawn and the new one published; sessions keep the CPO (and so
the tariffs) they started with. Against moto, the EMSP a fake party on loopback."""

from __future__ import annotations

import pytest

from mobie_hub.admin.registry import dispatch
from mobie_hub.cdrs.creation import connector_tariffs
from mobie_hub.core.errors import InvalidRequest, NotFound
from mobie_hub.core.models import BusinessDetails, Role
from mobie_hub.locations import station_repository
from mobie_hub.locations.enums import Status
from mobie_hub.locations.inventory_repository import DynamoLocationStore
from mobie_hub.locations.registry import import_locations, import_tariffs
from mobie_hub.locations.repository import get_location
from mobie_hub.parties import repository as parties
from mobie_hub.parties.models import ConnectionStatus
from mobie_hub.parties.party import Party, Registration
from mobie_hub.sessions.models import Session
from mobie_hub.tariffs import reference_repository
from mobie_hub.tariffs.registry_repository import DynamoTariffStore
from tests.support.fake_party import fake_party
from tests.support.parties import register_receiver
from tests.support.stations import location, tariff

STATION = "LSB-00175"


def cpo(party_id: str, registration: Registration = Registration.REGISTERED, name: str | None = None) -> None:
    parties.save(
        Party(role=Role.CPO, country_code="PT", party_id=party_id, registration=registration,
              connection_status=ConnectionStatus.CONNECTED,
              business_details=BusinessDetails(name=name) if name else None),
        expected_revision=None,
    )


@pytest.fixture
def station(aws):
    """LSB-00175 of the hub (PT/MOB, tariff MOB-AC); PT/GLP a registered CPO with its own MOB-AC."""
    for party_id, price in (("MOB", 0.25), ("GLP", 0.40)):
        import_tariffs([tariff(party_id=party_id, price=price)], DynamoTariffStore())
    import_locations([location(STATION)], DynamoLocationStore(), DynamoTariffStore())
    cpo("GLP", name="Galp Power")


def set_cpo(**payload) -> dict:
    return dispatch("locations.set_cpo", {"location_id": STATION, **payload})


def refusal(**payload) -> str:
    with pytest.raises(InvalidRequest) as refused:
        set_cpo(**payload)
    return refused.value.message


def test_a_station_moves_to_a_cpo_with_its_evse_ids_operator_and_tariff_references(station):
    before = get_location(STATION)

    result = set_cpo(party_id="glp")

    assert result["changed"] and (result["from"], result["to"]) == ("PT/MOB", "PT/GLP")
    assert result["cpo"] == "CPO PT/GLP (REGISTERED)"
    moved = get_location(STATION)
    assert (moved.country_code, moved.party_id, moved.operator.name) == ("PT", "GLP", "Galp Power")
    assert [e.evse_id for e in moved.evses] == ["PT*GLP*ELSB*00175*01", "PT*GLP*ELSB*00175*02"]
    assert result["evse_ids"] == {"LSB-00175-01": "PT*GLP*ELSB*00175*01", "LSB-00175-02": "PT*GLP*ELSB*00175*02"}
    assert moved.last_updated > before.last_updated
    assert [c.tariff_ids for e in moved.evses for c in e.connectors] == [["MOB-AC"], ["MOB-AC"]]  # GLP's MOB-AC now
    assert result["tariffs"] == ["PT/GLP/MOB-AC"]
    # The references moved: GLP's tariff cannot be deleted now, MOB's can.
    assert [r.location_id for r in reference_repository.references(("PT", "GLP", "MOB-AC")).found] == [STATION]
    assert reference_repository.references(("PT", "MOB", "MOB-AC")).found == ()
    # Listed by party.
    assert dispatch("locations.list", {"party_id": "GLP"})["locations"] == [
        {"location_id": STATION, "country_code": "PT", "party_id": "GLP"}
    ]
    assert dispatch("locations.list", {"party_id": "MOB"})["count"] == 0


def test_the_operator_name_can_be_given_and_the_hub_takes_a_station_back(station):
    set_cpo(party_id="GLP", operator_name="Galp Electric")
    assert get_location(STATION).operator.name == "Galp Electric"

    back = set_cpo(party_id="MOB")

    assert back["cpo"] == "MOBI.E (the hub itself)" and back["to"] == "PT/MOB"
    stored = get_location(STATION)
    assert (stored.party_id, stored.operator.name) == ("MOB", "Galp Electric")  # the hub has no details to give
    assert stored.evses[0].evse_id == "PT*MOB*ELSB*00175*01"


def test_the_same_party_again_changes_nothing(station):
    before = get_location(STATION)
    assert set_cpo(party_id="MOB")["changed"] is False
    assert get_location(STATION) == before


def test_a_party_that_is_no_cpo_of_the_hub_is_refused(station):
    cpo("OLD", Registration.UNREGISTERED)
    for party_id in ("XYZ", "OLD"):
        message = refusal(party_id=party_id)
        assert f"PT/{party_id} is no CPO party of the hub: invite it first" in message
    assert get_location(STATION).party_id == "MOB"


def test_an_invited_cpo_may_be_assigned_before_it_registers(station):
    cpo("NEW", Registration.INVITED)
    import_tariffs([tariff(party_id="NEW")], DynamoTariffStore())
    assert set_cpo(party_id="NEW")["cpo"] == "CPO PT/NEW (INVITED)"


def test_a_cpo_lacking_a_tariff_the_connectors_reference_is_refused_naming_them(station):
    cpo("IBD")
    message = refusal(party_id="IBD")

    assert "location LSB-00175 stays with PT/MOB" in message
    assert "connector LSB-00175-01/LSB-00175-01-01, LSB-00175-02/LSB-00175-02-01 references tariff MOB-AC, " \
        "which PT/IBD does not have" in message
    assert get_location(STATION).party_id == "MOB"
    assert [r.location_id for r in reference_repository.references(("PT", "MOB", "MOB-AC")).found] == [STATION]


def test_a_station_charging_is_not_reassigned_and_every_reason_is_given(station):
    read = station_repository.read(STATION)
    evses = [read.location.evses[0].model_copy(update={"status": Status.CHARGING}), *read.location.evses[1:]]
    assert station_repository.replace(read.location.model_copy(update={"evses": evses}), expected=read)

    message = refusal(party_id="XYZ")

    assert "3 problem(s)" in message and "which PT/XYZ does not have" in message
    assert "a charge is in progress on EVSE LSB-00175-01" in message and "PT/XYZ is no CPO party" in message


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"party_id": "TOOLONG"}, "party_id"), ({"party_id": "GLP", "country_code": "ES"}, "country_code")],
)
def test_bad_party_identities_are_refused_naming_the_field(station, payload, field):
    assert refusal(**payload).startswith(f"{field}: ")


def test_an_unknown_station_is_not_found(station):
    with pytest.raises(NotFound, match="no location LSB-99999"):
        dispatch("locations.set_cpo", {"location_id": "LSB-99999", "party_id": "GLP"})


def test_a_status_written_meanwhile_is_kept(station, monkeypatch):
    """A StatusNotification between the read and the write: the write fails, the station is read
    again, and both the status and the new party are stored."""
    real_replace = station_repository.replace
    calls = []

    def racing(location, *, expected):
        if not calls:
            current = station_repository.read(STATION)
            evses = [current.location.evses[0].model_copy(update={"status": Status.OUTOFORDER}),
                     *current.location.evses[1:]]
            assert real_replace(current.location.model_copy(update={"evses": evses}), expected=current)
        calls.append(location.party_id)
        return real_replace(location, expected=expected)

    monkeypatch.setattr(station_repository, "replace", racing)
    set_cpo(party_id="GLP")

    assert calls == ["GLP", "GLP"]
    stored = get_location(STATION)
    assert (stored.party_id, stored.evses[0].status) == ("GLP", Status.OUTOFORDER)
    assert [r.location_id for r in reference_repository.references(("PT", "GLP", "MOB-AC")).found] == [STATION]


def test_the_emsps_get_the_old_copy_withdrawn_and_the_new_one_published(station, pushed):
    pushed()  # the import's own pushes (nobody registered yet)
    with fake_party() as edp:
        register_receiver(edp.base_url, "EDP")

        set_cpo(party_id="GLP")
        outcomes = pushed()

    assert outcomes and all(o["ok"] for o in outcomes)
    assert sorted((r.method, r.path) for r in edp.received) == [
        ("PATCH", "/ocpi/emsp/2.2.1/locations/PT/MOB/LSB-00175/LSB-00175-01"),
        ("PATCH", "/ocpi/emsp/2.2.1/locations/PT/MOB/LSB-00175/LSB-00175-02"),
        ("PUT", "/ocpi/emsp/2.2.1/locations/PT/GLP/LSB-00175"),
    ]
    patches = [r.body for r in edp.received if r.method == "PATCH"]
    assert {p["status"] for p in patches} == {"REMOVED"}
    put = next(r.body for r in edp.received if r.method == "PUT")
    assert (put["party_id"], put["evses"][0]["evse_id"], put["evses"][0]["status"]) == (
        "GLP", "PT*GLP*ELSB*00175*01", "AVAILABLE")


def test_a_session_started_before_a_reassignment_is_billed_with_the_tariffs_of_its_cpo(station):
    set_cpo(party_id="GLP")
    session = Session.model_validate({
        "country_code": "PT", "party_id": "MOB", "id": "s-1", "start_date_time": "2027-01-01T09:00:00Z",
        "kwh": 0, "cdr_token": {"country_code": "PT", "party_id": "EDP", "uid": "04A1B2C3", "type": "RFID",
                                "contract_id": "PT-EDP-C-1234ABCD-J"},
        "auth_method": "WHITELIST", "location_id": STATION, "evse_uid": "LSB-00175-01",
        "connector_id": "LSB-00175-01-01", "currency": "EUR", "status": "ACTIVE",
        "last_updated": "2027-01-01T09:00:00Z",
    })
    set_cpo(party_id="MOB")  # while the session runs on GLP's station (its snapshot: cpo PT/GLP)
    moved = get_location(STATION)

    def prices(found):
        return [(t.party_id, float(t.elements[0].price_components[0].price)) for t in found]

    assert prices(connector_tariffs(session, moved, ("PT", "GLP"))) == [("GLP", 0.40)]
    assert prices(connector_tariffs(session, moved)) == [("MOB", 0.25)]  # no snapshot: the Location's party
