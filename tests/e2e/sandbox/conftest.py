"""The sandbox as a newcomer runs it: ``mobie-hub serve --allow-loopback-parties`` (what ``make run``
starts) as a real process, shared by the tests of this folder, and the sandbox commands run against
it as real processes too."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.local_hub import _env, local_hub


@pytest.fixture(scope="package")
def sandbox_hub():
    with local_hub("--allow-loopback-parties") as running:
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
