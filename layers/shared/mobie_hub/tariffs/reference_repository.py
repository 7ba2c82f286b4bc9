"""The connectors' references to a tariff in the ``tariffs`` table (docs/dynamodb.md), kept so that
a referenced tariff cannot be deleted (mod_tariffs §11.2.2 DELETE; ``tariffs.receiver``).

| item | pk | sk | other attributes |
|---|---|---|---|
| the references' revision (DELETE's guard) | ``TARIFF#<cc>#<pid>#<id>`` | ``REFS`` | ``revision`` |
| a Location whose connectors reference it | same | ``REF#<LOCATION ID>`` | ``location_id``, ``connectors`` |

The station registry holds a Location's references before it writes the Location (each hold bumps
the revision) and releases those it no longer makes after (``tariffs.registry_repository``: the one delete
of the table, apart so that only the functions that import Locations may delete from it); a DELETE reads the revision with the
references and is conditional on it (``unchanged_since``), so a reference recorded in between makes
the DELETE read again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from mobie_hub.core import transact
from mobie_hub.core.dynamodb import table
from mobie_hub.core.errors import ConflictingWrite, InvalidRequest
from mobie_hub.core.identifiers import cistring_key
from mobie_hub.tariffs.keys import REF, REFS, SK, TariffKey, item_key, tariff_pk

# One TransactWriteItems holds 100 actions: the tariff's check and the revision leave 98 references.
REFS_PER_TRANSACTION = 98


@dataclass(frozen=True)
class Reference:
    """A Location whose connectors (``"<evse uid>/<connector id>"``) list the tariff."""

    location_id: str
    connectors: tuple[str, ...]


@dataclass(frozen=True)
class References:
    revision: int  # of the REFS item when read: a DELETE is conditional on it
    found: tuple[Reference, ...]


def references(key: TariffKey) -> References:
    """The Locations the station registry recorded as referencing the tariff: the revision (GetItem)
    first, then the references (Query of the tariff's partition), both strongly consistent."""
    refs = table("tariffs").get_item(Key=item_key(key, REFS), ConsistentRead=True).get("Item") or {}
    found = [
        Reference(item["location_id"], tuple(item.get("connectors") or ()))
        for item in _query(tariff_pk(*key), REF)
    ]
    return References(int(refs.get("revision", 0)), tuple(found))


def _query(pk: str, prefix: str) -> Iterator[dict[str, Any]]:
    request: dict[str, Any] = {
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
        "ExpressionAttributeValues": {":pk": pk, ":prefix": prefix}, "ConsistentRead": True,
    }
    while True:
        page = table("tariffs").query(**request)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def unchanged_since(key: TariffKey, revision: int) -> transact.Action:
    """A transaction's check, named ``references``: no reference was recorded since ``revision``."""
    return transact.condition_check("tariffs", item_key(key, REFS), "attribute_not_exists(pk) OR revision = :revision",
                                    name="references", ExpressionAttributeValues={":revision": revision})


def hold_references(held: Mapping[TariffKey, Mapping[str, Iterable[str]]]) -> None:
    """Record that these Locations' connectors reference these tariffs (tariff → location id →
    connectors), before the Locations are written: per tariff (and per 98 Locations) one transaction
    that checks the tariff exists, bumps its references' revision (a DELETE that read the old one
    fails) and puts the references. ``InvalidRequest`` naming a tariff that no longer exists."""
    for key, by_location in held.items():
        items = list(by_location.items())
        for start in range(0, len(items), REFS_PER_TRANSACTION):
            chunk = items[start : start + REFS_PER_TRANSACTION]
            actions = [
                transact.condition_check("tariffs", item_key(key, SK), "attribute_exists(pk) AND attribute_not_exists(deleted)",
                                         name="tariff"),
                transact.update("tariffs", item_key(key, REFS), "ADD revision :one", name="revision",
                                ExpressionAttributeValues={":one": 1}),
                *(
                    transact.put("tariffs", {**item_key(key, REF + cistring_key(location_id)),
                                             "location_id": location_id, "connectors": sorted(connectors)},
                                 name=f"ref{n}")
                    for n, (location_id, connectors) in enumerate(chunk)
                ),
            ]
            try:
                transact.write(actions)
            except transact.Cancelled as cancelled:
                if cancelled.condition_failed("tariff"):
                    raise InvalidRequest(f"tariff {key[2]} of {key[0]}/{key[1]} does not exist") from None
                raise ConflictingWrite(f"the references of tariff {key[2]} kept changing") from cancelled
