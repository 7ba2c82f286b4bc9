"""The recorder's clock is the handler's: the time the recorder spends on its own bookkeeping (reading
each written item back through moto to price it) is not the handler's CPU time."""

from __future__ import annotations

import time

import boto3

from cost.recorder import Recorder
from mobie_hub.core.dynamodb import dynamodb_resource, table
from mobie_hub.core.settings import get_settings

BOOKKEEPING_S = 0.2  # CPU burnt in each of the recorder's hooks here: far more than the handler's write


def _burn(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_the_recorders_hooks_are_not_counted_as_the_handlers_time(aws, monkeypatch):
    recorder = Recorder(get_settings().tables.names, platform_log_bytes=0, memory_mb={})
    for hook in ("_before", "_after"):  # both sides of a DynamoDB call do the recorder's bookkeeping
        real = getattr(Recorder, hook)

        def slow(self, *args, real=real):
            _burn(BOOKKEEPING_S)
            return real(self, *args)

        monkeypatch.setattr(Recorder, hook, slow)

    def handler(event, context):
        table("parties").put_item(Item={"pk": "PARTY#PT/EDP", "sk": "PARTY", "name": "EDP"})

    with recorder.hooked(dynamodb_resource().meta.client, boto3._get_default_session().events), recorder.usage() as usage:
        recorder.invoke("f", handler, {})

    assert usage["lambda.ddb_calls|f"] == 1 and usage["ddb.wru|parties"] >= 1  # the hooks ran
    assert usage["lambda.ms|f"] < BOOKKEEPING_S * 1000 / 2
