"""The local hub's credentials renewal: the same ``renew_due`` the AWS workflow runs, on an asyncio
timer inside ``mobie-hub serve`` (every ``--renewal-interval`` seconds, default a day)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from mobie_hub.core.observability import logger


def run_renewal() -> list:
    from mobie_hub.outbound import get_client
    from mobie_hub.parties.renewal import count_outcome, renew_due

    return renew_due(get_client(), count_outcome)


async def renewal_loop(interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await asyncio.to_thread(run_renewal)
        except Exception:  # noqa: BLE001 - a broken run must not stop the next one; the hub keeps serving
            logger.exception("credentials renewal run failed")


def serve_with_renewal(server: Any, interval: float, *timers: Coroutine[Any, Any, None]) -> None:
    """Run a ``uvicorn.Server``, the renewal timer and the other ``timers`` (the station watchdog) in one
    event loop until the server stops."""

    async def main() -> None:
        tasks = [asyncio.create_task(renewal_loop(interval)), *(asyncio.create_task(t) for t in timers)]
        try:
            await server.serve()
        finally:
            for task in tasks:
                task.cancel()

    asyncio.run(main())
