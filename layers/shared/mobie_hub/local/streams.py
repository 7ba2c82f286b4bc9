"""The local stand-in for DynamoDB Streams → EventBridge Pipe: polls the embedded DynamoDB's streams
and hands the records to the same converter the Pipe's enrichment Lambda runs in AWS."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from mobie_hub.core.observability import logger
from mobie_hub.core.settings import get_settings
from mobie_hub.core.tables import ALL_TABLES

Records = list[dict[str, Any]]


class StreamPoller:
    """Follows every shard of every streamed table from the moment it starts (LATEST)."""

    def __init__(self, on_records: Callable[[Records], None], interval: float = 0.2) -> None:
        import boto3

        settings = get_settings()
        self._streams = boto3.client(
            "dynamodbstreams", region_name=settings.aws_region, endpoint_url=settings.dynamodb_endpoint
        )
        self._dynamodb = boto3.client("dynamodb", region_name=settings.aws_region, endpoint_url=settings.dynamodb_endpoint)
        self._on_records = on_records
        self._interval = interval
        self._stop = threading.Event()
        self._iterators = self._latest_iterators()
        self._thread = threading.Thread(target=self._run, name="stream-poller", daemon=True)

    def _latest_iterators(self) -> list[str]:
        iterators = []
        for spec in (t for t in ALL_TABLES if t.stream):
            arn = self._dynamodb.describe_table(TableName=get_settings().tables[spec.key])["Table"]["LatestStreamArn"]
            for shard in self._streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
                iterators.append(self._streams.get_shard_iterator(
                    StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST")["ShardIterator"])
        return iterators

    def poll_once(self) -> int:
        """Read what is new on every shard; returns the number of records handed over."""
        handed = 0
        for index, iterator in enumerate(self._iterators):
            response = self._streams.get_records(ShardIterator=iterator)
            self._iterators[index] = response.get("NextShardIterator") or iterator
            if response["Records"]:
                handed += len(response["Records"])
                self._on_records(response["Records"])
        return handed

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.poll_once()
            except Exception:  # keep the local pipeline alive; the failure is logged with its traceback
                logger.exception("stream poll failed")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
