"""The Location fan-out (docs/events.md "Fan-out of a Location event"): one event → every EMSP exposing
the locations receiver, in order, in batches.

- ``plan`` (the workflow's first task, once per event): the recipients (one Query of the parties),
  split into batches of at most ``BATCH``, and the event's claim (``location_claims``: one
  conditional write). A stale event is dropped here; one that must follow a fan-out under way asks to
  be planned again in a moment (the workflow waits, no Lambda runs meanwhile).
- ``push_batch`` (one task per batch, the workflow's Map): the batch's parties read with one Query,
  every push of the batch at once (a thread each, each bounded by the outbound timeout, so a slow or
  failing EMSP delays and fails nobody else), then one write to report the batch done.
- ``deliver``: both in-process, for the local hub.

Only party keys travel in the workflow's state: the tokens are read by the batch, never written into
an execution's input, output or history.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from mobie_hub.core.errors import HubError
from mobie_hub.core.keys import sortable_time
from mobie_hub.core.models import dump_ocpi
from mobie_hub.core.observability import count, logger
from mobie_hub.core.settings import get_settings
from mobie_hub.core.types import parse_datetime, utcnow
from mobie_hub.core.versions import InterfaceRole
from mobie_hub.events import location_claims as claims
from mobie_hub.events.envelope import DomainEvent
from mobie_hub.events.fanout import ROUTES, recipients
from mobie_hub.events.location_claims import Claimed, Lease, Target
from mobie_hub.events.locations import EVSE_STATUS_CHANGED, LOCATION_UPDATED
from mobie_hub.parties.party import Party, Registration

BATCH = 25  # parties a push invocation serves, all at once (a thread each)
WAIT_SECONDS = 1  # before a busy event is planned again (a Step Functions Wait: whole seconds)


def target_of(event: DomainEvent) -> Target:
    """What ``event`` pushes and its version: the hub's own ``last_updated`` of the EVSE (PATCH) or
    the Location (PUT; the latest of its own and its EVSEs'), never a party's date."""
    detail = event.detail
    if event.event_name == EVSE_STATUS_CHANGED:
        location = f"{detail['country_code']}/{detail['party_id']}/{detail['location_id']}"
        version = detail.get("version") or sortable_time(parse_datetime(detail["last_updated"]))
        return Target(location, detail["evse_uid"], version)
    doc = detail["location"]
    return Target(
        f"{doc['country_code']}/{doc['party_id']}/{doc['id']}", claims.WHOLE,
        sortable_time(parse_datetime(doc["last_updated"])), tuple(e["uid"] for e in doc.get("evses") or []),
    )


def _batches(keys: list[str]) -> list[list[str]]:
    """``keys`` in as few batches of at most ``BATCH`` as can be, of even size."""
    count_ = -(-len(keys) // BATCH)
    return [keys[n::count_] for n in range(count_)] if keys else []


def plan(
    event: DomainEvent, *, now: Callable[[], datetime] = utcnow, parties: Callable[[], list[Party]] | None = None,
) -> dict[str, Any]:
    """The fan-out of ``event``, ``next`` naming the workflow's next step: ``push`` with ``event``,
    ``lease`` and ``batches`` once claimed; ``wait`` (``wait``: seconds) while a fan-out it must follow
    is under way; ``done`` (``skipped``: why) when there is nothing to push."""
    keys = recipients(event, parties) if parties else recipients(event)
    if not keys:
        return {"next": "done", "skipped": "no recipients"}
    batches = _batches(keys)
    outcome = claims.claim(target_of(event), len(batches), now=now())
    if outcome.claimed is Claimed.SUPERSEDED:
        current = _current_location(event)
        if current is None:
            return {"next": "done", "skipped": "superseded, and the Location is no longer published"}
        event = current
        outcome = claims.claim(target_of(event), len(batches), now=now())
    if outcome.claimed is Claimed.BUSY:
        return {"next": "wait", "wait": WAIT_SECONDS}
    if outcome.lease is None:
        return {"next": "done", "skipped": outcome.claimed.value.lower()}
    return {"next": "push", "event": event.as_json(), "lease": outcome.lease.as_json(), "batches": batches}


def _current_location(event: DomainEvent) -> DomainEvent | None:
    """A PUT older than an EVSE status the EMSPs have: the Location as it is now, PUT whole instead
    (its own changes are in it, and a status no older than the one they have)."""
    from mobie_hub.locations.api import get_location

    location = get_location(event.detail["location"]["id"])
    if location is None or not location.publish:
        return None
    return event.model_copy(update={"event_name": LOCATION_UPDATED, "detail": {"location": dump_ocpi(location)}})


def _registered(keys: list[str]) -> list[Party]:
    from mobie_hub.parties.api import list_parties

    wanted = set(keys)
    module = ROUTES[LOCATION_UPDATED].module
    return [p for p in list_parties() if p.key in wanted and p.registration is Registration.REGISTERED
            and p.endpoint_url(module, InterfaceRole.RECEIVER)]


def push_batch(
    event: DomainEvent, keys: list[str], lease: Lease | None, client: Any | None = None,
    parties: Callable[[list[str]], list[Party]] = _registered,
) -> list[dict[str, Any]]:
    """Push ``event`` to every party of ``keys`` at once, then report the batch done. A failed push is
    an outcome (logged, ``PushFailed`` per party), never an error of the batch."""
    from mobie_hub.outbound import get_client

    client = client or get_client()
    found = {party.key: party for party in parties(keys)}
    try:
        work = [(lambda party=party: _push(event, party, client)) for party in found.values()]
        outcomes = _at_once(work, get_settings().push_threads)
    finally:
        if lease is not None:
            claims.report(lease)
    outcomes += [{"party": key, "ok": True, "skipped": "no longer a registered receiver"}
                 for key in keys if key not in found]
    sent = sum(1 for outcome in outcomes if outcome.get("ok") and "skipped" not in outcome)
    if sent:
        count("PushSent", sent, module=ROUTES[event.event_name].module)
    return outcomes


def _push(event: DomainEvent, party: Party, client: Any) -> dict[str, Any]:
    from mobie_hub.outbound import correlation_scope

    route = ROUTES[event.event_name]
    with correlation_scope(event.correlation_id):
        try:
            route.push(client, party, event)
        except HubError as exc:
            logger.warning("push failed", event_name=event.event_name, party=party.label, reason=exc.message)
            count("PushFailed", module=route.module, party=party.label)
            return {"party": party.key, "ok": False, "error": exc.message}
        except Exception as exc:  # noqa: BLE001 - a bug in one push must not lose the others' outcomes
            logger.exception("push crashed", event_name=event.event_name, party=party.label)
            count("PushFailed", module=route.module, party=party.label)
            return {"party": party.key, "ok": False, "error": type(exc).__name__}
    return {"party": party.key, "ok": True}


def _at_once(work: list[Callable[[], dict[str, Any]]], threads: int) -> list[dict[str, Any]]:
    """Run ``work`` side by side on up to ``threads`` threads (1: one after another, in this thread),
    each in a copy of this context (the correlation id, the logger's keys)."""
    if threads <= 1 or len(work) <= 1:
        return [job() for job in work]
    with ThreadPoolExecutor(max_workers=min(threads, len(work)), thread_name_prefix="push") as pool:
        futures = [pool.submit(contextvars.copy_context().run, job) for job in work]
        return [future.result() for future in futures]


def deliver(
    event: DomainEvent, *, sleep: Callable[[float], None] = time.sleep, client: Any | None = None,
) -> list[dict[str, Any]]:
    """The fan-out workflow in-process (the local hub): plan until claimed or dropped, then each batch."""
    while (planned := plan(event))["next"] == "wait":
        sleep(planned["wait"])
    if planned["next"] != "push":
        return []
    claimed, lease = DomainEvent.model_validate(planned["event"]), Lease(**planned["lease"])
    return [outcome for keys in planned["batches"] for outcome in push_batch(claimed, keys, lease, client)]
