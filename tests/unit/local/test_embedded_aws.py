"""The embedded AWS answers one request at a time (issue #12 finding 9: the local hub calls it from
many threads, and moto's in-memory DynamoDB is not thread-safe under TransactWriteItems)."""

from __future__ import annotations

import threading
import time

from mobie_hub.local.embedded_aws import one_at_a_time


def test_requests_never_overlap():
    running, overlaps = [0], []

    def app(environ, start_response):
        running[0] += 1
        overlaps.append(running[0])
        time.sleep(0.01)
        running[0] -= 1
        start_response("200 OK", [])
        return [b"ok"]

    serialized = one_at_a_time(app)
    threads = [threading.Thread(target=serialized, args=({}, lambda *a: None)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == [1] * 8
