"""The AWS push path of Location events, executed: a stream record through the Pipe's enrichment
Lambda, then moto runs the real fan-out state machine (infra/constructs/push_fanout.asl.json), whose
tasks run the real functions/push handlers in-process against fake EMSPs on loopback. The owner
workflow (sessions, CDRs) is in test_push_owner_workflow.py."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import pytest

from mobie_hub.core.settings import get_settings
from mobie_hub.locations.enums import Status
from mobie_hub.locations.inventory_repository import DynamoLocationStore
from mobie_hub.locations.registry import import_locations, import_tariffs
from mobie_hub.locations.repository import get_location, put_location
from mobie_hub.tariffs.registry_repository import DynamoTariffStore
from tests.integration.events.push_workflows import PUSH, RECIPIENTS, run
from tests.support.events import load_event
from tests.support.fake_party import fake_party
from tests.support.handlers import FakeContext, lambda_module
from tests.support.lambda_runtime import executing_aws, state_machine_of
from tests.support.parties import register_receiver
from tests.support.stations import location, tariff


@pytest.fixture
def aws() -> Iterator[None]:
    """moto with Step Functions really executing state machines (overrides the plain `aws` fixture)."""
    with executing_aws():
        yield


@pytest.fixture
def fanout(aws) -> str:
    return state_machine_of(
        "push_fanout.asl.json", {"RecipientsFunctionArn": RECIPIENTS, "PushFunctionArn": PUSH},
        values={"EphemeralTableName": get_settings().tables["ephemeral"]},
    )


def test_an_evse_status_event_is_patched_to_each_receiver_and_a_down_emsp_is_reported(fanout):
    with fake_party() as edp, fake_party() as down:
        # Given two EMSPs exposing the locations receiver, one of them down
        register_receiver(edp.base_url, "EDP")
        register_receiver(down.base_url, "DWN")
        down.fail_with = 503
        # When the bus delivers an EvseStatusChanged event to the workflow
        output, calls = run(fanout, load_event("eventbridge/evse_status_changed.json"))
    # Then one push task (one batch) pushed to each recipient, and the run succeeded with both outcomes
    assert [name for name, _ in calls] == [RECIPIENTS, PUSH]
    assert output["batches"] == [["PARTY#EMSP#PT#DWN", "PARTY#EMSP#PT#EDP"]]
    assert "token" not in json.dumps(output).lower()  # party keys travel in the state, never a token
    outcomes = {o["party"]: o for batch in output["outcomes"] for o in batch}
    assert outcomes["PARTY#EMSP#PT#EDP"]["ok"] is True
    assert outcomes["PARTY#EMSP#PT#DWN"]["ok"] is False and len(down.received) == 1  # not retried
    [patch] = edp.received
    assert patch.path == "/ocpi/emsp/2.2.1/locations/PT/MOB/LSB-00175/LSB-00175-01"
    assert patch.body == {"status": "CHARGING", "last_updated": "2026-12-01T10:41:59Z"}
    assert patch.headers["x-correlation-id"] == "0b6f2d7e-3c9a-4e21-8f4b-6a7c8d9e0f12"


def test_a_crashing_push_task_is_reported_and_the_run_still_succeeds(fanout):
    with fake_party() as edp:
        register_receiver(edp.base_url, "EDP")

        def crashing(event, context):
            raise RuntimeError("the Lambda ran out of time")

        output, _ = run(fanout, load_event("eventbridge/evse_status_changed.json"), push=crashing)
    assert output["outcomes"] == [{"parties": ["PARTY#EMSP#PT#EDP"], "ok": False, "error": "RuntimeError"}]


def status_event(status: str, at: str) -> dict:
    """The sample EvseStatusChanged with ``status`` at ``at`` (the hub's last_updated: its version)."""
    event = load_event("eventbridge/evse_status_changed.json")
    event["detail"]["detail"] |= {"status": status, "last_updated": at}
    return event


def newer_claim() -> str:
    """Whether a newer status of the sample's EVSE could start its fan-out now (and claim it if so)."""
    from mobie_hub.core.types import utcnow
    from mobie_hub.events import location_claims, location_push
    from mobie_hub.events.envelope import DomainEvent

    later = DomainEvent.model_validate(status_event("AVAILABLE", "2026-12-01T11:00:00Z")["detail"])
    return location_claims.claim(location_push.target_of(later), 1, now=utcnow()).claimed.value


def test_a_crashed_push_task_releases_its_batch_so_the_locations_next_fanout_goes_at_once(fanout):
    with fake_party() as edp:
        register_receiver(edp.base_url, "EDP")

        def crashing(event, context):
            raise RuntimeError("the Lambda ran out of time")

        # Given a status whose push task crashed before it could report its batch
        run(fanout, status_event("CHARGING", "2026-12-01T10:41:59Z"), push=crashing)
        # When a newer status of the same EVSE arrives
        _, calls = run(fanout, status_event("AVAILABLE", "2026-12-01T10:43:00Z"))
    # Then its workflow claimed at once (no Wait for the crashed fan-out's lease) and pushed it
    assert [name for name, _ in calls] == [RECIPIENTS, PUSH]
    assert [r.body["status"] for r in edp.received] == ["AVAILABLE"]


@contextmanager
def workflow_releases() -> Iterator[threading.Event]:
    """Set once the workflow's ReleaseBatch (a DynamoDB UpdateItem moto's interpreter makes with the
    default boto3 session) has had its answer, whether the write was made or refused."""
    done, releasing = threading.Event(), threading.local()
    events = boto3._get_default_session().events

    def before(params, **_):
        releasing.now = "#reported" in params.get("UpdateExpression", "")  # the ASL's name, not report()'s

    def after(**_):
        if getattr(releasing, "now", False):
            done.set()

    events.register("before-parameter-build.dynamodb.UpdateItem", before, unique_id="release-before")
    events.register("after-call.dynamodb.UpdateItem", after, unique_id="release-after")
    try:
        yield done
    finally:
        events.unregister("before-parameter-build.dynamodb.UpdateItem", unique_id="release-before")
        events.unregister("after-call.dynamodb.UpdateItem", unique_id="release-after")


def test_a_batch_that_reported_and_then_crashed_counts_once_so_the_other_batch_still_holds_the_order(
    fanout, monkeypatch,
):
    from mobie_hub.events import location_push

    monkeypatch.setattr(location_push, "BATCH", 1)  # two recipients, two batches
    module, probes = lambda_module("push"), []

    with workflow_releases() as released, fake_party() as edp, fake_party() as glp:
        register_receiver(edp.base_url, "EDP")
        register_receiver(glp.base_url, "GLP")

        def pushes_then_crashes(event, context):
            if probes:  # the second batch: only once the workflow has reported the first one again
                assert released.wait(20), "the first batch's task failed but the workflow did not report it"
            # While this batch has not reported, a newer status must wait
            probes.append(newer_claim())
            module.push(event, context)  # pushes and reports its batch done
            raise RuntimeError("crashed after reporting")  # so the workflow reports it again

        # Given a status pushed in two batches, each reporting and then crashing
        output, _ = run(fanout, status_event("CHARGING", "2026-12-01T10:41:59Z"), push=pushes_then_crashes)
    assert len(output["batches"]) == 2
    # Then the first batch's two reports (its own, the workflow's) did not free the Location while the
    # second batch was still to push: a newer status waited both times
    assert probes == ["BUSY", "BUSY"]
    assert [len(party.received) for party in (edp, glp)] == [1, 1]
    # And once both batches are over, the next status goes at once
    assert newer_claim() == "CLAIMED"


def test_no_receiver_is_an_empty_successful_run(fanout):
    output, calls = run(fanout, load_event("eventbridge/evse_status_changed.json"))
    assert output == {"next": "done", "skipped": "no recipients"} and [name for name, _ in calls] == [RECIPIENTS]


def test_an_event_that_must_follow_a_fanout_under_way_waits_in_the_workflow_then_goes(fanout):
    from mobie_hub.core.types import utcnow
    from mobie_hub.events import location_claims, location_push
    from mobie_hub.events.envelope import DomainEvent

    event = load_event("eventbridge/evse_status_changed.json")
    earlier = DomainEvent.model_validate(event["detail"]).model_copy(deep=True)
    earlier.detail["last_updated"] = "2026-12-01T10:41:00Z"
    module, planned = lambda_module("push"), []

    def recipients(task, context):
        planned.append(module.recipients(task, context))
        if len(planned) == 1:
            # The earlier fan-out ends only once this one has been told to wait: no race with a timer
            location_claims.report(lease)
        return planned[-1]

    with fake_party() as edp:
        register_receiver(edp.base_url, "EDP")
        # Given an earlier status of the EVSE whose fan-out is under way (one batch)
        lease = location_claims.claim(location_push.target_of(earlier), 1, now=utcnow()).lease
        # When the later status arrives, and the earlier fan-out reports its batch while it waits
        _, calls = run(fanout, event, recipients=recipients)
    # Then its workflow was told to wait, planned it again after the Wait, and pushed it
    assert [step["next"] for step in planned] == ["wait", "push"]
    assert [name for name, _ in calls] == [RECIPIENTS, RECIPIENTS, PUSH]
    assert [r.body["status"] for r in edp.received] == ["CHARGING"]


def test_the_pipe_enrichment_turns_a_real_stream_record_into_envelopes(aws):
    # Given a station whose first EVSE starts charging, as the locations table stream records it
    import_tariffs([tariff()], DynamoTariffStore())
    import_locations([location("LSB-00175")], DynamoLocationStore(), DynamoTariffStore())
    streams = boto3.client("dynamodbstreams")
    arn = boto3.client("dynamodb").describe_table(TableName=get_settings().tables["locations"])["Table"][
        "LatestStreamArn"
    ]
    [shard] = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    stored = get_location("LSB-00175")
    evses = [stored.evses[0].model_copy(update={"status": Status.CHARGING}), *stored.evses[1:]]
    put_location(stored.model_copy(update={"evses": evses}))
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    modify = [r for r in records if r["eventName"] == "MODIFY"]

    # When the Pipe hands the record to the enrichment function (JSON, as Pipes sends it)
    envelopes = lambda_module("stream_events").handler(
        json.loads(json.dumps(modify, default=str)), FakeContext()
    )

    # Then it returns one EvseStatusChanged envelope for the bus, and nothing for the import's INSERT
    [envelope] = envelopes
    assert envelope["event_name"] == "EvseStatusChanged" and envelope["event_version"] == 1
    assert envelope["detail"]["evse_uid"] == "LSB-00175-01" and envelope["detail"]["status"] == "CHARGING"


def test_a_push_batch_logs_its_failures_only_and_counts_what_it_sent_once(aws):
    from cost.output import captured_output  # what Lambda ships: the descriptors and the log handlers
    from mobie_hub.events import location_push
    from mobie_hub.events.envelope import DomainEvent

    with fake_party() as edp, fake_party() as down:
        register_receiver(edp.base_url, "EDP")
        register_receiver(down.base_url, "DWN")
        down.fail_with = 503
        planned = location_push.plan(DomainEvent.model_validate(load_event("eventbridge/evse_status_changed.json")["detail"]))
        with captured_output() as output:
            outcomes = lambda_module("push").push(
                {"event": planned["event"], "lease": planned["lease"], "parties": planned["batches"][0]}, FakeContext()
            )
    printed = [json.loads(line) for line in output[0].decode().splitlines() if line.startswith("{")]
    logged = [line for line in printed if "audit" not in line]  # the audit records go to Firehose in AWS
    assert {o["party"]: o["ok"] for o in outcomes} == {"PARTY#EMSP#PT#EDP": True, "PARTY#EMSP#PT#DWN": False}
    # One PushSent for the batch (by module), PushFailed for the party that failed (alarmed per party)
    metrics = [(m["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"], m.get("party"), m.get(name))
               for m in logged if "_aws" in m for name in ("PushSent", "PushFailed") if name in m]
    assert sorted(metrics, key=str) == [("PushFailed", "EMSP PT/DWN", 1), ("PushSent", None, 1)]
    # and log lines for the failure only: no line for the push that succeeded
    lines = [(line["level"], line["message"]) for line in logged if "_aws" not in line]
    assert lines and all(level == "WARNING" for level, _ in lines)
    assert not any("EDP" in json.dumps(line) for line in logged if "_aws" not in line)
