"""The local hub's stand-in for the CDR redelivery schedule (local/pipeline.CdrRedelivery): sweeps
run one after another in one thread until stopped, and a sweep that raises does not end them. Each
test waits for an event, never for a time."""

from __future__ import annotations

import threading

from mobie_hub.events.fanout import redeliver_due
from mobie_hub.local.pipeline import CdrRedelivery, LocalPipeline


def test_sweeps_repeat_and_a_failing_sweep_does_not_stop_the_next():
    calls: list[int] = []
    third = threading.Event()

    def sweep() -> None:
        calls.append(len(calls))
        if len(calls) == 1:
            raise RuntimeError("the embedded DynamoDB was busy")
        if len(calls) == 3:
            third.set()

    redelivery = CdrRedelivery(interval=0.001, sweep=sweep)
    redelivery.start()
    try:
        assert third.wait(timeout=10)
    finally:
        redelivery.stop()
    after_stop = len(calls)
    assert after_stop >= 3
    assert not redelivery._thread.is_alive() and len(calls) == after_stop  # stopped for good


def test_the_local_pipeline_sweeps_with_the_same_code_as_the_aws_schedule(aws):
    pipeline = LocalPipeline(redelivery_interval=30.0)
    assert pipeline.redelivery.sweep is redeliver_due and pipeline.redelivery.interval == 30.0
