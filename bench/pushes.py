"""Pushes: one EVSE status change delivered to 50 EMSPs (profile §6), on loopback.

The station's status write goes through the same path as in AWS — the table stream record, the Pipe's
converter (``events.stream``), ``fanout.recipients``, then one ``fanout.push`` per EMSP — against the
embedded DynamoDB (moto's server, over HTTP) and one loopback receiver serving all 50 EMSPs. Printed:
the time of the whole delivery with the pushes one after another (the local bus) and 40 at a time
(the Express workflow's Map concurrency), the time per push, and the exact DynamoDB and HTTP calls.
Here the threads share one interpreter (and its GIL) with the embedded DynamoDB and the receiver, so
40 at a time gains little; in AWS each push is its own Lambda invocation. The call counts are exact.
"""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import time
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

EMSPS = 50
ROUNDS = 10
MAP_CONCURRENCY = 40  # infra/constructs/push_fanout.asl.json


def main() -> int:
    os.environ.update(
        MOBIE_PUBLIC_URL="https://hub.bench",
        POWERTOOLS_LOG_LEVEL="ERROR",
        # the 50 EMSPs are fake parties on loopback http, which the outbound URL policy refuses unless opened
        MOBIE_OUTBOUND_ALLOW_HTTP="true",
        MOBIE_OUTBOUND_ALLOW_LOOPBACK="true",
    )
    from mobie_hub.core.settings import get_settings
    from mobie_hub.local.embedded_aws import embedded_aws
    from mobie_hub.wiring import aws

    aws.install()  # the push Lambda's composition
    warnings.simplefilter("ignore")
    get_settings.cache_clear()
    with embedded_aws():
        _run()
    return 0


def _run() -> None:
    from mobie_hub.core.dynamodb import counting_calls
    from mobie_hub.events.fanout import push, recipients
    from mobie_hub.events.stream import events_from_records
    from mobie_hub.local.streams import StreamPoller
    from mobie_hub.locations.enums import Status
    from mobie_hub.locations.inventory_repository import DynamoLocationStore
    from mobie_hub.locations.registry import import_locations, import_tariffs
    from mobie_hub.locations.repository import get_location, put_location
    from mobie_hub.parties.repository import get_party
    from mobie_hub.tariffs.registry_repository import DynamoTariffStore
    from tests.support.fake_party import fake_party
    from tests.support.parties import register_receiver
    from tests.support.stations import location, tariff

    import_tariffs([tariff()], DynamoTariffStore())
    import_locations([location("LSB-00175")], DynamoLocationStore(), DynamoTariffStore())
    with fake_party() as receiver:
        for n in range(EMSPS):
            register_receiver(f"{receiver.base_url}/e{n:02}", f"E{n:02}")
        records: list[dict] = []
        poller = StreamPoller(records.extend)

        def status_change(status: Status):
            stored = get_location("LSB-00175")
            put_location(
                stored.model_copy(
                    update={
                        "evses": [stored.evses[0].model_copy(update={"status": status}), *stored.evses[1:]]
                    }
                )
            )
            records.clear()
            poller.poll_once()
            [event] = events_from_records(records)
            return event

        def deliver(event, workers: int) -> tuple[float, list[float], Counter]:
            durations: list[float] = []

            def one(key: str) -> None:
                started = time.perf_counter()
                outcome = push(event, get_party(key))
                durations.append(time.perf_counter() - started)
                assert outcome["ok"], outcome

            with counting_calls() as calls:
                started = time.perf_counter()
                keys = recipients(event)
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    list(pool.map(one, keys))
                total = time.perf_counter() - started
            assert len(keys) == EMSPS
            return total, durations, Counter(calls)

        statuses = [Status.CHARGING, Status.AVAILABLE]
        figures: list[str] = []
        with contextlib.redirect_stdout(io.StringIO()):  # metrics and audit lines print per push
            for title, workers in (
                ("one after another (local bus)", 1),
                (f"{MAP_CONCURRENCY} at a time (Map)", MAP_CONCURRENCY),
            ):
                totals, per_push, calls = [], [], Counter()
                for round_ in range(ROUNDS):
                    total, durations, counted = deliver(status_change(statuses[round_ % 2]), workers)
                    totals.append(total)
                    per_push.extend(durations)
                    calls += counted
                figures.append(
                    f"{EMSPS} EMSPs, {title}: delivery median {statistics.median(totals) * 1000:.0f} ms, "
                    f"max {max(totals) * 1000:.0f} ms; one push median {statistics.median(per_push) * 1000:.1f} ms"
                )
                figures.append(
                    "  DynamoDB calls per delivery: "
                    + ", ".join(f"{k} {v / ROUNDS:.0f}" for k, v in sorted(calls.items()))
                )
        print("\n".join(figures))
        print(
            f"  HTTP requests received: {len(receiver.received)} ({2 * ROUNDS} deliveries x {EMSPS}), "
            f"all PATCH: {all(r.method == 'PATCH' for r in receiver.received)}"
        )
