"""Run ``mobie-hub serve`` as a real process on a free loopback port, for e2e tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningHub:
    base_url: str
    process: subprocess.Popen

    def cli(self, *args: str, hub: str | None = None) -> subprocess.CompletedProcess:
        """Run the ``mobie-hub`` command against this hub (or the ``hub`` URL given)."""
        return subprocess.run(
            [sys.executable, "-m", "mobie_hub.cli", *args, "--hub", hub or self.base_url],
            capture_output=True, text=True, timeout=60, env=_env(),
        )


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOBIE_", "AWS_"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return env


@contextmanager
def local_hub(*extra: str, startup_timeout: float = 60.0) -> Iterator[RunningHub]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mobie_hub.cli", "serve", "--port", str(port), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env(),
    )
    scheme = "https" if "--tls-cert" in extra else "http"
    hub = RunningHub(f"{scheme}://127.0.0.1:{port}", process)
    deadline = time.monotonic() + startup_timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"hub exited early:\n{process.stdout.read()}")
        try:
            httpx.get(f"{hub.base_url}/ocpi/versions", timeout=1, verify=False)  # a readiness probe only
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("hub did not start in time") from None
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
