"""A party's answer is read up to the OCPI body limit (10 MB), whatever it sends (issue #12): a
declared size over it is refused unread, a streamed body is cut as it passes it, and the call fails
like any unusable answer instead of the hub holding gigabytes."""

from __future__ import annotations

import httpx
import pytest

from mobie_hub.core.json_limits import MAX_OCPI_BODY_BYTES
from mobie_hub.outbound import OutboundCallFailed
from mobie_hub.outbound.answer_limit import AnswerTooLarge, CappedTransport
from tests.unit.outbound.test_client import Recorder, client_for, ok, party

ENVELOPE_HEAD = b'{"status_code":1000,"timestamp":"2026-01-01T00:00:00Z","data":"'


class Endless(httpx.SyncByteStream):
    """A body with no Content-Length that never ends; counts what was taken from it."""

    def __init__(self) -> None:
        self.sent = 0

    def __iter__(self):
        yield ENVELOPE_HEAD
        while True:
            self.sent += 65536
            yield b"x" * 65536


def test_an_answer_declaring_more_than_the_limit_is_refused_unread():
    # Given a party answering with a declared 11 MB body
    declared = httpx.Response(200, headers={"content-length": str(11 * 1024 * 1024)}, stream=Endless())
    # When the hub calls it, Then the call fails naming the size, and the body was never read
    with pytest.raises(OutboundCallFailed, match="declares 11534336 bytes"):
        client_for(Recorder(declared)).get(party(), "tokens")
    assert declared.stream.sent == 0


def test_a_streamed_answer_is_cut_as_soon_as_it_passes_the_limit():
    # Given a party streaming an endless body without a Content-Length
    endless = Endless()
    # When the hub calls it, Then it fails once the limit is passed, having read about the limit only
    with pytest.raises(OutboundCallFailed, match="larger than"):
        client_for(Recorder(httpx.Response(200, stream=endless))).get(party(), "tokens")
    assert MAX_OCPI_BODY_BYTES <= endless.sent <= MAX_OCPI_BODY_BYTES + 65536


def test_an_answer_within_the_limit_is_read_and_uncompressed_answers_are_asked_for():
    handler = Recorder(ok(data=[{"uid": "1"}]))
    reply = client_for(handler).get(party(), "tokens")
    assert reply.data == [{"uid": "1"}]
    assert handler.requests[0].headers["accept-encoding"] == "identity"


def test_the_capped_transport_refuses_one_byte_over_its_limit():
    transport = CappedTransport(httpx.MockTransport(lambda request: httpx.Response(200, content=b"y" * 101)), limit=100)
    with httpx.Client(transport=transport) as client, pytest.raises(AnswerTooLarge):
        client.get("https://emsp.test/")
