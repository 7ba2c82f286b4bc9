"""The local pipeline routes by the rules' EventBridge patterns (events.rules): the CPO's copy of a
completion costs the CDR creation nothing, locally as in AWS."""

from __future__ import annotations

from mobie_hub.events.envelope import DomainEvent
from mobie_hub.local import pipeline
from tests.unit.local.test_event_patterns import OWNER, completion


def test_the_local_pipeline_hands_the_cdr_creation_the_emsps_completion_only(aws, monkeypatch):
    created: list[DomainEvent] = []
    monkeypatch.setattr(pipeline, "create_cdr", created.append)  # a spy where the rule's target is
    local = pipeline.LocalPipeline()
    monkeypatch.setattr(local.lanes, "submit", lambda *args: None)  # the owner pushes: not this test's
    local.bus.publish([completion({**OWNER, "role": "CPO"}), completion({**OWNER, "role": "EMSP"})])
    local.bus.close()
    assert [e.detail["owner"]["role"] for e in created] == ["EMSP"]
