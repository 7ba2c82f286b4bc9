"""What the sessions feature offers the other features (docs/architecture.md, "Import rules"): a
session's stored record (the Session, its meter periods and status), as CDR creation reads it."""

from mobie_hub.sessions.repository import get_record

__all__ = ["get_record"]
