"""A handled OCPP message's receipt in the ``stations`` table (docs/dynamodb.md): a retransmission
(the same message id again) gets the answer the first one got, and its effects are not applied twice.

| item | pk | sk | TTL |
|---|---|---|---|
| a handled message and its answer (retransmissions) | ``STATION#<id>`` | ``MSG#<message id>`` | 1 day |

The receipt is written in the transaction that applies the message's effects (the sessions feature's,
through ``ocpp.api``), so a message is either handled whole, with its receipt, or not at all.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from mobie_hub.core import transact
from mobie_hub.core.dynamodb import table
from mobie_hub.core.types import format_datetime
from mobie_hub.ocpp.repository import TABLE, station_pk
from mobie_hub.ocpp.values import Receipt

RECEIPT_TTL = timedelta(days=1)


def _key(station_id: str, message_id: str) -> dict[str, str]:
    return {"pk": station_pk(station_id), "sk": f"MSG#{message_id}"}


RECEIPT_ACTION = "receipt"  # its name in a transaction


def receipt_action(receipt: Receipt, now: datetime) -> transact.Action:
    """The Put of a receipt, for the transaction that applies the message's effects: it fails when
    the message id was handled before, and then returns the stored receipt (no extra read)."""
    return transact.put(
        TABLE,
        {
            **_key(receipt.station_id, receipt.message_id),
            "action": receipt.action,
            "response": json.dumps(receipt.response, separators=(",", ":")),
            "received_at": format_datetime(now),
            "expires_at": int((now + RECEIPT_TTL).timestamp()),
        },
        "attribute_not_exists(pk)",
        name=RECEIPT_ACTION,
        return_old=True,
    )


def stored_response(item: dict[str, Any] | None, station_id: str, message_id: str) -> dict[str, Any]:
    """The answer a receipt holds (read again only if the cancellation did not carry the item)."""
    if item is None:
        item = (
            table(TABLE).get_item(Key=_key(station_id, message_id), ConsistentRead=True).get("Item")
        )
    return json.loads(item["response"]) if item else {}
