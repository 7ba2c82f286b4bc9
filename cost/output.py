"""A handler's output as Lambda ships it to CloudWatch Logs: everything written to the process's
stdout/stderr, captured, and split into log lines, EMF metric documents and audit lines."""

from __future__ import annotations

import io
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def captured_output() -> Iterator[list[bytes]]:
    """Everything written inside the block to file descriptors 1 and 2, to ``sys.stdout``/``sys.stderr``
    and to the logging handlers that write to them (which may hold another stream than the
    descriptors, under pytest for one); the block's list receives the bytes at its end."""
    result: list[bytes] = []
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    streams = sys.stdout, sys.stderr
    with tempfile.TemporaryFile() as sink:
        writer = io.TextIOWrapper(os.fdopen(os.dup(sink.fileno()), "wb"), encoding="utf-8", write_through=True)
        handlers = [(handler, handler.stream) for handler in _stream_handlers()]
        for handler, _ in handlers:
            handler.stream = writer
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        sys.stdout = sys.stderr = writer
        try:
            yield result
        finally:
            writer.flush()
            sys.stdout, sys.stderr = streams
            for handler, previous in handlers:  # one made inside an earlier capture gets the real stream
                handler.stream = sys.stdout if getattr(previous, "closed", False) else previous
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
            writer.close()
            sink.seek(0)
            result.append(sink.read())


def _stream_handlers() -> list[logging.StreamHandler]:
    loggers = [logging.getLogger()] + [
        candidate for candidate in logging.Logger.manager.loggerDict.values() if isinstance(candidate, logging.Logger)
    ]
    return [
        handler
        for candidate in loggers
        for handler in candidate.handlers
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler)
    ]


def split_output(output: bytes) -> tuple[int, int, int]:
    """(log bytes, EMF metric bytes, audit record bytes) of a handler's output, newlines included."""
    logs = emf = audit = 0
    for line in output.splitlines(keepends=True):
        if line.startswith(b"{") and b'"_aws"' in line and b'"CloudWatchMetrics"' in line:
            emf += len(line)
        elif line.startswith(b"{") and b'"audit"' in line:
            audit += len(line)
        else:
            logs += len(line)
    return logs, emf, audit
