"""A party's answer, read within a size limit: the hub never holds more of it than an OCPI request
may carry (``json_limits.MAX_OCPI_BODY_BYTES``, API Gateway's 10 MB), whatever the party sends.

``CappedTransport`` wraps the transport under the httpx client, so the cap holds before anything
reads the body (the audit hook reads every answer). A declared ``Content-Length`` over the cap is
refused without reading; a body streamed without one is cut as soon as it passes the cap. The hub asks
for uncompressed answers (``Accept-Encoding: identity``), so for a party that honours it the bytes
counted are the bytes held; a party that compresses anyway is capped on the wire.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from mobie_hub.core.json_limits import MAX_OCPI_BODY_BYTES


class AnswerTooLarge(httpx.ReadError):
    """The party's answer is bigger than the hub reads (an ``httpx.ReadError``: the call failed)."""


class _CappedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, limit: int, where: str) -> None:
        self._inner = inner
        self._limit = limit
        self._where = where

    def __iter__(self) -> Iterator[bytes]:
        received = 0
        for chunk in self._inner:
            received += len(chunk)
            if received > self._limit:
                raise AnswerTooLarge(f"{self._where}: the answer is larger than {self._limit} bytes")
            yield chunk

    def close(self) -> None:
        self._inner.close()


class CappedTransport(httpx.BaseTransport):
    """``inner`` with every response body limited to ``limit`` bytes."""

    def __init__(self, inner: httpx.BaseTransport, limit: int = MAX_OCPI_BODY_BYTES) -> None:
        self._inner = inner
        self._limit = limit

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        where = f"{request.method} {request.url}"
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._limit:
            response.close()
            raise AnswerTooLarge(f"{where}: the answer declares {declared} bytes, over {self._limit}")
        stream = response.stream
        assert isinstance(stream, httpx.SyncByteStream)  # a sync transport's response
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_CappedStream(stream, self._limit, where),
            extensions=response.extensions,
            request=request,
        )

    def close(self) -> None:
        self._inner.close()
