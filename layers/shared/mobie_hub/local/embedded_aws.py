"""An embedded AWS (moto's threaded server on loopback) holding the hub's tables.

The hub's own DynamoDB code talks to it over HTTP exactly as it talks to AWS; only the endpoint
differs. Nothing persists: stopping the hub drops the store.

The server answers one request at a time. moto's server is threaded (werkzeug), and its lock covers
only choosing a backend; its in-memory DynamoDB is not thread-safe (a TransactWriteItems that fails
restores copies of whole tables taken when it began, erasing what other requests wrote meanwhile),
and the local hub calls it from many threads (uvicorn's pool, OCPP frames, the push lanes).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from mobie_hub.core.dynamodb import dynamodb_resource, reset_clients
from mobie_hub.core.schema import ensure_tables
from mobie_hub.core.settings import get_settings

# Credentials the embedded server accepts; set so a developer's real AWS profile is never used.
_LOCAL_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
}


@contextmanager
def embedded_aws(host: str = "127.0.0.1") -> Iterator[str]:
    """Start moto on a free loopback port, point the hub at it, create the tables; yield the endpoint."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request otherwise
    server = ThreadedMotoServer(ip_address=host, port=0, verbose=False)
    server.start()
    server._server.app = one_at_a_time(server._server.app)  # see the module docstring
    bound_host, port = server.get_host_and_port()
    endpoint = f"http://{bound_host}:{port}"
    saved = {name: os.environ.get(name) for name in [*_LOCAL_ENV, "MOBIE_DYNAMODB_ENDPOINT"]}
    os.environ.update(_LOCAL_ENV, MOBIE_DYNAMODB_ENDPOINT=endpoint)
    get_settings.cache_clear()
    reset_clients()
    try:
        ensure_tables(dynamodb_resource().meta.client)
        yield endpoint
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()
        reset_clients()


def one_at_a_time(app: Callable[..., Any]) -> Callable[..., Any]:
    """A WSGI app that runs ``app`` for one request at a time (the response fully built inside)."""
    lock = threading.Lock()

    def serialized(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with lock:
            return list(app(environ, start_response))

    return serialized
