"""The one place a boto3 DynamoDB resource is made (lazily: nothing is created at import time)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from mobie_hub.core.settings import get_settings


@cache
def dynamodb_resource() -> Any:
    """A DynamoDB service resource for the configured region (and local endpoint, if any)."""
    import boto3  # imported here: boto3 costs ~0.3 s of cold start, only paid on first use

    settings = get_settings()
    return boto3.resource("dynamodb", region_name=settings.aws_region, endpoint_url=settings.dynamodb_endpoint)


def table(key: str) -> Any:
    """The boto3 Table for a table key of ``mobie_hub.core.tables``."""
    return _table(dynamodb_resource(), get_settings().tables[key])


@cache
def _table(resource: Any, name: str) -> Any:
    """Made once per resource and name: making a Table builds its class from boto3's resource model
    (about 1 ms of CPU, a third of an OCPP message's; issue #18, docs/operations.md "Lambda duration")."""
    return resource.Table(name)


def reset_clients() -> None:
    """Forget cached clients (tests and the local hub call this after changing settings)."""
    dynamodb_resource.cache_clear()
    _table.cache_clear()


def batch_get(key: str, keys: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Every existing item among ``keys``: BatchGetItem in chunks of 100 (the API's limit), with
    unprocessed keys asked for again."""
    name = get_settings().tables[key]
    items: list[dict[str, Any]] = []
    for start in range(0, len(keys), 100):
        request: dict[str, Any] = {name: {"Keys": keys[start : start + 100]}}
        while request:
            response = dynamodb_resource().batch_get_item(RequestItems=request)
            items.extend(response["Responses"].get(name, []))
            request = response.get("UnprocessedKeys") or {}
    return items


@contextmanager
def counting_calls() -> Iterator[Counter]:
    """Count the DynamoDB API calls the hub's client makes inside the block (operation → calls).

    A botocore ``before-call`` hook: exact, whatever the backend. Used by benchmarks and tests that
    pin access patterns (one Query a page, one write a PUT)."""
    calls: Counter = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    events = dynamodb_resource().meta.client.meta.events
    unique_id = f"mobie-hub-call-counter-{id(calls)}"
    events.register("before-call.dynamodb", count, unique_id=unique_id)
    try:
        yield calls
    finally:
        events.unregister("before-call.dynamodb", unique_id=unique_id)
