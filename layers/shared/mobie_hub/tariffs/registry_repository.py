"""The station registry's ``TariffStore`` port on DynamoDB (``locations.registry``): the tariffs an
import writes, and the connectors' references it holds and releases (``tariffs.reference_repository``).

Releasing a reference is the only delete of the ``tariffs`` table, so it lives here, loaded only where
Locations are imported (the admin Lambda, the local hub): a function's DynamoDB grants follow the modules
it can load (infra/grants.py), and the tariffs and CDR Lambdas, which read and write tariffs, may not
delete from the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mobie_hub.core.dynamodb import table
from mobie_hub.core.identifiers import cistring_key
from mobie_hub.tariffs.keys import REF, TariffKey, item_key
from mobie_hub.tariffs.reference_repository import hold_references
from mobie_hub.tariffs.repository import get_tariffs, put_tariffs


def release_references(released: Mapping[TariffKey, Iterable[str]]) -> None:
    """Forget references the Locations no longer make (after they were written; a reference left
    behind only makes a DELETE refuse, naming the Location)."""
    with table("tariffs").batch_writer() as batch:
        for key, location_ids in released.items():
            for location_id in location_ids:
                batch.delete_item(Key=item_key(key, REF + cistring_key(location_id)))


class DynamoTariffStore:
    """The station registry's TariffStore port on DynamoDB."""

    get_many = staticmethod(get_tariffs)
    put_many = staticmethod(put_tariffs)
    hold = staticmethod(hold_references)
    release = staticmethod(release_references)

    @staticmethod
    def existing(keys: Iterable[TariffKey]) -> set[TariffKey]:
        return set(get_tariffs(keys))

