"""What the tariffs feature offers the other features (docs/architecture.md, "Import rules"): tariffs
by key, the version of each in force at a time (CDR pricing), the store the station registry imports
into, and the references from connectors it records (a referenced tariff cannot be deleted). The
profile's rules for a tariff are ``tariffs.rules`` (logic, no storage)."""

from mobie_hub.tariffs.keys import TariffKey
from mobie_hub.tariffs.reference_repository import hold_references, release_references
from mobie_hub.tariffs.repository import DynamoTariffStore, get_tariffs, versions_at

__all__ = [
    "DynamoTariffStore",
    "TariffKey",
    "get_tariffs",
    "hold_references",
    "release_references",
    "versions_at",
]
