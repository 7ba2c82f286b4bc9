"""The OCPI audit middleware keeps at most MAX_KEPT_BYTES of a body (issue #12 finding 8): the trail
never holds a second copy of a 10 MB body. Pure ASGI, the in-memory store as the sink."""

from __future__ import annotations

import asyncio

from mobie_hub.audit import runtime
from mobie_hub.ocpi.audit_middleware import MAX_KEPT_BYTES, AuditMiddleware
from tests.support.audit import MemoryAuditStore


def test_a_big_body_is_kept_only_up_to_the_cap_and_marked_cut():
    store = MemoryAuditStore()
    runtime.use(store, store)
    chunks = [b"x" * (256 * 1024)] * 8  # 2 MB in chunks, as a server hands them over

    async def app(scope, receive, send):
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def receive():
        chunk = chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message):
        pass

    scope = {"type": "http", "method": "PUT", "path": "/ocpi/2.2.1/tokens/PT/EDP/1", "headers": []}
    try:
        asyncio.run(AuditMiddleware(app)(scope, receive, send))
    finally:
        runtime.use(None)
    [request] = store.where(kind="request")
    assert request.body_truncated and len(request.body) <= MAX_KEPT_BYTES
