"""What the tariffs feature offers the other features (docs/architecture.md, "Import rules"): tariffs
by key and the version of each in force at a time (CDR pricing). The store the station registry
imports into, which records the references from connectors (a referenced tariff cannot be deleted),
is ``tariffs.operator_api.DynamoTariffStore``: apart, because it deletes references and the CDR
Lambda that prices with this module may not. The profile's rules for a tariff are ``tariffs.rules``
(logic, no storage)."""

from mobie_hub.tariffs.keys import TariffKey
from mobie_hub.tariffs.repository import get_tariffs, versions_at

__all__ = [
    "TariffKey",
    "get_tariffs",
    "versions_at",
]
