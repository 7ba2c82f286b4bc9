"""The local OCPP endpoint: ``ws://127.0.0.1:8080/ocpp/{charge_point_id}`` on the local hub.

It drives the same ``OcppGateway`` as the Lambda functions: admission before the handshake (401 /
400, or 404 in the open mode, answered as HTTP; nothing is mapped or closed before it succeeds), then
every frame through ``central_system.receive`` in a worker thread (its DynamoDB calls are blocking):
the answer is queued first, then the calls the hub sends after it (a TriggerMessage after a boot).
Replaced adapters, same logic:

- ``LocalConnections`` is the "station connections" port over this process's open websockets;
  every frame to a station goes through its connection's queue, so answers and the hub's calls
  never interleave mid-frame and can be sent from any thread.
- ``LocalCallResults`` routes outcomes to the log and lets a caller await them (``wait``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import secrets
import threading
from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, WebSocket
from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse

from mobie_hub.core.observability import logger
from mobie_hub.ocpp import runtime
from mobie_hub.ocpp.admission import AdmissionRefused, offered_subprotocols
from mobie_hub.ocpp.calls import LoggingListener
from mobie_hub.ocpp.ports import CallOutcome, CallResultListener, ConnectionGone, StationConnections

_CLOSE = object()


class LocalConnections(StationConnections):
    """Open websockets of this process by connection id (ids shaped like API Gateway's)."""

    def __init__(self) -> None:
        self._queues: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Queue]] = {}
        self._lock = threading.Lock()

    def open(self) -> tuple[str, asyncio.Queue]:
        connection_id = secrets.token_urlsafe(12)
        queue: asyncio.Queue = asyncio.Queue()
        with self._lock:
            self._queues[connection_id] = (asyncio.get_running_loop(), queue)
        return connection_id, queue

    def forget(self, connection_id: str) -> None:
        with self._lock:
            self._queues.pop(connection_id, None)

    def _put(self, connection_id: str, item: Any) -> None:
        with self._lock:
            entry = self._queues.get(connection_id)
        if entry is None:
            raise ConnectionGone(connection_id)
        loop, queue = entry
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop is closed: the server is stopping
            raise ConnectionGone(connection_id) from None

    def send(self, connection_id: str, text: str) -> None:
        self._put(connection_id, text)

    def close(self, connection_id: str) -> None:
        try:
            self._put(connection_id, _CLOSE)
        except ConnectionGone:
            pass

    def __len__(self) -> int:
        return len(self._queues)


class LocalCallResults(CallResultListener):
    """Logs every outcome and keeps it for whoever waits for it (by station and message id)."""

    KEEP = 1000  # outcomes nobody waited for are forgotten, oldest first

    def __init__(self, then: CallResultListener | None = None) -> None:
        self._then = then or LoggingListener()
        self._futures: OrderedDict[tuple[str, str], concurrent.futures.Future] = OrderedDict()
        self._lock = threading.Lock()

    def _future(self, station_id: str, message_id: str) -> concurrent.futures.Future:
        with self._lock:
            future = self._futures.get((station_id, message_id))
            if future is None:
                future = self._futures[(station_id, message_id)] = concurrent.futures.Future()
                while len(self._futures) > self.KEEP:
                    self._futures.popitem(last=False)
            return future

    def on_outcome(self, outcome: CallOutcome) -> None:
        self._then.on_outcome(outcome)
        future = self._future(outcome.station_id, outcome.message_id)
        if not future.done():
            future.set_result(outcome)

    def wait(self, station_id: str, message_id: str, timeout: float) -> CallOutcome:
        """Block until the outcome arrives (``TimeoutError`` after ``timeout`` seconds)."""
        future = self._future(station_id, message_id)
        try:
            return future.result(timeout)
        finally:
            with self._lock:
                self._futures.pop((station_id, message_id), None)

    async def wait_async(self, station_id: str, message_id: str, timeout: float) -> CallOutcome:
        return await asyncio.wait_for(asyncio.wrap_future(self._future(station_id, message_id)), timeout)


class _DenialIsAHandshake(logging.Filter):
    """uvicorn's sans-I/O websocket protocol (0.54) sends a denial response (HTTP 404 / 401 / 400
    before the handshake) correctly but then logs "ASGI callable returned without completing
    handshake" as if none was sent. This endpoint always accepts or denies, so the line is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "ASGI callable returned without completing handshake."


def quiet_denied_handshakes() -> None:
    """Drop uvicorn's misleading line for a denied handshake (``_DenialIsAHandshake``)."""
    uvicorn_errors = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DenialIsAHandshake) for f in uvicorn_errors.filters):
        uvicorn_errors.addFilter(_DenialIsAHandshake())


async def _refuse(websocket: WebSocket, station_id: str, refused: AdmissionRefused) -> None:
    """The reason is logged; the station reads ``refused.public``, one text for every 401."""
    logger.info("station refused", station_id=station_id, status=refused.status, reason=refused.reason)
    headers = {"WWW-Authenticate": 'Basic realm="OCPP", charset="UTF-8"'} if refused.status == 401 else None
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(
            PlainTextResponse(refused.public, status_code=refused.status, headers=headers)
        )
    else:  # servers without the denial extension answer a close before accept with HTTP 403
        await websocket.close(code=1008, reason=refused.public[:120])


async def _writer(websocket: WebSocket, queue: asyncio.Queue) -> None:
    try:
        while True:
            item = await queue.get()
            if item is _CLOSE:
                await websocket.close(code=1000, reason="replaced by a newer connection")
                return
            await websocket.send_text(item)
    except (RuntimeError, OSError):  # the station went away mid-send; the reader sees the disconnect
        return


async def ocpp_endpoint(websocket: WebSocket, charge_point_id: str) -> None:
    central_system = runtime.central_system()
    connections = central_system.connections
    if not isinstance(connections, LocalConnections):
        raise RuntimeError("the local OCPP endpoint needs the local composition (mobie_hub.wiring.local.install())")
    try:
        admitted = await run_in_threadpool(
            central_system.admit,
            charge_point_id,
            authorization=websocket.headers.get("authorization"),
            offered=offered_subprotocols(websocket.headers.getlist("sec-websocket-protocol")),
        )
    except AdmissionRefused as refused:
        await _refuse(websocket, charge_point_id, refused)
        return
    # As with API Gateway's $connect, the station is mapped before its handshake completes: once the
    # station sees the connection open, calls to it find it (they wait in its queue until the writer runs).
    connection_id, queue = connections.open()
    try:
        await run_in_threadpool(central_system.connected, charge_point_id, connection_id)
    except BaseException:
        connections.forget(connection_id)
        raise
    writer: asyncio.Task | None = None
    try:
        await websocket.accept(subprotocol=admitted.subprotocol)
        writer = asyncio.create_task(_writer(websocket, queue))
        while not writer.done():
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            frame = message.get("text") if message.get("text") is not None else message.get("bytes", b"")
            reply = await run_in_threadpool(central_system.receive, charge_point_id, frame)
            if reply.text is not None:
                queue.put_nowait(reply.text)
            if reply.follow_ups:  # queued after the answer, so the station gets them in that order
                await run_in_threadpool(central_system.send_follow_ups, charge_point_id, reply.follow_ups)
    finally:
        connections.forget(connection_id)
        if writer is not None:
            writer.cancel()
        await run_in_threadpool(central_system.disconnected, charge_point_id, connection_id)


router = APIRouter(include_in_schema=False)
router.add_api_websocket_route("/ocpp/{charge_point_id}", ocpp_endpoint)
