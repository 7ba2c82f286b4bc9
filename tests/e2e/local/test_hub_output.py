"""tests.support.local_hub drains the hub's log as it comes: a hub that logs megabytes (a long e2e run)
never blocks on a full pipe, and its log stays readable, bounded, at the end."""

from __future__ import annotations

import signal
import sys

import httpx
import pytest

from tests.support.local_hub import HEAD_CHARS, TAIL_CHARS, local_hub

pytestmark = pytest.mark.e2e

# A stand-in for the hub: 2 MB of log before it listens, 2 MB more for each request it answers
# (a pipe holds 64 KiB: unread, the first write would block it before it ever listens).
FLOODING_HUB = r'''
import http.server, sys
port = int(sys.argv[sys.argv.index("--port") + 1])
line = "x" * 99 + "\n"
def flood():
    for _ in range(20_000):
        sys.stdout.write(line)
    sys.stdout.flush()
print("hub starting", flush=True)
flood()
class Versions(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        flood()
        print("answered", flush=True)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")
    def log_message(self, *args):
        pass
try:
    http.server.HTTPServer(("127.0.0.1", port), Versions).serve_forever()
except KeyboardInterrupt:
    pass
'''


def test_a_hub_logging_megabytes_keeps_answering_and_its_log_stays_readable_and_bounded():
    # Given a hub that logs 2 MB before it listens and 2 MB per request
    with local_hub(program=(sys.executable, "-c", FLOODING_HUB), startup_timeout=20) as hub:
        # When it answers the readiness probe and three requests (10 MB of log in all)
        for _ in range(3):
            assert httpx.get(f"{hub.base_url}/ocpi/versions", timeout=10).status_code == 200
        hub.process.send_signal(signal.SIGINT)
        assert hub.process.wait(timeout=20) == 0
        output = hub.output()
    # Then the log kept its start and its end, and what lay between is named, not kept
    assert output.startswith("hub starting\n")
    assert output.endswith("answered\n")
    assert "characters of output left out ...]" in output
    assert len(output) <= HEAD_CHARS + TAIL_CHARS + 200
