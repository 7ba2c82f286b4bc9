"""Every Location at once, for the operator (the admin Lambda): each Location's id and party (a Scan)
and the station import's batch write.

Kept apart from ``locations.repository`` because a function's DynamoDB grants follow the modules it can
load (infra/grants.py): the Lambdas serving stations and EMSPs, which read and write one Location at a
time, may neither Scan nor batch-write the locations table.
"""

from __future__ import annotations

from mobie_hub.core.dynamodb import table
from mobie_hub.locations.keys import SK
from mobie_hub.locations.models import Location
from mobie_hub.locations.repository import get_locations, location_item


def location_ids() -> list[str]:
    """Every Location id, private ones included (operator bulk operations)."""
    return [location_id for location_id, _, _ in location_parties()]


def location_parties() -> list[tuple[str, str, str]]:
    """Every Location's (id, country_code, party_id), private ones included, by id: a Scan of those
    attributes only (operator listings: which CPO operates which station)."""
    locations, found, start = table("locations"), [], {}
    while True:
        page = locations.scan(
            ProjectionExpression="pk, sk, location_id, country_code, party_id", **start
        )
        # location_id keeps the id's case (the key is upper-cased); items written before it had none
        found += [
            (item.get("location_id") or item["pk"].removeprefix("LOC#"), item.get("country_code", ""),
             item.get("party_id", ""))
            for item in page["Items"] if item["sk"] == SK
        ]
        if "LastEvaluatedKey" not in page:
            return sorted(found)
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def put_locations(locations: list[Location]) -> None:
    with table("locations").batch_writer() as batch:
        for location in locations:
            batch.put_item(Item=location_item(location))



class DynamoLocationStore:
    """The station registry's LocationStore port on DynamoDB."""

    get_many = staticmethod(get_locations)
    put_many = staticmethod(put_locations)
