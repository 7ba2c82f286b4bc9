"""Short-lived state shared by every Lambda instance (``ephemeral`` table, TTL ``expires_at``).

- Rate windows: one conditional UpdateItem per guarded request; the first request in a window wins.
  A window may hold a secret (the Locations list signs the cursors of the walk it opened with it).
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


def acquire_window(key: str, seconds: int, now: int | None = None, *, secret: str | None = None) -> int:
    """Open a window of ``seconds`` for ``key``. Returns 0 when opened, else the seconds until the
    current window closes (the Retry-After). ``secret``, if given, is stored with the window in the same
    conditional write (so it names this window and no other): ``window_secret`` reads it back."""
    now = _now() if now is None else now
    values: dict[str, Any] = {":until": now + seconds, ":now": now}
    update = "SET window_until = :until, expires_at = :until"
    if secret is not None:
        update, values[":secret"] = f"{update}, secret = :secret", secret
    else:
        update += " REMOVE secret"
    try:
        table("ephemeral").update_item(
            Key={"pk": f"RATE#{key}", "sk": "RATE"},
            UpdateExpression=update,
            ConditionExpression="attribute_not_exists(pk) OR window_until <= :now",
            ExpressionAttributeValues=values,
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        until = int(exc.response.get("Item", {}).get("window_until", {}).get("N", now + seconds))
        return max(1, until - now)
    return 0


def window_secret(key: str, now: int | None = None) -> str | None:
    """The secret stored with ``key``'s window while that window is open (one strongly consistent
    GetItem), else None. Expiry is checked here, not left to TTL, which can lag by hours."""
    item = table("ephemeral").get_item(
        Key={"pk": f"RATE#{key}", "sk": "RATE"}, ConsistentRead=True
    ).get("Item")
    if item is None or int(item["window_until"]) <= (_now() if now is None else now):
        return None
    secret = item.get("secret")
    return secret if isinstance(secret, str) else None


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
