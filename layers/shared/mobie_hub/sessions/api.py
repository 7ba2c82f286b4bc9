"""What the sessions feature offers the other features (docs/architecture.md, "Import rules"): a
session's stored record (the Session, its meter periods and status), as CDR creation reads it;
the party an item's ``owner``/``cpo`` names (the stream's converter)."""

from mobie_hub.sessions.repository import get_record, party_attribute

__all__ = ["get_record", "party_attribute"]
