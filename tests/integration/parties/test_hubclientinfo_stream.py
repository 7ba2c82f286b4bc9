"""HubClientInfo pushes in AWS: the parties table stream drives functions/hubclientinfo_push."""

from __future__ import annotations

import boto3

from mobie_hub.core.dynamodb import table
from mobie_hub.core.settings import get_settings
from mobie_hub.parties.client_info import changed_parties
from tests.support.fake_emsp import FakeEmsp
from tests.support.handlers import FakeContext, lambda_module


def stream_records() -> list[dict]:
    """Every record of the parties table's stream so far, as the Lambda event source delivers them."""
    streams = boto3.client("dynamodbstreams")
    arn = table("parties").latest_stream_arn
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records += streams.get_records(ShardIterator=iterator)["Records"]
    return records


def test_status_changes_in_the_stream_are_pushed_to_the_other_parties(
    hub, edp: FakeEmsp, glp: FakeEmsp, monkeypatch
):
    # Given the hub in AWS mode (no inline pushes) with GLP and EDP registered
    monkeypatch.setenv("MOBIE_CLIENT_INFO_PUSH", "stream")
    get_settings.cache_clear()
    for emsp in (glp, edp):
        hub.admin("parties.register", versions_url=emsp.versions_url, token_a=emsp.issue_token_a())
    hub.admin("parties.unregister", country_code="PT", party_id="EDP")
    assert glp.client_infos() == []  # nothing pushed inline
    records = stream_records()
    # When the stream's records reach the push function
    changed = changed_parties(records)
    assert [(p.party_id, p.connection_status) for p in changed] == [
        ("GLP", "CONNECTED"),
        ("EDP", "CONNECTED"),
        ("EDP", "SUSPENDED"),
    ]
    result = lambda_module("hubclientinfo_push").handler({"Records": records}, FakeContext())
    # Then GLP heard of EDP's changes (token items and unchanged statuses are ignored)
    assert [(c["party_id"], c["status"]) for c in glp.client_infos()] == [
        ("EDP", "CONNECTED"),
        ("EDP", "SUSPENDED"),
    ]
    assert [(r["party"], r["status"], r["sent"]) for r in result] == [
        ("EMSP PT/GLP", "CONNECTED", []),  # EDP was unregistered by then: nobody else to tell
        ("EMSP PT/EDP", "CONNECTED", ["EMSP PT/GLP"]),
        ("EMSP PT/EDP", "SUSPENDED", ["EMSP PT/GLP"]),
    ]
