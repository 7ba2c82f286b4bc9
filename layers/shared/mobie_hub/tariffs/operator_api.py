"""What the tariffs feature offers the other features' operator operations (their ``admin.py``, run by
the admin Lambda and the CLI): the station registry's ``TariffStore``, which the Locations import writes
tariffs and connector references through. Apart from ``api.py`` because releasing a reference deletes
items, which only the admin Lambda may (a function's DynamoDB grants follow the modules it can load,
infra/grants.py; ``api.py`` is loaded by the CDR Lambda)."""

from mobie_hub.tariffs.registry_repository import DynamoTariffStore

__all__ = ["DynamoTariffStore"]
