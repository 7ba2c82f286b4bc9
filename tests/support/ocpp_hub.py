"""The local hub's ASGI app served in-process by uvicorn on a free loopback port (OCPP e2e tests,
the OCPP benchmark): the same app ``mobie-hub serve`` runs, with the embedded DynamoDB."""

from __future__ import annotations

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

    @property
    def ocpp_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/ocpp"


@contextmanager
def in_process_hub(*, demo: bool = True, log_level: str = "warning") -> Iterator[InProcessHub]:
    import uvicorn

    from mobie_hub.local.demo import load_demo_data
    from mobie_hub.local.embedded_aws import embedded_aws
    from mobie_hub.local.server import create_local_app
    from tests.support.local_hub import free_port

    with embedded_aws():
        if demo:
            load_demo_data()
        app = create_local_app()
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level=log_level))
        thread = threading.Thread(target=server.run, name="hub", daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the in-process hub did not start")
            time.sleep(0.02)
        try:
            yield InProcessHub(f"http://127.0.0.1:{port}", runtime.gateway())
        finally:
            server.should_exit = True
            thread.join(timeout=30)
            runtime.use(None)
