"""The tariffs receiver interface (OCPI 2.2.1 mod_tariffs §11.2.2; issue #16) as logic: a CPO's
GET / PUT / PATCH / DELETE of its own tariffs at the hub.

Every rule is checked before the one write, so a refused request stores nothing: the URL is the
caller's own ``{country_code}/{party_id}`` (else HTTP 403, ``core.ownership``), the Tariff is the one
the URL names and meets profile §9 (``tariffs.rules``; else OCPI 2001 naming the field). An accepted
tariff is a new version stamped with the hub's time (``tariffs.repository``); DELETE is refused while
a connector references the tariff (``tariffs.reference_repository``, ``TariffInUse``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from mobie_hub.core import retry, validation
from mobie_hub.core.context import Caller
from mobie_hub.core.errors import ConflictingWrite, NotFound
from mobie_hub.core.models import dump_ocpi
from mobie_hub.core.ownership import ensure_own
from mobie_hub.core.types import utcnow
from mobie_hub.tariffs import reference_repository, repository
from mobie_hub.tariffs.keys import TariffKey
from mobie_hub.tariffs.models import Tariff
from mobie_hub.tariffs.reference_repository import References
from mobie_hub.tariffs.repository import stamp_after
from mobie_hub.tariffs.rules import check_addressed, check_tariff


class TariffInUse(ConflictingWrite):
    """A DELETE of a tariff that connectors still reference (mod_tariffs §11.2.2 DELETE: "it is
    RECOMMENDED to ensure that the Tariff object is not referenced by any Connector object"). The
    request conflicts with the hub's state: HTTP 409 with OCPI 2000 (the spec gives no status of its
    own), nothing changes."""


def ensure_owner(who: Caller, key: TariffKey) -> None:
    """The URL's country_code/party_id must be the calling CPO's (the catalogue lets only CPOs reach
    the receiver interface, ``ocpi.auth``)."""
    ensure_own(caller_country_code=who.country_code, caller_party_id=who.party_id,
               country_code=key[0], party_id=key[1], what="tariffs")


def _unknown(key: TariffKey, hint: str = "") -> NotFound:
    return NotFound(f"no tariff {key[2]} of {key[0].upper()}/{key[1].upper()}{hint}")


def _check(tariff: Tariff, key: TariffKey) -> Tariff:
    check_addressed(tariff, country_code=key[0], party_id=key[1], tariff_id=key[2])
    check_tariff(tariff)
    return tariff


def get(key: TariffKey) -> Tariff:
    """The tariff as the hub holds it (``last_updated`` the hub's stamp); ``NotFound`` (HTTP 404)."""
    stored = repository.read(*key)
    if stored is None or stored.tariff is None:
        raise _unknown(key)
    return stored.tariff


def _addressed(tariff: Tariff, key: TariffKey) -> Tariff:
    """The tariff under the URL's key (the body may spell the CiStrings in another case)."""
    return tariff.model_copy(update={"country_code": key[0].upper(), "party_id": key[1].upper(), "id": key[2]})


def put(tariff: Tariff, key: TariffKey, now: datetime | None = None) -> bool:
    """Create or replace the tariff the URL names; True when created."""
    _check(tariff, key)
    return repository.accept(_addressed(tariff, key), now)[1]


def merge_patch(stored: Tariff, patch: BaseModel) -> Tariff:
    """The tariff after a PATCH: the fields the body carries replace the stored ones (a nested object
    or list whole, ``null`` clears an optional field); ``InvalidRequest`` naming the field when the
    result is no valid Tariff."""
    changes: dict[str, Any] = patch.model_dump(mode="json", exclude_unset=True)
    return validation.parse(Tariff, {**dump_ocpi(stored), **changes})


def patch(body: BaseModel, key: TariffKey, now: datetime | None = None) -> Tariff:
    """Apply a PATCH body (``partial_model(Tariff)``; a MOBI.E extension: mod_tariffs has no PATCH) to
    the stored tariff; the result must pass every rule a PUT must. ``NotFound`` when there is nothing
    to patch (PUT it first)."""

    def attempt(_: retry.Attempt) -> Tariff:
        stored = repository.read(*key)
        if stored is None or stored.tariff is None:
            raise _unknown(key, "; PUT it first")
        merged = _addressed(_check(merge_patch(stored.tariff, body), key), key)
        try:
            return repository.store_next(merged, stored, now)
        except ConflictingWrite:
            raise retry.ReadAgain from None

    return retry.optimistic(attempt, gave_up=f"tariff {key[2]} changed while it was being patched")


def describe(references: References, most: int = 3) -> str:
    shown = [f"location {r.location_id} ({', '.join(r.connectors)})" for r in references.found[:most]]
    more = len(references.found) - most
    return "; ".join(shown) + (f" and {more} more location(s)" if more > 0 else "")


def delete(key: TariffKey, now: datetime | None = None) -> None:
    """Delete the tariff unless a connector references it (``TariffInUse`` naming them; nothing
    changes); ``NotFound`` when there is none. The deletion is a version too: a session that started
    before it is still priced with the version it started with."""

    def attempt(_: retry.Attempt) -> None:
        previous = repository.read(*key)
        if previous is None or previous.tariff is None:
            raise _unknown(key)
        references = reference_repository.references(key)
        if references.found:
            raise TariffInUse(f"tariff {key[2]} is still referenced by {describe(references)}: not deleted")
        try:
            repository.delete(key, previous, stamp_after(previous, now or utcnow()), references.revision)
        except ConflictingWrite:
            raise retry.ReadAgain from None

    retry.optimistic(attempt, gave_up=f"tariff {key[2]} changed while it was being deleted")
