"""JSON a party or a station sends, read within limits: nesting depth and size are checked before
any recursive parser (``json.loads``, pydantic, jsonschema, the audit redactor) sees the text.

OCPI and OCPP objects are shallow (an OCPI Location with its EVSEs, connectors and opening times is
about 7 levels deep, OCPP SetChargingProfile about 6), so ``MAX_DEPTH`` leaves room and still stops
a 2 KB document of 1000 nested brackets from raising ``RecursionError`` deep inside a parser.

The sizes are API Gateway's, so the local hub refuses what AWS would refuse:

| limit | value | where |
|---|---|---|
| ``MAX_OCPI_BODY_BYTES`` | 10 MB | REST API payload limit (HTTP 413 in the OCPI envelope) |
| ``MAX_OCPP_FRAME_BYTES`` | 32 KB | WebSocket API frame size (the local websocket server's max message size) |
| ``MAX_OCPP_MESSAGE_BYTES`` | 128 KB | WebSocket API message size (a bigger OCPP-J message: FormationViolation) |
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32
MAX_OCPI_BODY_BYTES = 10 * 1024 * 1024
MAX_OCPP_FRAME_BYTES = 32 * 1024
MAX_OCPP_MESSAGE_BYTES = 128 * 1024

_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_ONE_KIND = bytes.maketrans(b"{}", b"[]")  # for depth, an object is a level like an array


class JsonLimitExceeded(ValueError):
    """The document is nested deeper or is bigger than allowed (a ``ValueError``, as invalid JSON is)."""


class JsonTooDeep(JsonLimitExceeded):
    pass


class JsonTooLarge(JsonLimitExceeded):
    pass


def _brackets(data: bytes) -> bytes:
    """The brackets outside strings. Escapes first: backslashes pair up from the left within a run
    (``\\\\``), a remaining one escapes the next character (``\\"``); then every other piece
    between quotes is a string's content. All bytes-level operations, no loop in Python."""
    unescaped = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    return b"".join(unescaped.split(b'"')[::2]).translate(_ONE_KIND, _NOT_BRACKETS)


def deeper_than(text: str | bytes, limit: int) -> bool:
    """Whether arrays and objects nest more than ``limit`` levels deep in ``text``, found without
    recursing: each pass removes the innermost bracket pairs, so ``limit`` passes empty any document
    nested no deeper. Malformed text gets an answer too; the parser that runs next says what is
    wrong with it."""
    brackets = _brackets(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text))
    if b"[" * (limit + 1) in brackets:  # the usual attack, found in one scan
        return True
    for _ in range(limit):
        if not brackets:
            return False
        brackets = brackets.replace(b"[]", b"")
    return bool(brackets)


def check(text: str | bytes, *, max_depth: int = MAX_DEPTH, max_bytes: int | None = None) -> None:
    """Raise ``JsonTooLarge`` / ``JsonTooDeep`` when ``text`` breaks a limit; otherwise nothing."""
    if max_bytes is not None:
        size = len(text.encode("utf-8", "surrogatepass")) if isinstance(text, str) else len(text)
        if size > max_bytes:
            raise JsonTooLarge(f"the JSON document is {size} bytes, more than the {max_bytes} allowed")
    if deeper_than(text, max_depth):
        raise JsonTooDeep(f"the JSON document nests deeper than {max_depth} levels")


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH, max_bytes: int | None = None, **options: Any) -> Any:
    """``json.loads`` within the limits: ``JsonLimitExceeded`` (a ``ValueError``) instead of
    ``RecursionError`` or an unbounded parse. ``options`` go to ``json.loads`` (e.g. ``parse_float``)."""
    check(text, max_depth=max_depth, max_bytes=max_bytes)
    return json.loads(text, **options)
