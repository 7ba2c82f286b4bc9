"""The model's arithmetic: a fixed measured profile at a given scale → known dollars; each flag moves
the items it drives and no other."""

from __future__ import annotations

import pytest

from cost.container import Containers, container_items
from cost.model import Scale, load_prices, serverless_items, work_per_month
from tests.unit.cost.profiles import profile

PRICES = load_prices()
SCALE = Scale(stations=1000, sessions_per_day=1000, days_per_month=30, heartbeat_interval=300, meter_interval=60,
              session_minutes=35)


def dollars(items, name: str) -> float:
    [item] = [i for i in items if i.name.startswith(name)]
    return item.dollars


def quantity(items, name: str) -> float:
    [item] = [i for i in items if i.name.startswith(name)]
    return item.quantity


def test_the_work_a_month_follows_the_scale():
    counts = work_per_month(profile(), SCALE)
    assert counts == {
        "Heartbeat": 1000 * 30 * 86_400 / 300,  # 8,640,000
        "MeterValues": 1000 * 30 * 35,  # one a minute for 35 minutes: 1,050,000
        "StartTransaction": 30_000,
    }


def test_a_fixed_profile_gives_known_dollars():
    items = serverless_items(profile(), SCALE, PRICES)
    messages = 2 * (8_640_000 + 1_050_000 + 30_000)
    assert quantity(items, "API Gateway WebSocket: messages") == messages
    assert dollars(items, "API Gateway WebSocket: messages") == pytest.approx(
        messages / 1e6 * PRICES["apigateway_websocket"]["per_million_messages"]
    )
    wru = PRICES["dynamodb_on_demand"]["per_million_write_request_units"]
    assert quantity(items, "DynamoDB: write units (tables)") == 8_640_000 + 2 * 1_050_000 + 4 * 30_000
    assert dollars(items, "DynamoDB: write units (indexes)") == pytest.approx(2 * 1_050_000 / 1e6 * wru)
    # 10 ms of CPU at 1,769 MB (one vCPU) + 6 ms per DynamoDB call, at 1,769 MB
    milliseconds = 8_640_000 * (10 + 6) + 1_050_000 * (10 + 12) + 30_000 * 10
    assert quantity(items, "Lambda: duration") == pytest.approx(milliseconds / 1000 * 1769 / 1024)
    assert quantity(items, "Step Functions Express: requests") == 525_000
    assert dollars(items, "CloudWatch Logs: Step Functions") == pytest.approx(
        1_050_000 * 4000 / 1024**3 * PRICES["cloudwatch_logs"]["ingestion_standard_per_gb"]
    )
    # Firehose bills each audit delivery as at least 5 KB
    assert quantity(items, "Firehose: audit") == pytest.approx(8_640_000 * 5120 / 1024**3)
    assert dollars(items, "CloudWatch: custom metrics") == pytest.approx(10 * 0.10)


def test_more_stations_move_the_per_station_items_and_not_the_per_session_ones():
    base = serverless_items(profile(), SCALE, PRICES)
    doubled = serverless_items(profile(), Scale(**{**SCALE.__dict__, "stations": 2000}), PRICES)
    assert quantity(doubled, "API Gateway WebSocket: connection minutes") == 2 * quantity(
        base, "API Gateway WebSocket: connection minutes"
    )
    assert quantity(doubled, "DynamoDB: write units (tables)") == quantity(base, "DynamoDB: write units (tables)") + 8_640_000
    assert quantity(doubled, "DynamoDB: write units (indexes)") == quantity(base, "DynamoDB: write units (indexes)")


def test_a_longer_meter_interval_or_heartbeat_moves_only_what_it_drives():
    base = serverless_items(profile(), SCALE, PRICES)
    slower_meter = serverless_items(profile(), Scale(**{**SCALE.__dict__, "meter_interval": 120}), PRICES)
    assert quantity(slower_meter, "DynamoDB: write units (indexes)") == quantity(base, "DynamoDB: write units (indexes)") / 2
    assert quantity(slower_meter, "Step Functions Express: requests") == 525_000 / 2
    slower_heartbeat = serverless_items(profile(), Scale(**{**SCALE.__dict__, "heartbeat_interval": 600}), PRICES)
    assert quantity(slower_heartbeat, "DynamoDB: write units (indexes)") == quantity(base, "DynamoDB: write units (indexes)")
    assert quantity(slower_heartbeat, "DynamoDB: write units (tables)") == quantity(base, "DynamoDB: write units (tables)") - 4_320_000


def test_the_containers_pay_fargate_and_the_alb_and_share_the_dynamodb_items():
    items = container_items(profile(), SCALE, PRICES, Containers(tasks=3, vcpu=1, memory_gb=2))
    hours = 30 * 24
    assert dollars(items, "Fargate: vCPU") == pytest.approx(3 * hours * PRICES["fargate_arm64"]["per_vcpu_hour"])
    assert dollars(items, "ALB: hours") == pytest.approx(hours * PRICES["alb"]["per_hour"])
    serverless = serverless_items(profile(), SCALE, PRICES)
    for name in ("DynamoDB: write units (tables)", "DynamoDB: read units"):
        assert dollars(items, name) == dollars(serverless, name)
    assert not [i for i in items if i.name.startswith(("Lambda", "Step Functions", "API Gateway"))]


def test_work_the_model_cannot_place_is_an_error_not_a_silent_zero():
    odd = profile()
    odd["work"]["Teleport"] = {"count": 1, "usage": {"ws.messages_in": 1}}
    with pytest.raises(ValueError, match="Teleport"):
        work_per_month(odd, SCALE)


def test_storage_that_expires_is_priced_for_the_months_it_lives():
    base = serverless_items(profile(), SCALE, PRICES)
    expiring = profile()
    usage = expiring["work"]["MeterValues"]["usage"]
    usage["ddb.expiring|sessions|6"] = usage.pop("ddb.storage|sessions")  # the same bytes, living 6 months
    items = serverless_items(expiring, SCALE, PRICES)
    assert quantity(items, "DynamoDB: storage") == pytest.approx(quantity(base, "DynamoDB: storage") * 6 / 12)


def test_a_functions_first_use_work_is_paid_by_the_cold_start_share_of_its_requests_only():
    warm = serverless_items(profile(), SCALE, PRICES)
    measured = profile()
    measured["meta"]["cold_start_ms"] = {"ocpp-message": 200}  # its first invocation: 200 ms more CPU
    items = serverless_items(measured, Scale(**{**SCALE.__dict__, "cold_start_rate": 0.02}), PRICES)
    requests = 8_640_000 + 1_050_000 + 30_000
    # 2 % of the requests pay 200 ms at 1,769 MB (one vCPU); the warm duration is unchanged
    assert quantity(items, "Lambda: first-use work of cold starts") == pytest.approx(
        requests * 0.02 * 200 / 1000 * 1769 / 1024
    )
    assert quantity(items, "Lambda: duration") == quantity(warm, "Lambda: duration")
    assert quantity(warm, "Lambda: first-use work of cold starts") == 0
