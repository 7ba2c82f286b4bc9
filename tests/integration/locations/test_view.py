"""``locations.view``: the few facts of a stored Location that commands checks, read without the
Location model, agree with the model's reading of the same item (the view must not drift from it)."""

from __future__ import annotations

import pytest

from mobie_hub.locations.enums import Capability, Status
from mobie_hub.locations.models import MobieLocation
from mobie_hub.locations.repository import get_location, put_location
from mobie_hub.locations.view import EvseView, LocationView, location_view
from tests.support.stations import location


def stored(document: dict) -> MobieLocation:
    put_location(MobieLocation.model_validate(document))
    return get_location(document["id"])


def test_the_view_holds_what_the_model_reads_of_the_item(aws):
    document = location("Fun-Ab1", party_id="EDP")
    document["evses"][1] |= {"status": "OUTOFORDER", "capabilities": ["RFID_READER"]}
    document["evses"][1]["connectors"].append(dict(document["evses"][1]["connectors"][0], id="Fun-Ab1-02-02"))
    model = stored(document)

    view = location_view("Fun-Ab1")

    assert view == LocationView(
        id=model.id,
        country_code=model.country_code,
        party_id=model.party_id,
        publish=model.publish,
        evses=tuple(
            EvseView(evse.uid, evse.status, tuple(evse.capabilities or ()), tuple(c.id for c in evse.connectors))
            for evse in model.evses
        ),
    )
    assert view.evses[1] == ("Fun-Ab1-02", Status.OUTOFORDER, (Capability.RFID_READER,), ("Fun-Ab1-02-01", "Fun-Ab1-02-02"))


@pytest.mark.parametrize("written", ["fun-ab1", "FUN-AB1", "Fun-Ab1"])
def test_a_location_is_found_in_any_case_and_keeps_its_ids_as_issued(aws, written):
    stored(location("Fun-Ab1"))

    assert location_view(written).id == "Fun-Ab1"


def test_unset_optional_fields_read_as_empty_and_a_private_location_as_not_published(aws):
    document = location("LSB-00009", publish=False)
    del document["evses"][0]["capabilities"]
    stored(document)
    without_evses = location("LSB-00010")
    del without_evses["evses"]
    stored(without_evses)

    private, empty = location_view("LSB-00009"), location_view("LSB-00010")

    assert (private.publish, private.evses[0].capabilities) == (False, ())
    assert (empty.publish, empty.evses) == (True, ())


def test_an_unknown_location_has_no_view(aws):
    assert location_view("LSB-99999") is None

