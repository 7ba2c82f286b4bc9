"""Tariffs receiver interface end to end (issue #16 item 2): HTTP → router → logic → DynamoDB (moto).

A CPO PUTs, PATCHes, DELETEs and GETs its own tariffs; the hub keeps every accepted version with its
own time, EMSPs read the result through the tariffs sender."""

from __future__ import annotations

import copy

import pytest
from boto3.dynamodb.conditions import Key
from fastapi.testclient import TestClient

from mobie_hub.core.dynamodb import counting_calls, table
from mobie_hub.core.errors import ConflictingWrite, InvalidRequest
from mobie_hub.core.types import parse_datetime, utcnow
from mobie_hub.locations.inventory_repository import DynamoLocationStore
from mobie_hub.locations.registry import import_locations, import_tariffs
from mobie_hub.tariffs import reference_repository, repository
from mobie_hub.tariffs.registry_repository import DynamoTariffStore
from tests.support.parties import Party, issue
from tests.support.stations import location, tariff

URL = "/ocpi/2.2.1/tariffs/PT/GLP/GLP-AC"
PATCH = {"tariff_alt_text": [{"language": "pt", "text": "Tarifa normal"}], "last_updated": "2024-05-01T00:00:00Z"}


@pytest.fixture
def cpo(aws) -> Party:
    return issue("C", party_id="GLP", role="CPO")


@pytest.fixture
def other_cpo(aws) -> Party:
    return issue("C", party_id="KLC", role="CPO")


def glp(price: float = 0.30, **changes) -> dict:
    return {**tariff("GLP-AC", party_id="GLP", price=price), **changes}


def items(prefix: str, tariff_id: str = "GLP-AC") -> list[dict]:
    pk = repository.tariff_pk("PT", "GLP", tariff_id)
    query = Key("pk").eq(pk) & Key("sk").begins_with(prefix) if prefix else Key("pk").eq(pk)
    return table("tariffs").query(KeyConditionExpression=query, ConsistentRead=True)["Items"]


def assert_refused(response, http_status: int, ocpi_status: int, mentions: str = "") -> None:
    assert response.status_code == http_status, response.text
    body = response.json()
    assert body["status_code"] == ocpi_status
    assert mentions in body["status_message"]


# --- PUT / GET --------------------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["2.2.1", "2.2"])
def test_put_creates_201_replaces_200_and_get_returns_the_hubs_copy(client: TestClient, cpo: Party, version):
    url = f"/ocpi/{version}/tariffs/PT/GLP/GLP-AC"
    before = utcnow()

    created = client.put(url, json=glp(0.30), headers=cpo.headers)
    replaced = client.put(url, json=glp(0.35), headers=cpo.headers)
    got = client.get(url, headers=cpo.headers)

    assert (created.status_code, created.json()["status_code"]) == (201, 1000)
    assert (replaced.status_code, replaced.json()["status_code"]) == (200, 1000)
    data = got.json()["data"]
    assert data["elements"][0]["price_components"][0]["price"] == 0.35
    assert parse_datetime(data["last_updated"]) >= before.replace(microsecond=0)  # the hub's time, not the CPO's
    assert len(items("VERSION#")) == 2


def test_a_put_of_the_stored_content_writes_nothing(client: TestClient, cpo: Party):
    client.put(URL, json=glp(), headers=cpo.headers)
    stamp = client.get(URL, headers=cpo.headers).json()["data"]["last_updated"]

    again = client.put(URL, json=glp(last_updated="2025-06-01T00:00:00Z"), headers=cpo.headers)

    assert (again.status_code, again.json()["status_code"]) == (200, 1000)
    assert client.get(URL, headers=cpo.headers).json()["data"]["last_updated"] == stamp
    assert len(items("VERSION#")) == 1


def test_last_updated_moves_forward_whatever_the_cpo_sends(client: TestClient, cpo: Party):
    client.put(URL, json=glp(0.30, last_updated="2025-01-01T00:00:00Z"), headers=cpo.headers)
    first = client.get(URL, headers=cpo.headers).json()["data"]["last_updated"]
    client.put(URL, json=glp(0.31, last_updated="2020-01-01T00:00:00Z"), headers=cpo.headers)
    second = client.get(URL, headers=cpo.headers).json()["data"]["last_updated"]

    assert parse_datetime(second) > parse_datetime(first) > parse_datetime("2025-01-02T00:00:00Z")


def test_a_put_is_one_read_and_one_transaction(client: TestClient, cpo: Party):
    client.put(URL, json=glp(0.30), headers=cpo.headers)
    with counting_calls() as calls:
        client.put(URL, json=glp(0.31), headers=cpo.headers)

    assert calls["TransactWriteItems"] == 1
    assert calls["GetItem"] == 2  # the caller's token (auth) and the tariff


def test_the_change_reaches_the_emsps_through_the_sender(client: TestClient, cpo: Party, emsp: Party):
    since = utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
    client.put(URL, json=glp(0.30), headers=cpo.headers)

    listed = client.get(f"/ocpi/2.2.1/tariffs?date_from={since}", headers=emsp.headers)

    assert [t["id"] for t in listed.json()["data"]] == ["GLP-AC"]


# --- refusals: nothing written ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "field"),
    [
        (glp(currency="USD"), "currency"),
        (glp(type="PROFILE_GREEN"), "type"),
        (glp(type="AD_HOC_PAYMENT"), "mobie_default_emsp"),
        ({**glp(), "elements": [{"price_components": [{"type": "ENERGY", "price": 0.3, "step_size": 1}],
                                 "restrictions": {"max_power": 22}}]}, "elements.0.restrictions"),
        (glp(id="GLP-DC"), "id"),
        (glp(party_id="KLC"), "party_id"),
        ({k: v for k, v in glp().items() if k != "elements"}, "elements"),
    ],
)
def test_a_tariff_that_breaks_a_rule_is_2001_naming_the_field_and_nothing_is_stored(
    client: TestClient, cpo: Party, body, field
):
    response = client.put(URL, json=body, headers=cpo.headers)

    assert_refused(response, 400, 2001, field)
    assert items("") == []


def test_another_partys_url_is_403_whatever_the_body(client: TestClient, cpo: Party, other_cpo: Party):
    client.put(URL, json=glp(), headers=cpo.headers)

    put = client.put(URL, json=glp(0.99), headers=other_cpo.headers)
    patched = client.patch(URL, json=PATCH, headers=other_cpo.headers)
    deleted = client.delete(URL, headers=other_cpo.headers)
    read = client.get(URL, headers=other_cpo.headers)
    own_body = client.put("/ocpi/2.2.1/tariffs/PT/GLP/KLC-AC",
                          json=tariff("KLC-AC", party_id="KLC"), headers=other_cpo.headers)
    garbage = client.put(URL, json={"not": "a tariff"}, headers=other_cpo.headers)

    for response in (put, patched, deleted, read, own_body, garbage):
        assert_refused(response, 403, 2000, "another party")
    assert client.get(URL, headers=cpo.headers).json()["data"]["elements"][0]["price_components"][0]["price"] == 0.30
    assert len(items("VERSION#")) == 1


def test_an_emsp_cannot_use_the_receiver(client: TestClient, emsp: Party):
    response = client.put("/ocpi/2.2.1/tariffs/PT/EDP/EDP-AC", json=tariff("EDP-AC", party_id="EDP"),
                          headers=emsp.headers)

    assert_refused(response, 403, 2000)
    assert table("tariffs").scan()["Items"] == []  # tests only: never on a request path


def test_get_of_an_unknown_tariff_is_404(client: TestClient, cpo: Party):
    assert_refused(client.get(URL, headers=cpo.headers), 404, 2000, "no tariff GLP-AC")


# --- PATCH (a MOBI.E extension) -------------------------------------------------------------------------
def test_patch_changes_the_fields_it_carries_as_a_new_version(client: TestClient, cpo: Party):
    client.put(URL, json=glp(0.30), headers=cpo.headers)

    patched = client.patch(URL, json=PATCH, headers=cpo.headers)
    data = client.get(URL, headers=cpo.headers).json()["data"]

    assert (patched.status_code, patched.json()["status_code"]) == (200, 1000)
    assert data["tariff_alt_text"] == PATCH["tariff_alt_text"]
    assert data["elements"][0]["price_components"][0]["price"] == 0.30  # untouched
    assert data["last_updated"] != PATCH["last_updated"]
    assert len(items("VERSION#")) == 2


def test_a_patch_that_breaks_a_rule_changes_nothing(client: TestClient, cpo: Party):
    client.put(URL, json=glp(0.30), headers=cpo.headers)

    response = client.patch(URL, json={"currency": "USD", "last_updated": "2024-05-01T00:00:00Z"}, headers=cpo.headers)

    assert_refused(response, 400, 2001, "currency")
    assert client.get(URL, headers=cpo.headers).json()["data"]["currency"] == "EUR"
    assert len(items("VERSION#")) == 1


def test_patch_of_an_unknown_tariff_is_404_and_without_last_updated_2001(client: TestClient, cpo: Party):
    assert_refused(client.patch(URL, json=PATCH, headers=cpo.headers), 404, 2000, "PUT it first")
    client.put(URL, json=glp(), headers=cpo.headers)
    assert_refused(client.patch(URL, json={"currency": "EUR"}, headers=cpo.headers), 400, 2001, "last_updated")


# --- DELETE -----------------------------------------------------------------------------------------
def glp_station(station_id: str = "LSB-00900", tariff_id: str = "GLP-AC") -> dict:
    return location(station_id, party_id="GLP", tariff_id=tariff_id, evses=1)


def test_delete_removes_the_tariff_and_keeps_its_history(client: TestClient, cpo: Party, emsp: Party):
    client.put(URL, json=glp(), headers=cpo.headers)

    deleted = client.delete(URL, headers=cpo.headers)

    assert (deleted.status_code, deleted.json()["status_code"]) == (200, 1000)
    assert_refused(client.get(URL, headers=cpo.headers), 404, 2000)
    assert client.get("/ocpi/2.2.1/tariffs?date_from=2000-01-01T00:00:00Z", headers=emsp.headers).json()["data"] == []
    assert [bool(v.get("deleted")) for v in items("VERSION#")] == [False, True]
    assert_refused(client.delete(URL, headers=cpo.headers), 404, 2000)
    assert_refused(client.patch(URL, json=PATCH, headers=cpo.headers), 404, 2000)


def test_a_deleted_tariff_can_be_created_again_stamped_after_its_deletion(client: TestClient, cpo: Party):
    client.put(URL, json=glp(0.30), headers=cpo.headers)
    client.delete(URL, headers=cpo.headers)
    deleted_at = items("VERSION#")[-1]["sk"].removeprefix("VERSION#")

    created = client.put(URL, json=glp(0.40), headers=cpo.headers)

    assert (created.status_code, created.json()["status_code"]) == (201, 1000)
    recreated_at = client.get(URL, headers=cpo.headers).json()["data"]["last_updated"]
    assert parse_datetime(recreated_at) > parse_datetime(deleted_at)
    assert [bool(v.get("deleted")) for v in items("VERSION#")] == [False, True, False]


def test_delete_of_a_tariff_a_connector_references_is_refused_and_changes_nothing(client: TestClient, cpo: Party):
    client.put(URL, json=glp(), headers=cpo.headers)
    import_locations([glp_station()], DynamoLocationStore(), DynamoTariffStore())

    refused = client.delete(URL, headers=cpo.headers)

    assert_refused(refused, 409, 2000, "location LSB-00900 (LSB-00900-01/LSB-00900-01-01)")
    assert client.get(URL, headers=cpo.headers).status_code == 200
    assert len(items("VERSION#")) == 1


def test_once_no_connector_references_it_the_tariff_can_be_deleted(client: TestClient, cpo: Party):
    client.put(URL, json=glp(), headers=cpo.headers)
    client.put("/ocpi/2.2.1/tariffs/PT/GLP/GLP-DC", json=glp(id="GLP-DC"), headers=cpo.headers)
    import_locations([glp_station()], DynamoLocationStore(), DynamoTariffStore())

    import_locations([glp_station(tariff_id="GLP-DC")], DynamoLocationStore(), DynamoTariffStore())

    assert client.delete(URL, headers=cpo.headers).json()["status_code"] == 1000
    assert_refused(client.delete("/ocpi/2.2.1/tariffs/PT/GLP/GLP-DC", headers=cpo.headers), 409, 2000, "LSB-00900")


def test_a_reference_recorded_after_the_delete_read_makes_it_read_again(client: TestClient, cpo: Party):
    """The race: the registry holds a reference between the DELETE's read and its write."""
    client.put(URL, json=glp(), headers=cpo.headers)
    key = ("PT", "GLP", "GLP-AC")
    stored, refs = repository.read(*key), reference_repository.references(key)
    reference_repository.hold_references({key: {"LSB-00900": ["LSB-00900-01/LSB-00900-01-01"]}})

    with pytest.raises(ConflictingWrite):
        repository.delete(key, stored, utcnow(), refs.revision)
    assert repository.read(*key) is not None


def test_a_reference_to_a_deleted_tariff_is_refused_and_no_location_is_written(client: TestClient, cpo: Party):
    client.put(URL, json=glp(), headers=cpo.headers)
    key = ("PT", "GLP", "GLP-AC")
    client.delete(URL, headers=cpo.headers)

    with pytest.raises(InvalidRequest, match="tariff GLP-AC of PT/GLP does not exist"):
        reference_repository.hold_references({key: {"LSB-00900": ["LSB-00900-01/LSB-00900-01-01"]}})
    assert items("REF#") == []


# --- the import beside the receiver ------------------------------------------------------------------
def test_the_import_and_the_receiver_write_versions_in_the_order_they_reach_the_hub(client: TestClient, cpo: Party):
    client.put(URL, json=glp(0.30), headers=cpo.headers)
    imported = copy.deepcopy(glp(0.40))

    import_tariffs([imported], DynamoTariffStore(), now=parse_datetime("2020-01-01T00:00:00Z"))

    data = client.get(URL, headers=cpo.headers).json()["data"]
    stamps = [v["sk"] for v in items("VERSION#")]
    assert data["elements"][0]["price_components"][0]["price"] == 0.40  # the later write wins
    assert stamps == sorted(stamps) and len(stamps) == 2
    assert data["last_updated"] > "2020-01-02"  # just after the CPO's version, not the import's clock
