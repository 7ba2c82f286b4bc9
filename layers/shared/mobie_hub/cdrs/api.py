"""What the cdrs feature offers the other features (events pushes CDRs and keeps their delivery)."""

from mobie_hub.cdrs import delivery
from mobie_hub.cdrs.repository import get_cdr

__all__ = ["delivery", "get_cdr"]
