"""BodyGuardMiddleware (issue #12 findings 7 and 8): a body is read only for a known token, only up
to the cap, and never handed to a parser when it nests too deep. Driven as pure ASGI, no sockets."""

from __future__ import annotations

import asyncio
import json

import pytest

from mobie_hub.core.context import Caller
from mobie_hub.core.errors import Unauthenticated
from mobie_hub.ocpi.auth import PRE_AUTHENTICATED
from mobie_hub.ocpi.middleware import BodyGuardMiddleware

CALLER = Caller("PARTY#EMSP#PT#EDP", "EMSP", "PT", "EDP", "C", token="t" * 36)


def known_token(header: str | None) -> Caller:
    if header != "Token good":
        raise Unauthenticated("Unknown credentials token")
    return CALLER


class Exchange:
    """One request through the guard: what the app saw and what was answered."""

    def __init__(
        self, chunks: list[bytes], headers: dict[str, str], max_bytes: int = 100, method: str = "PUT"
    ) -> None:
        self.chunks, self.received, self.app_body, self.state = list(chunks), 0, None, None
        self.sent: list[dict] = []
        scope = {
            "type": "http",
            "method": method,
            "path": "/ocpi/2.2.1/tokens/PT/EDP/1",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "state": {},
        }
        guard = BodyGuardMiddleware(self.app, authenticate=known_token, max_bytes=max_bytes)
        asyncio.run(guard(scope, self.receive, self.send))

    async def receive(self) -> dict:
        self.received += 1
        chunk = self.chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(self.chunks)}

    async def send(self, message: dict) -> None:
        self.sent.append(message)

    async def app(self, scope, receive, send) -> None:
        self.state = scope["state"]
        message = await receive()
        self.app_body = message["body"]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    @property
    def status(self) -> int:
        return self.sent[0]["status"]

    @property
    def envelope(self) -> dict:
        return json.loads(b"".join(m.get("body", b"") for m in self.sent[1:]))


def test_an_unknown_token_is_answered_401_before_the_body_is_read():
    exchange = Exchange([b"x" * 50], {"authorization": "Token bad", "content-length": "50"})
    assert exchange.status == 401 and exchange.envelope["status_code"] == 2000
    assert exchange.received == 0 and exchange.app_body is None


def test_a_declared_length_over_the_cap_is_413_unread():
    exchange = Exchange([b"x" * 150], {"authorization": "Token good", "content-length": "150"})
    assert exchange.status == 413 and exchange.envelope["status_code"] == 2000
    assert exchange.received == 0 and exchange.app_body is None


def test_a_chunked_body_is_cut_once_it_passes_the_cap():
    exchange = Exchange([b"x" * 40] * 10, {"authorization": "Token good", "transfer-encoding": "chunked"})
    assert exchange.status == 413 and exchange.received == 3 and exchange.app_body is None


@pytest.mark.parametrize("body", [b"[" * 1000 + b"]" * 1000, b'{"a":' * 40 + b"1" + b"}" * 40])
def test_a_body_nested_too_deep_is_2001_and_reaches_no_parser(body):
    exchange = Exchange([body], {"authorization": "Token good", "content-length": str(len(body))}, 10_000)
    assert exchange.status == 400 and exchange.envelope["status_code"] == 2001
    assert "deeper than 32" in exchange.envelope["status_message"] and exchange.app_body is None


def test_a_good_body_reaches_the_app_whole_with_the_caller_already_resolved():
    exchange = Exchange([b'{"a":', b"[1,2]}"], {"authorization": "Token good", "transfer-encoding": "chunked"})
    assert exchange.status == 200 and exchange.app_body == b'{"a":[1,2]}'
    assert exchange.state[PRE_AUTHENTICATED] is CALLER


def test_a_request_without_a_body_passes_untouched_and_unlooked_up():
    exchange = Exchange([b""], {"authorization": "Token bad"}, method="GET")
    assert exchange.status == 200 and PRE_AUTHENTICATED not in exchange.state


def test_a_put_without_length_headers_is_still_guarded():
    # (Mangum's scope from an API Gateway event need not carry Content-Length)
    assert Exchange([b"[]"], {"authorization": "Token bad"}).status == 401
    deep = b"[" * 100 + b"]" * 100
    assert Exchange([deep], {"authorization": "Token good"}, 10_000).status == 400
