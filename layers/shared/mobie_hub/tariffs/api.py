"""What the tariffs feature offers the other features (docs/architecture.md, "Import rules"): tariffs
by key (CDR pricing) and the store the station registry imports into."""

from mobie_hub.tariffs.repository import DynamoTariffStore, TariffKey, get_tariffs

__all__ = ["DynamoTariffStore", "TariffKey", "get_tariffs"]
