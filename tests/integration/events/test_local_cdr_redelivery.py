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


def test_the_local_pipeline_sweeps_session_rechecks_onto_its_own_bus(aws):
    # The schedule → functions/push handler.resync, locally: a due recheck of a session that changed
    # since its owner's last push becomes a SessionResync event on the in-process bus.
    import threading

    from mobie_hub.events import push_state
    from tests.integration.events.test_session_push_order import at, states, store

    seen, published = [], threading.Event()
    pipeline = LocalPipeline(resync_interval=30.0)
    pipeline.bus.subscribe(["SessionResync"], lambda event: (seen.append(event), published.set()))
    session = states((4, "4.5"))[-1]
    store(session)
    owner = {"country_code": "PT", "party_id": "EDP"}
    push_state.claim("SESSION#S1", "PARTY#EMSP#PT#EDP", "2026-11-23T09:00:00.000Z", now=at(0))
    push_state.recheck("SESSION#S1", "PARTY#EMSP#PT#EDP", owner, at(5))  # long past
    assert pipeline.resync.interval == 30.0
    pipeline.resync.sweep()
    assert published.wait(5)
    pipeline.bus.close()
    [event] = seen
    assert event.detail == {"owner": owner, "session_id": "S1"}
