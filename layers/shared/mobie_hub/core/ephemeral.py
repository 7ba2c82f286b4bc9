"""Short-lived state shared by every Lambda instance (``ephemeral`` table, TTL ``expires_at``).

- Rate windows: one conditional UpdateItem per guarded request; the first request in a window wins.
- Response cache: zlib-compressed bodies (a page of 100 Locations is ~300 KB of JSON, ~30 KB
  compressed: far under DynamoDB's 400 KB item limit). Expiry is checked on read, because TTL
  deletion can lag by hours.
"""

from __future__ import annotations

import json
import time
import zlib
from typing import Any

from botocore.exceptions import ClientError

from mobie_hub.core.dynamodb import table


def _now() -> int:
    return int(time.time())


def acquire_window(key: str, seconds: int, now: int | None = None) -> int:
    """Open a window of ``seconds`` for ``key``. Returns 0 when opened, else the seconds until the
    current window closes (the Retry-After)."""
    now = _now() if now is None else now
    try:
        table("ephemeral").update_item(
            Key={"pk": f"RATE#{key}", "sk": "RATE"},
            UpdateExpression="SET window_until = :until, expires_at = :until",
            ConditionExpression="attribute_not_exists(pk) OR window_until <= :now",
            ExpressionAttributeValues={":until": now + seconds, ":now": now},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        until = int(exc.response.get("Item", {}).get("window_until", {}).get("N", now + seconds))
        return max(1, until - now)
    return 0


def cache_get(key: str, now: int | None = None) -> Any | None:
    item = table("ephemeral").get_item(Key={"pk": f"CACHE#{key}", "sk": "CACHE"}).get("Item")
    if item is None or int(item["expires_at"]) <= (_now() if now is None else now):
        return None
    return json.loads(zlib.decompress(item["body"].value))


def cache_put(key: str, value: Any, seconds: int, now: int | None = None) -> None:
    body = zlib.compress(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode(), 6)
    table("ephemeral").put_item(
        Item={"pk": f"CACHE#{key}", "sk": "CACHE", "body": body, "expires_at": (_now() if now is None else now) + seconds}
    )
