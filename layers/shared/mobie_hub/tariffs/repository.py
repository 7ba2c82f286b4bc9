"""OCPI Tariffs in the ``tariffs`` table (docs/dynamodb.md, docs/pricing.md "Tariff versions").

| item | pk | sk | other attributes |
|---|---|---|---|
| the tariff as EMSPs see it now (listed) | ``TARIFF#<cc>#<pid>#<id>`` | ``TARIFF`` | ``doc``, ``last_updated``, ``versioned``; gsi1/gsi2 = ``TARIFF`` / ``<last_updated>#<cc>#<pid>#<id>``; after a DELETE only ``last_updated`` and ``deleted`` (unlisted) |
| every accepted version, by the hub's time | same | ``VERSION#<hub time>`` | ``doc``, or ``deleted`` |

The listed item and its version are written in one transaction, conditional on the listed item
being the one read, so versions are strictly ordered by the hub's time and the listed item is the
newest of them: every accepted change (a CPO's PUT, PATCH or DELETE at the receiver, the operator's
``tariffs import``) is stamped with the hub's clock when it is written, strictly after the version
before it (``stamp_after``), and that stamp is the ``last_updated`` EMSPs see. A party's own
``last_updated`` decides nothing. A tariff stored before versions existed has no ``versioned`` flag: its first change
also writes its old content as a version at its own ``last_updated``. The connectors' references to
a tariff, in the same partition, are ``tariffs.reference_repository``'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mobie_hub.core import documents, retry, transact
from mobie_hub.core.dynamodb import batch_get, table
from mobie_hub.core.errors import ConflictingWrite
from mobie_hub.core.keys import sortable_time
from mobie_hub.core.listing import ListIndex, query_page
from mobie_hub.core.paging import Page, PageRequest
from mobie_hub.core.types import parse_datetime, utcnow
from mobie_hub.tariffs import reference_repository
from mobie_hub.tariffs.keys import SK, VERSION, TariffKey, item_key, key_of, tariff_pk
from mobie_hub.tariffs.models import Tariff

LISTED = ListIndex("tariffs", "TARIFF")
# Sort keys hold milliseconds (core.keys.sortable_time): consecutive versions are at least this apart.
TICK = timedelta(milliseconds=1)


def tariff_item(tariff: Tariff) -> dict[str, Any]:
    last_updated = sortable_time(tariff.last_updated)
    list_key = f"{last_updated}#{tariff.country_code}#{tariff.party_id}#{tariff.id}"
    return {
        "pk": tariff_pk(tariff.country_code, tariff.party_id, tariff.id),
        "sk": SK,
        "last_updated": last_updated,
        "versioned": True,
        "gsi1pk": LISTED.partition, "gsi1sk": list_key,
        "gsi2pk": LISTED.partition, "gsi2sk": list_key,
        "doc": documents.encode(tariff),
    }


def version_item(key: TariffKey, stamp: str, tariff: Tariff | None) -> dict[str, Any]:
    """The version accepted at ``stamp`` (the hub's time); ``None``: the tariff was deleted then."""
    item: dict[str, Any] = item_key(key, VERSION + stamp)
    if tariff is None:
        item["deleted"] = True
    else:
        item["doc"] = documents.encode(tariff)
    return item


@dataclass(frozen=True)
class StoredTariff:
    """The listed item as read: the tariff (``None`` once deleted: the item keeps the deletion's stamp,
    so a tariff created again is stamped after it) and what a conditional write compares."""

    tariff: Tariff | None
    last_updated: str  # the hub's stamp (core.keys.sortable_time), as stored
    versioned: bool


def _stored(item: dict[str, Any]) -> StoredTariff:
    tariff = None if item.get("deleted") else documents.decode(item, Tariff)
    return StoredTariff(tariff, item["last_updated"], bool(item.get("versioned")))


def deleted_item(key: TariffKey, stamp: str) -> dict[str, Any]:
    """The listed item of a deleted tariff: out of the list (no index keys), its stamp kept."""
    return {**item_key(key, SK), "last_updated": stamp, "versioned": True, "deleted": True}


def get_tariff(country_code: str, party_id: str, tariff_id: str) -> Tariff | None:
    stored = read(country_code, party_id, tariff_id)
    return stored.tariff if stored else None  # None too when deleted


def read(country_code: str, party_id: str, tariff_id: str) -> StoredTariff | None:
    """The listed tariff, read strongly consistent (a write's condition compares it)."""
    item = table("tariffs").get_item(Key=item_key((country_code, party_id, tariff_id), SK), ConsistentRead=True)
    return _stored(item["Item"]) if "Item" in item else None


def get_tariffs(keys: Iterable[TariffKey]) -> dict[TariffKey, Tariff]:
    wanted = [item_key(key, SK) for key in dict.fromkeys(keys)]
    items = (item for item in batch_get("tariffs", wanted) if not item.get("deleted"))
    tariffs = (documents.decode(item, Tariff) for item in items)
    return {key_of(t): t for t in tariffs}


def _version_actions(key: TariffKey, tariff: Tariff | None, previous: StoredTariff | None, stamp: str) -> list[Any]:
    actions = [transact.put("tariffs", version_item(key, stamp, tariff), "attribute_not_exists(pk)", name="version")]
    if previous is not None and previous.tariff is not None and not previous.versioned:
        # stored before versions existed: its content becomes the version at its own stamp
        actions.append(transact.put("tariffs", version_item(key, previous.last_updated, previous.tariff),
                                    "attribute_not_exists(pk)", name="first_version"))
    return actions


def _listed_condition(previous: StoredTariff | None) -> dict[str, Any]:
    if previous is None:
        return {"condition": "attribute_not_exists(pk)"}
    return {"condition": "last_updated = :read", "ExpressionAttributeValues": {":read": previous.last_updated}}


def write(tariff: Tariff, previous: StoredTariff | None) -> None:
    """Store ``tariff`` (its ``last_updated`` the hub's stamp, after ``previous``'s) as the listed
    tariff and as a version, on condition that the listed one is still ``previous``: one transaction
    of two items (three for a tariff stored before versions). ``ConflictingWrite`` when another write
    came first (read again)."""
    stamp = sortable_time(tariff.last_updated)
    actions = [
        transact.put("tariffs", tariff_item(tariff), name="listed", **_listed_condition(previous)),
        *_version_actions(key_of(tariff), tariff, previous, stamp),
    ]
    try:
        transact.write(actions)
    except transact.Cancelled as cancelled:
        raise ConflictingWrite(f"tariff {tariff.id} changed while it was being written") from cancelled


def delete(key: TariffKey, previous: StoredTariff, stamp: datetime, revision: int) -> None:
    """Take the tariff out of the list and record the deletion as a version at ``stamp``, on
    condition that the listed item is still ``previous`` and no reference was recorded since
    ``revision`` was read: one transaction. ``ConflictingWrite`` when either changed (read again)."""
    actions = [
        transact.put("tariffs", deleted_item(key, sortable_time(stamp)), name="listed", **_listed_condition(previous)),
        reference_repository.unchanged_since(key, revision),
        *_version_actions(key, None, previous, sortable_time(stamp)),
    ]
    try:
        transact.write(actions)
    except transact.Cancelled as cancelled:
        raise ConflictingWrite(f"tariff {key[2]} changed while it was being deleted") from cancelled


def version_at(key: TariffKey, at: datetime) -> Tariff | None:
    """The version of the tariff in force at ``at`` (the newest accepted at or before it; ``None``
    when it was deleted then or did not exist yet). One Query; a tariff stored before versions
    existed and never changed since has none, and is its listed item (one GetItem more)."""
    page = table("tariffs").query(
        KeyConditionExpression="pk = :pk AND sk BETWEEN :first AND :at",
        ExpressionAttributeValues={":pk": tariff_pk(*key), ":first": VERSION, ":at": VERSION + sortable_time(at)},
        ScanIndexForward=False, Limit=1,
    )
    if page.get("Items"):
        item = page["Items"][0]
        return None if item.get("deleted") else documents.decode(item, Tariff)
    listed = read(*key)
    return listed.tariff if listed is not None and not listed.versioned else None  # (a deleted one is versioned)


def versions_at(keys: Iterable[TariffKey], at: datetime) -> dict[TariffKey, Tariff]:
    """Each tariff's version in force at ``at``, for those that had one (CDR pricing: one Query each)."""
    found = {key: version_at(key, at) for key in dict.fromkeys(keys)}
    return {key: tariff for key, tariff in found.items() if tariff is not None}


def tariffs_page(page: PageRequest) -> Page[Tariff]:
    raw = query_page(LISTED, page)
    return Page([documents.decode(i, Tariff) for i in raw.items], raw.total, raw.next_cursor)


def _tick(value: datetime) -> datetime:
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def stamp_after(previous: StoredTariff | None, now: datetime) -> datetime:
    """The hub's time for the next version: ``now`` (to the millisecond), or just after the version
    before when that one is not older (another instance's clock ran ahead)."""
    stamp = _tick(now)
    before = parse_datetime(previous.last_updated) if previous is not None else None
    return before + TICK if before is not None and stamp <= before else stamp


def same_content(a: Tariff, b: Tariff) -> bool:
    """Whether two tariffs differ only in ``last_updated`` (a PUT of what is stored writes nothing)."""
    return a.model_copy(update={"last_updated": b.last_updated}) == b


def store_next(tariff: Tariff, previous: StoredTariff | None, now: datetime | None = None) -> Tariff:
    """``tariff`` as the version after ``previous`` (the listed tariff as read), stamped with the
    hub's time, returned as stored; the same content as ``previous`` writes nothing.
    ``ConflictingWrite`` when another write came after the read."""
    if previous is not None and previous.tariff is not None and same_content(previous.tariff, tariff):
        return previous.tariff
    stamped = tariff.model_copy(update={"last_updated": stamp_after(previous, now or utcnow())})
    write(stamped, previous)
    return stamped


def accept(tariff: Tariff, now: datetime | None = None) -> tuple[Tariff, bool]:
    """Store ``tariff`` as its next version (``store_next``); returns it as stored and whether it is
    new. Read, then one conditional transaction; read again if another write came in between."""

    def attempt(_: retry.Attempt) -> tuple[Tariff, bool]:
        previous = read(*key_of(tariff))
        try:
            return store_next(tariff, previous, now), previous is None or previous.tariff is None
        except ConflictingWrite:
            raise retry.ReadAgain from None

    return retry.optimistic(attempt, gave_up=f"tariff {tariff.id} changed while it was being stored")


def put_tariffs(tariffs: list[Tariff]) -> None:
    """The station registry's writes: each tariff a new version, its ``last_updated`` the import's time
    unless a newer version is there already (then just after it)."""
    for tariff in tariffs:
        accept(tariff, tariff.last_updated)
