"""Run ``mobie-hub serve`` as a real process on a free loopback port, for e2e tests.

The hub's log (stdout and stderr) is read as it comes, by a thread, into a bounded buffer the tests
read with ``RunningHub.output()``: a pipe nobody reads fills at 64 KiB, and a hub blocked writing its
log answers nothing.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

import httpx

HUB = (sys.executable, "-m", "mobie_hub.cli", "serve")
HEAD_CHARS = 64 * 1024  # the start of the log (startup lines) is always kept
TAIL_CHARS = 4 * 1024 * 1024  # and its last 4 MiB


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ProcessOutput:
    """A process's output, drained by a thread from the moment it starts: its first ``head`` and last
    ``tail`` characters are kept (what lies between is counted, and named in the text)."""

    def __init__(self, stream: IO[str], head: int = HEAD_CHARS, tail: int = TAIL_CHARS) -> None:
        self._head: list[str] = []
        self._head_room = head
        self._tail: deque[str] = deque()
        self._tail_size = 0
        self._tail_room = tail
        self._dropped = 0
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._drain, args=(stream,), name="process-output", daemon=True)
        self._reader.start()

    def _drain(self, stream: IO[str]) -> None:
        for line in stream:
            with self._lock:
                if self._head_room >= len(line):
                    self._head.append(line)
                    self._head_room -= len(line)
                    continue
                self._tail.append(line)
                self._tail_size += len(line)
                while self._tail_size > self._tail_room and len(self._tail) > 1:
                    dropped = self._tail.popleft()
                    self._tail_size -= len(dropped)
                    self._dropped += len(dropped)

    def text(self, *, ended: bool = False, timeout: float = 10.0) -> str:
        """What was kept so far; ``ended``: the process has exited, so wait until all of it is read."""
        if ended:
            self._reader.join(timeout)
        with self._lock:
            gap = [f"[... {self._dropped} characters of output left out ...]\n"] if self._dropped else []
            return "".join([*self._head, *gap, *self._tail])


@dataclass
class RunningHub:
    base_url: str
    process: subprocess.Popen
    log: ProcessOutput

    def output(self) -> str:
        """The hub's log (stdout and stderr) so far; all of it once the hub has exited."""
        return self.log.text(ended=self.process.poll() is not None)

    def cli(self, *args: str, hub: str | None = None) -> subprocess.CompletedProcess:
        """Run the ``mobie-hub`` command against this hub (or the ``hub`` URL given)."""
        return subprocess.run(
            [sys.executable, "-m", "mobie_hub.cli", *args, "--hub", hub or self.base_url],
            check=False, capture_output=True, text=True, timeout=60, env=_env(),
        )


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOBIE_", "AWS_"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return env


@contextmanager
def local_hub(*extra: str, startup_timeout: float = 60.0, program: Sequence[str] = HUB) -> Iterator[RunningHub]:
    """``program --port <free port> *extra`` (the hub, unless a test stands in its own) until ready."""
    port = free_port()
    process = subprocess.Popen(
        [*program, "--port", str(port), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env(),
    )
    scheme = "https" if "--tls-cert" in extra else "http"
    hub = RunningHub(f"{scheme}://127.0.0.1:{port}", process, ProcessOutput(process.stdout))
    deadline = time.monotonic() + startup_timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"hub exited early:\n{hub.output()}")
        try:
            httpx.get(f"{hub.base_url}/ocpi/versions", timeout=1, verify=False)  # a readiness probe only
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                process.kill()
                process.wait()
                raise RuntimeError(f"hub did not start in time:\n{hub.output()}") from None
            time.sleep(0.2)
    try:
        yield hub
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
