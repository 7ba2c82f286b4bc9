"""What the tariffs feature offers the other features (docs/architecture.md, "Import rules"): tariffs
by key, the version of each in force at a time (CDR pricing), the store the station registry imports
into (its references from connectors included), and the profile's rules for a tariff."""

from mobie_hub.tariffs.repository import (
    DynamoTariffStore,
    TariffKey,
    get_tariffs,
    hold_references,
    release_references,
    versions_at,
)
from mobie_hub.tariffs.rules import tariff_problems

__all__ = [
    "DynamoTariffStore",
    "TariffKey",
    "get_tariffs",
    "hold_references",
    "release_references",
    "tariff_problems",
    "versions_at",
]
