"""The local hub's ASGI app served by uvicorn in a background thread of this process, on a free
loopback port, with the embedded DynamoDB: the same app ``mobie-hub serve`` runs, for e2e tests and
benchmarks that drive it over real sockets while inspecting its store directly."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from mobie_hub.core.json_limits import MAX_OCPP_FRAME_BYTES
from mobie_hub.ocpp import runtime
from mobie_hub.ocpp.central_system import CentralSystem
from mobie_hub.simulator import SimulatedStation, connect_station


@dataclass
class InProcessHub:
    base_url: str
    central_system: CentralSystem
    dynamodb_endpoint: str
    # The demo stations' passwords (kept out of repr: tracebacks print the hub)
    station_passwords: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def ocpp_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/ocpp"

    def password(self, station_id: str) -> str:
        """The password the hub gave demo station ``station_id`` at start (KeyError if not a demo one)."""
        return self.station_passwords[station_id]

    def connect_station(
        self, station_id: str, **station: Any
    ) -> AbstractAsyncContextManager[SimulatedStation]:
        """``simulator.connect_station`` to this hub, authenticated with the demo station's password
        (``password=`` given explicitly wins, e.g. a wrong one)."""
        station.setdefault("password", self.station_passwords.get(station_id))
        return connect_station(self.ocpp_url, station_id, **station)


@contextmanager
def in_process_hub(
    *, demo: bool = True, pipeline: bool = True, log_level: str = "warning"
) -> Iterator[InProcessHub]:
    """``pipeline=False``: no pushes (benchmarks that count the gateway's own DynamoDB calls)."""
    import uvicorn

    from mobie_hub.admin import secret as admin_secret
    from mobie_hub.cli.serve import create_local_app
    from mobie_hub.local.demo import demo_passwords, load_demo_data
    from mobie_hub.local.embedded_aws import embedded_aws
    from mobie_hub.local.pipeline import LocalPipeline
    from mobie_hub.outbound.url_policy import register_listener, unregister_listener

    secret = admin_secret.new_secret()  # written for the port once known; HttpAdmin(base_url) reads it
    with embedded_aws() as endpoint:
        if demo:
            load_demo_data()
        server = uvicorn.Server(
            uvicorn.Config(create_local_app(admin_secret=secret), host="127.0.0.1", port=0, log_level=log_level,
                           ws_max_size=MAX_OCPP_FRAME_BYTES)  # API Gateway's WebSocket frame limit (issue #12)
        )
        try:
            with LocalPipeline() if pipeline else contextlib.nullcontext():  # pushes, as in `mobie-hub serve`
                thread = threading.Thread(target=server.run, name="in-process-hub", daemon=True)
                thread.start()
                deadline = time.monotonic() + 30
                while not server.started:
                    if not thread.is_alive() or time.monotonic() > deadline:
                        raise RuntimeError("the in-process hub did not start")
                    time.sleep(0.02)
                port = server.servers[0].sockets[0].getsockname()[1]
                admin_secret.write_secret(port, secret)
                register_listener("127.0.0.1", port)  # a party's URL never points this hub at itself
                try:
                    passwords = demo_passwords() if demo else {}
                    yield InProcessHub(f"http://127.0.0.1:{port}", runtime.central_system(), endpoint, passwords)
                finally:
                    server.should_exit = True
                    thread.join(timeout=30)
                    runtime.use(None)
                    _close_audit_store()
                    unregister_listener("127.0.0.1", port)
                    admin_secret.remove_secret(port, secret)
        finally:
            _forget_store(endpoint)


def _forget_store(endpoint: str) -> None:
    """Empty the embedded store: moto's server keeps its data in this process's global backends, so
    without this the next in-process hub would start with this one's parties, tokens, passwords
    and failed-login counters (and tests of one module would depend on another's)."""
    import httpx

    httpx.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()


def _close_audit_store() -> None:
    """Flush and drop the embedded audit store this hub installed (its server stops with the hub)."""
    from mobie_hub.audit import runtime as audit_runtime

    store = audit_runtime.sink()
    close = getattr(store, "close", None)
    if close is not None:
        close()
    audit_runtime.use(None, None)
