"""Issue #12 finding 8: the local hub read any body before authenticating (one unauthenticated
200 MB PUT took it from 289 MB to 1.27 GB). Now a request without a known token is answered 401
before its body is read, and a body over API Gateway REST's 10 MB is refused 413 (unread when its
Content-Length says so), a WebSocket message over API Gateway's 32 KB frame closes the connection.
Raw sockets: the test decides how much of the body is ever sent."""

from __future__ import annotations

import asyncio
import json
import socket
from urllib.parse import urlsplit

import pytest
import websockets

from mobie_hub.simulator import station_url
from tests.e2e.abuse.conftest import STATION
from tests.support.parties import issue

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("hub_store")]

SENT_BEFORE_WAITING = 64 * 1024  # the client sends this much of the declared body, then waits


def answer_before_the_body(base_url: str, path: str, declared: int, authorization: str) -> tuple[int, dict]:
    """Declare a ``declared``-byte PUT, send only its first 64 KB, and read the answer: a server that
    waits for the whole body never answers (the socket times out and the test fails)."""
    url = urlsplit(base_url)
    with socket.create_connection((url.hostname, url.port), timeout=15) as sock:
        head = (
            f"PUT {path} HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: {authorization}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {declared}\r\n\r\n"
        )
        sock.sendall(head.encode() + b"x" * SENT_BEFORE_WAITING)
        received = b""
        while b"\r\n\r\n" not in received or not _complete(received):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    status_line, _, rest = received.partition(b"\r\n")
    return int(status_line.split()[1]), json.loads(rest.partition(b"\r\n\r\n")[2])


def _complete(received: bytes) -> bool:
    head, _, body = received.partition(b"\r\n\r\n")
    length = [line for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:")]
    return bool(length) and len(body) >= int(length[0].split(b":")[1])


def test_an_unauthenticated_200_mb_put_is_refused_before_its_body_is_read(hub):
    # Given a stranger declaring a 200 MB body, of which it sends 64 KB
    status, envelope = answer_before_the_body(
        hub.base_url, "/ocpi/2.2.1/tokens/PT/EDP/BIG0001", 200 * 1024 * 1024, "Token not-a-known-token"
    )
    # Then the hub answers 401 in the envelope without waiting for (or holding) the rest
    assert status == 401 and envelope["status_code"] == 2000


def test_an_authenticated_11_mb_body_is_413_without_being_read(hub):
    # Given a registered EMSP declaring an 11 MB body (API Gateway REST takes at most 10 MB)
    emsp = issue("C", party_id="BLA")
    status, envelope = answer_before_the_body(
        hub.base_url, "/ocpi/2.2.1/tokens/PT/BLA/BIG0002", 11 * 1024 * 1024, emsp.headers["Authorization"]
    )
    # Then the hub refuses it as too large, answering before the body arrived
    assert status == 413 and envelope["status_code"] == 2000 and "10 MB" in envelope["status_message"]


def test_an_authenticated_chunked_body_is_cut_at_the_cap(hub):
    # Given a registered EMSP streaming a chunked body that never ends below 10 MB
    emsp = issue("C", party_id="BLB")
    url = urlsplit(hub.base_url)
    chunk = b"x" * (1024 * 1024)
    with socket.create_connection((url.hostname, url.port), timeout=15) as sock:
        sock.sendall(
            (
                f"PUT /ocpi/2.2.1/tokens/PT/BLB/BIG0003 HTTP/1.1\r\nHost: {url.netloc}\r\n"
                f"Authorization: {emsp.headers['Authorization']}\r\nTransfer-Encoding: chunked\r\n\r\n"
            ).encode()
        )
        try:
            for _ in range(12):  # 12 MB, unless the hub stops listening first
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        except OSError:  # the hub answered and closed while we were still sending: what we want
            pass
        received = b""
        try:
            while not _complete(received):
                data = sock.recv(65536)
                if not data:
                    break
                received += data
        except OSError:
            pass
    # Then the answer is 413 in the envelope
    assert received.startswith(b"HTTP/1.1 413"), received[:200]


def test_a_websocket_message_over_32_kb_ends_the_connection_as_api_gateway_would(hub, station_authorization):
    # Given a station's connection
    async def scenario() -> int:
        async with websockets.connect(
            station_url(hub.ocpp_url, STATION),
            subprotocols=["ocpp1.6"],
            additional_headers={"Authorization": station_authorization},
        ) as connection:
            # When it sends a 40 KB message (API Gateway's WebSocket frame limit is 32 KB)
            await connection.send('[2,"big-1","DataTransfer",{"vendorId":"x","data":"' + "x" * 40_000 + '"}]')
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(connection.recv(), 10)
            return closed.value.rcvd.code

    # Then the hub closes it with 1009 (message too big), without parsing the message
    assert asyncio.run(asyncio.wait_for(scenario(), 30)) == 1009
