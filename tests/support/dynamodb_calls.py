"""Count the DynamoDB API calls the hub's boto3 client makes (a botocore ``before-call`` hook)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from mobie_hub.repositories.dynamodb import dynamodb_resource


@contextmanager
def dynamodb_calls() -> Iterator[Counter]:
    """Yields a Counter of operation name → calls made inside the block (GetItem, PutItem, Query, …)."""
    calls: Counter = Counter()

    def count(model, **_):
        calls[model.name] += 1

    events = dynamodb_resource().meta.client.meta.events
    events.register("before-call.dynamodb", count, unique_id="test-dynamodb-call-counter")
    try:
        yield calls
    finally:
        events.unregister("before-call.dynamodb", unique_id="test-dynamodb-call-counter")
