"""Bounded JSON (issue #12 finding 7): depth and size are checked before a recursive parser runs."""

from __future__ import annotations

import json

import pytest

from mobie_hub.core import json_limits
from mobie_hub.core.json_limits import JsonTooDeep, JsonTooLarge, deeper_than


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ("[]", 1),
        ('{"a":[1,{"b":[]}]}', 4),
        ('{"a":"[[[[[[[[]"}', 1),  # brackets in strings do not count
        (r'["\"[[[[", "\\", [[1]]]', 3),  # nor escaped quotes; an escaped backslash closes no string
        ("[[],[[]],[]]", 3),
        ('{"a":[' * 20 + "1" + "]}" * 20, 40),  # objects and arrays alternating
    ],
)
def test_depth_is_counted_exactly_without_parsing(text, depth):
    assert not deeper_than(text, depth) and not deeper_than(text.encode(), depth)
    if depth:
        assert deeper_than(text, depth - 1)


def test_a_thousand_levels_are_refused_and_shallow_documents_parse():
    deep = "[" * 1000 + "]" * 1000
    with pytest.raises(JsonTooDeep):
        json_limits.loads(deep)
    with pytest.raises(ValueError):  # callers that catch invalid JSON catch this too
        json_limits.loads(deep.encode())
    assert json_limits.loads('{"a":[1,2]}') == {"a": [1, 2]}
    assert json_limits.loads("[" * 32 + "]" * 32) is not None


def test_a_document_over_the_size_cap_is_refused_before_parsing():
    text = json.dumps({"data": "x" * 100})
    with pytest.raises(JsonTooLarge):
        json_limits.loads(text, max_bytes=50)
    assert json_limits.loads(text, max_bytes=200)["data"] == "x" * 100


def test_the_check_stays_fast_on_a_ten_megabyte_body():
    import time

    flat = b"[" + b"[1,{}]," * 1_400_000 + b"[]]"
    started = time.perf_counter()
    assert not deeper_than(flat, json_limits.MAX_DEPTH)
    assert deeper_than(b"[" * 5_000_000 + b"]" * 5_000_000, json_limits.MAX_DEPTH)
    assert time.perf_counter() - started < 5  # generous: it takes a fraction of a second


def test_the_other_readers_of_what_a_client_sends_stay_within_the_limits():
    import base64

    import httpx

    from mobie_hub.core.listing import _decode_cursor
    from mobie_hub.core.paging import PageRequest
    from mobie_hub.outbound.httpx_adapter import _envelope

    deep = b"[" * 1000 + b"]" * 1000
    # A party's answer nested 1000 deep is no envelope (not a RecursionError in the outbound client)
    assert _envelope(httpx.Response(200, content=deep)) is None
    # A pagination cursor nested 1000 deep is an unreadable cursor: the listing starts over
    assert _decode_cursor(base64.urlsafe_b64encode(deep).decode(), PageRequest(0, 10), "LOC") is None
