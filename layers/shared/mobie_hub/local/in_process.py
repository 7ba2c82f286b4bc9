"""The local hub's ASGI app served by uvicorn in a background thread of this process, on a free
loopback port, with the embedded DynamoDB: the same app ``mobie-hub serve`` runs, for e2e tests and
benchmarks that drive it over real sockets while inspecting its store directly."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from mobie_hub.ocpp import runtime
from mobie_hub.ocpp.gateway import OcppGateway


@dataclass
class InProcessHub:
    base_url: str
    gateway: OcppGateway
    dynamodb_endpoint: str

    @property
    def ocpp_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/ocpp"


@contextmanager
def in_process_hub(
    *, demo: bool = True, pipeline: bool = True, log_level: str = "warning"
) -> Iterator[InProcessHub]:
    """``pipeline=False``: no pushes (benchmarks that count the gateway's own DynamoDB calls)."""
    import uvicorn

    from mobie_hub.local.demo import load_demo_data
    from mobie_hub.local.embedded_aws import embedded_aws
    from mobie_hub.local.pipeline import LocalPipeline
    from mobie_hub.local.server import create_local_app

    with embedded_aws() as endpoint:
        if demo:
            load_demo_data()
        server = uvicorn.Server(
            uvicorn.Config(create_local_app(), host="127.0.0.1", port=0, log_level=log_level)
        )
        with LocalPipeline() if pipeline else contextlib.nullcontext():  # pushes, as in `mobie-hub serve`
            thread = threading.Thread(target=server.run, name="in-process-hub", daemon=True)
            thread.start()
            deadline = time.monotonic() + 30
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    raise RuntimeError("the in-process hub did not start")
                time.sleep(0.02)
            port = server.servers[0].sockets[0].getsockname()[1]
            try:
                yield InProcessHub(f"http://127.0.0.1:{port}", runtime.gateway(), endpoint)
            finally:
                server.should_exit = True
                thread.join(timeout=30)
                runtime.use(None)
                _close_audit_store()


def _close_audit_store() -> None:
    """Flush and drop the embedded audit store this hub installed (its server stops with the hub)."""
    from mobie_hub.audit import runtime as audit_runtime

    store = audit_runtime.sink()
    close = getattr(store, "close", None)
    if close is not None:
        close()
    audit_runtime.use(None, None)
