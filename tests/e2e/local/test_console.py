"""`mobie-hub serve` on a terminal (issue #15 item 4): readable lines, not JSON, and Ctrl-C ends it.

The hub runs as a real process on a pseudo-terminal (what `make run` in a shell gives it). The time
SIGINT takes is not asserted (a shared machine's load decides it); the wait is generous and the time is
printed (`pytest -s`). /tmp measurements and docs/operations.md give the figures.
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.support.local_hub import _env, free_port

pytestmark = pytest.mark.e2e


class TerminalHub:
    def __init__(self, *extra: str) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        master, terminal = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mobie_hub.cli", "serve", "--port", str(self.port), "--no-demo", *extra],
            stdout=terminal, stderr=terminal, env=_env(), close_fds=True,
        )
        os.close(terminal)
        self._master = master
        self.output = b""

    def read(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self._master], [], [], 0.1)
            if ready:
                try:
                    self.output += os.read(self._master, 65536)
                except OSError:  # the process closed the terminal
                    return

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.read(0.3)
            try:
                httpx.get(f"{self.base_url}/ocpi/versions", timeout=1)
                return
            except httpx.TransportError:
                assert self.process.poll() is None, self.text
        raise AssertionError(f"hub did not start:\n{self.text}")

    def interrupt(self, timeout: float = 30) -> float:
        self.process.send_signal(signal.SIGINT)
        started = time.monotonic()
        while self.process.poll() is None and time.monotonic() - started < timeout:
            self.read(0.1)
        elapsed = time.monotonic() - started
        self.read(0.3)
        return elapsed

    @property
    def text(self) -> str:
        """What the terminal showed, without its colour codes."""
        return re.sub(r"\x1b\[[0-9;]*m", "", self.output.decode(errors="replace"))

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self._master)


@pytest.fixture
def terminal_hub():
    hubs: list[TerminalHub] = []
    yield lambda *extra: hubs.append(TerminalHub(*extra)) or hubs[-1]
    for hub in hubs:
        hub.close()


def test_on_a_terminal_each_call_is_one_readable_line_and_ctrl_c_ends_the_hub(terminal_hub):
    hub = terminal_hub()
    hub.wait_ready()
    httpx.get(f"{hub.base_url}/ocpi/2.2.1/locations", headers={"Authorization": "Token bm9wZQ=="})
    hub.read(1)

    elapsed = hub.interrupt()

    print(f"SIGINT -> exit: {elapsed:.2f} s")
    assert hub.process.returncode == 0, hub.text
    assert "anonymous → hub  GET /ocpi/2.2.1/locations  401 · 2000  Unknown credentials token" in hub.text
    assert "hub listening" in hub.text and "hub stopped" in hub.text
    assert '{"level"' not in hub.text and '"_aws"' not in hub.text  # no JSON, no metric lines


def test_log_format_json_keeps_json_lines_on_a_terminal(terminal_hub):
    hub = terminal_hub("--log-format", "json")
    hub.wait_ready()

    hub.interrupt()

    lines = [line for line in hub.text.splitlines() if line.startswith("{")]
    assert any('"message":"hub listening"' in line for line in lines), hub.text
    assert "→ hub" not in hub.text
