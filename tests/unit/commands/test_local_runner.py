"""The local runner's asyncio timer: a resumed command is decided as answered, an unresumed one as
timed out, and a resume after the wait is refused (a late answer)."""

from __future__ import annotations

import threading

import pytest

from mobie_hub.commands import lifecycle
from mobie_hub.commands.local_runner import LocalCommandRunner


@pytest.fixture
def runner(monkeypatch):
    sent, decided = {}, {}
    ready = threading.Event()

    def send(command_id, task_token, *, workflow, send_call):
        sent[command_id] = task_token
        ready.set()

    def decide(command_id, *, timed_out, sessions, deliver):
        decided[command_id] = timed_out
        return timed_out

    monkeypatch.setattr(lifecycle, "send", send)
    monkeypatch.setattr(lifecycle, "decide", decide)
    runner = LocalCommandRunner(sessions=lambda: None, deliver=lambda c, d: None)
    runner.sent, runner.decided, runner.ready = sent, decided, ready
    yield runner
    runner.stop()


def test_a_resumed_command_is_decided_as_answered(runner):
    runner.start("c1", timeout_seconds=30)
    assert runner.ready.wait(5)
    assert runner.resume(runner.sent["c1"], "c1") is True
    assert runner.finished["c1"].result(5) is False  # timed_out=False
    assert runner.decided == {"c1": False}


def test_an_unresumed_command_times_out_and_a_late_resume_is_refused(runner):
    runner.start("c2", timeout_seconds=1)
    assert runner.finished["c2"].result(5) is True  # timed_out=True, after the 1 s timer
    assert runner.resume(runner.sent["c2"], "c2") is False


def test_an_unknown_task_token_is_refused(runner):
    assert runner.resume("no-such-token", "c3") is False
