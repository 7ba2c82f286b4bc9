"""local/pipeline.SerialByKey: one key's work in order, other keys' beside it, nothing after close."""

from __future__ import annotations

import threading

from mobie_hub.local.pipeline import SerialByKey


def test_one_keys_work_runs_in_order_while_another_key_is_not_held_up():
    lanes = SerialByKey(workers=4, name="test")
    release = threading.Event()
    done: list[str] = []
    other_done = threading.Event()

    def slow(label: str) -> None:
        release.wait(5)
        done.append(label)

    lanes.submit("LOC-1", slow, "first")
    second_done = threading.Event()
    lanes.submit("LOC-1", lambda: (done.append("second"), second_done.set()))  # queued behind "first"
    lanes.submit("LOC-2", lambda: other_done.set())

    assert other_done.wait(5)  # LOC-2 ran while LOC-1's first was still blocked
    assert done == []
    release.set()
    assert second_done.wait(5)
    lanes.close()
    assert done == ["first", "second"]


def test_work_submitted_after_close_is_dropped():
    lanes = SerialByKey(workers=1, name="test")
    lanes.close()
    ran: list[int] = []

    lanes.submit("LOC-1", ran.append, 1)

    assert ran == []
