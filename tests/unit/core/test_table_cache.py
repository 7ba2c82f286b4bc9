"""``core.dynamodb.table`` makes each boto3 Table once (making one costs about 1 ms of CPU, a third of
an OCPP message's), and a new one for the new resource after ``reset_clients``."""

from __future__ import annotations

from mobie_hub.core.dynamodb import dynamodb_resource, reset_clients, table
from mobie_hub.core.settings import get_settings


def test_a_table_is_made_once_per_resource_and_again_after_a_reset(aws):
    first = table("sessions")
    assert table("sessions") is first
    assert first.name == get_settings().tables["sessions"]
    assert table("parties") is not first
    reset_clients()
    again = table("sessions")
    assert again is not first and again.meta.client is dynamodb_resource().meta.client
