"""The sandbox as a newcomer runs it: ``mobie-hub serve --allow-loopback-parties`` (what ``make run``
starts) as a real process, shared by the tests of this folder, and the sandbox commands run against
it as real processes too."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import pytest

from tests.support.local_hub import _env, local_hub


@pytest.fixture(scope="package")
def sandbox_hub():
    with local_hub("--allow-loopback-parties") as running:  # its log drained as it comes (local_hub)
        yield running


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``mobie-hub ARGS`` to its end (no ``--hub`` added: the tests name the hub)."""
    return subprocess.run(
        [sys.executable, "-m", "mobie_hub.cli", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_env(),
    )


class Process:
    """A running ``mobie-hub`` command whose JSON output lines are read as they come."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mobie_hub.cli", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        self.events: list[dict] = []
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self._lines.put(line)

    def type(self, line: str) -> None:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def wait_for(self, match: Callable[[dict], bool], timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        for event in self.events:
            if match(event):
                return event
        while time.monotonic() < deadline:
            try:
                event = json.loads(self._lines.get(timeout=0.2))
            except queue.Empty:
                continue
            self.events.append(event)
            if match(event):
                return event
        raise AssertionError(f"no such event within {timeout} s; got {self.events}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
