"""The command lifecycle in the local hub (``mobie-hub serve``): the same steps as the Step
Functions state machine (``commands.lifecycle``), on an asyncio event loop with a timer per wait.

The loop runs in a thread of its own, started on first use: the OCPI routes and the OCPP frames
that start and resume commands run in worker threads, and a command outlives the request that
started it. Blocking steps (DynamoDB, the POST) run in the loop's executor, as ``local.ocpp`` does.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable

from mobie_hub.commands import lifecycle
from mobie_hub.commands.delivery import ResultPoster
from mobie_hub.commands.ports import CommandWorkflow, SessionFacts
from mobie_hub.core.observability import logger
from mobie_hub.ocpp.send import send_call


class LocalCommandRunner(CommandWorkflow):
    def __init__(self, sessions: Callable[[], SessionFacts], deliver: Callable | None = None) -> None:
        self._sessions = sessions
        self._deliver = deliver or ResultPoster()
        self._waits: dict[str, asyncio.Future] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.finished: dict[str, asyncio.Future] = {}  # command id → its decision (tests, logs)

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                threading.Thread(target=self._loop.run_forever, name="command-runner", daemon=True).start()
            return self._loop

    def start(self, command_id: str, timeout_seconds: int) -> None:
        future = asyncio.run_coroutine_threadsafe(
            self._run(command_id, timeout_seconds), self._running_loop()
        )
        self.finished[command_id] = future

    async def _run(self, command_id: str, timeout_seconds: int):
        loop = asyncio.get_running_loop()
        token = str(uuid.uuid4())
        resumed = loop.create_future()
        with self._lock:
            self._waits[token] = resumed
        try:
            await loop.run_in_executor(
                None, lambda: lifecycle.send(command_id, token, workflow=self, send_call=send_call)
            )
            try:
                await asyncio.wait_for(asyncio.shield(resumed), timeout_seconds)
                timed_out = False
            except TimeoutError:
                timed_out = True
        finally:
            with self._lock:
                self._waits.pop(token, None)
        try:
            return await loop.run_in_executor(
                None,
                lambda: lifecycle.decide(
                    command_id, timed_out=timed_out, sessions=self._sessions(), deliver=self._deliver
                ),
            )
        except Exception:  # logged with its traceback here, where the asyncio timer would lose it
            logger.exception("command decision failed", command_id=command_id)
            raise

    def resume(self, task_token: str, command_id: str) -> bool:
        with self._lock:
            resumed = self._waits.get(task_token)
        if resumed is None or self._loop is None:
            return False
        self._loop.call_soon_threadsafe(lambda: resumed.done() or resumed.set_result(command_id))
        return True

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
