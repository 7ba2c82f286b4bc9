"""Ctrl-C's deadline (issue #15 item 4): whatever still runs when it expires, the process ends, exit 0,
saying so. In a child process (the deadline ends the process it runs in); the wait is generous and no
time is asserted."""

from __future__ import annotations

import subprocess
import sys

STUCK = """
import time
from mobie_hub.cli.serve import start_deadline
start_deadline(0.2)
time.sleep(120)  # a push to a party that never answers
print("still running")
"""


def test_the_deadline_ends_a_process_that_would_not_stop():
    ended = subprocess.run([sys.executable, "-c", STUCK], check=False, capture_output=True, text=True, timeout=60)

    assert ended.returncode == 0
    assert "shutdown took too long: exiting now" in ended.stdout
    assert "still running" not in ended.stdout
