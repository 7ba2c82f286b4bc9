"""The local hub's heartbeat watchdog: the same ``ocpp.watchdog.sweep`` the AWS schedule runs, on an
asyncio timer inside ``mobie-hub serve`` (every minute, as the schedule): stations not heard for
longer than ``MOBIE_OCPP_OFFLINE_GRACE_SECONDS``, or disconnected (``CentralSystem.disconnected``,
called by the local OCPP endpoint) for longer than ``MOBIE_OCPP_DISCONNECT_GRACE_SECONDS``, become
UNKNOWN (issue #17 item 4, issue #18)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from mobie_hub.core.observability import logger
from mobie_hub.core.settings import get_settings
from mobie_hub.core.types import utcnow
from mobie_hub.ocpp.watchdog import SweepResult, sweep

INTERVAL_SECONDS = 60.0  # as the AWS schedule (infra/constructs/ocpp_gateway.py WATCHDOG_RATE)


def run_sweep(clock: Callable[[], datetime] = utcnow) -> SweepResult:
    settings = get_settings()
    return sweep(
        clock(),
        timedelta(seconds=settings.ocpp_offline_grace_seconds),
        timedelta(seconds=settings.ocpp_disconnect_grace_seconds),
    )


async def watchdog_loop(
    interval: float = INTERVAL_SECONDS,
    *,
    clock: Callable[[], datetime] = utcnow,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Sweep every ``interval`` seconds until cancelled; a failed run is logged, the next one runs."""
    while True:
        await sleep(interval)
        try:
            await asyncio.to_thread(run_sweep, clock)
        except Exception:  # noqa: BLE001 - a broken run must not stop the next one; the hub keeps serving
            logger.exception("station watchdog sweep failed")
