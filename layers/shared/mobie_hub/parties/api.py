"""What the parties feature offers the other features (docs/architecture.md, "Import rules"): a party
by key, every party, and which of some parties are registered now."""

from mobie_hub.parties.repository import get_party, list_parties, registered_keys, require_party

__all__ = ["get_party", "list_parties", "registered_keys", "require_party"]
