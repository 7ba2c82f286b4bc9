"""What the OCPP gateway offers the other features (docs/architecture.md, "Import rules"): whether a
station is connected, and the receipt of a station's message, which the sessions feature writes in
the same transaction as the message's effects (exactly once: a retransmission gets the stored answer)."""

from mobie_hub.ocpp.receipt_repository import RECEIPT_ACTION, receipt_action, stored_response
from mobie_hub.ocpp.repository import get_connection

__all__ = ["RECEIPT_ACTION", "get_connection", "receipt_action", "stored_response"]
