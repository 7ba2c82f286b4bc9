"""``make bench``: every benchmark, each printing its own figures. Nothing here asserts a time.

The handlers under measurement still write what they write in Lambda (audit records without a
delivery stream, Powertools' EMF metrics: one JSON line each on stdout): ``make bench`` leaves those
lines out of its output, so the figures are readable; ``make bench ARGS=--logs`` keeps them.
"""

from __future__ import annotations

import io
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


class JsonLinesLeftOut(io.TextIOBase):
    """stdout without the lines that are JSON objects (the handlers' log lines); the rest as written."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self.stream = stream
        self.pending = ""

    def write(self, text: str) -> int:
        *lines, self.pending = (self.pending + text).split("\n")
        kept = [line for line in lines if not line.startswith("{")]
        if kept:
            self.stream.write("".join(line + "\n" for line in kept))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


def main() -> int:
    if "--logs" not in sys.argv[1:]:
        sys.stdout = JsonLinesLeftOut(sys.stdout)
    for title, run in BENCHMARKS:
        print(f"\n== {title} ==")
        run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
