"""``make bench``: every benchmark, each printing its own figures. Nothing here asserts a time."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import (
    cold_start,
    credentials,
    locations,
    ocpp_gateway,
    pushes,
    tokens,
)

BENCHMARKS = [
    ("Lambda cold import", cold_start.main),
    ("Tokens receiver: throughput and DynamoDB calls per request", tokens.main),
    ("Locations: 10,000 stations listed page by page", locations.main),
    ("Pushes: one EVSE status change to 50 EMSPs", pushes.main),
    ("OCPP gateway: messages per second over websockets, DynamoDB calls per message", ocpp_gateway.main),
    ("Credentials: registration, renewal, ClientInfo push, authenticated request", credentials.main),
]


def main() -> int:
    for title, run in BENCHMARKS:
        print(f"\n== {title} ==")
        run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
