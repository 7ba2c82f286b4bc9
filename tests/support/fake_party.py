"""A party's OCPI receiver on loopback: records every request, answers like a real EMSP (or fails).

Served by uvicorn in a thread on a free port, so the hub's real httpx client talks to it over TCP.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.support.local_hub import free_port


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeParty:
    base_url: str
    received: list[Received] = field(default_factory=list)
    fail_with: int | None = None  # HTTP status to answer with instead of success
    delay: float = 0.0  # seconds to wait before answering (a slow party)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.received)


def _app(party: FakeParty) -> FastAPI:
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "PUT", "PATCH", "POST", "DELETE"])
    async def anything(path: str, request: Request) -> JSONResponse:
        raw = await request.body()
        body = None
        if raw:
            import json

            body = json.loads(raw)
        party.received.append(Received(request.method, "/" + path, dict(request.headers), body))
        if party.delay:
            await asyncio.sleep(party.delay)
        if party.fail_with:
            return JSONResponse({"status_code": 3000, "status_message": "down", "timestamp": "2026-01-01T00:00:00Z"},
                                status_code=party.fail_with)
        return JSONResponse({"status_code": 1000, "status_message": "Success", "timestamp": "2026-01-01T00:00:00Z"})

    return app


@contextmanager
def fake_party() -> Iterator[FakeParty]:
    port = free_port()
    party = FakeParty(f"http://127.0.0.1:{port}")
    server = uvicorn.Server(uvicorn.Config(_app(party), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield party
    finally:
        server.should_exit = True
        thread.join(timeout=5)
