"""``mobie-hub serve``: the whole hub on one port, backed by the embedded DynamoDB."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn, TextIO

from mobie_hub.core.json_limits import MAX_OCPP_FRAME_BYTES
from mobie_hub.core.observability import logger


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None
    demo: bool = True
    # Stations authenticate unless this is set (`--insecure-open-stations`): anyone could then pose as a
    # station without a password, start transactions with real cards and have them billed.
    insecure_open_stations: bool = False
    # HTTPS with client certificates (mobie_hub.local.tls); all three or none.
    tls_cert: str | None = None
    tls_key: str | None = None
    client_ca: str | None = None
    renewal_interval: float | None = None  # seconds between credentials renewal runs (default: settings)
    renewal_days: float | None = None  # renew credentials older than this (default: settings, 7)
    # Outbound URL policy (issue #12): parties on loopback only with this loudly named option (the
    # simulated EMSPs of the sandbox); http to parties when the hub itself is not on TLS, or with
    # allow_http_parties. Private, link-local and the hub's own address stay refused.
    allow_loopback_parties: bool = False
    allow_http_parties: bool = False
    # "console": one readable line per event (mobie_hub.local.console); "json": the JSON lines the hub
    # writes in AWS; "auto": console when stdout is a terminal, else json.
    log_format: str = "auto"

    @property
    def tls(self) -> bool:
        return bool(self.tls_cert and self.tls_key and self.client_ca)

    @property
    def base_url(self) -> str:
        return self.public_url or f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"


LOG_FORMATS = ("auto", "console", "json")
# Seconds uvicorn waits for open connections (stations' WebSockets, slow requests) after Ctrl-C before
# closing them; the rest (sweeps, pipeline, embedded AWS) usually takes under half a second more.
GRACEFUL_SHUTDOWN_SECONDS = 1
# Ctrl-C ends the process this long after the signal whatever is still running then (a push to a party
# that does not answer, a renewal call): the sandbox keeps nothing, so nothing is lost that would stay.
SHUTDOWN_DEADLINE_SECONDS = 1.9


def console_wanted(log_format: str, stdout: TextIO) -> bool:
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format {log_format!r}: one of {', '.join(LOG_FORMATS)}")
    return log_format == "console" or (log_format == "auto" and stdout.isatty())


def create_local_app(admin_secret: str | None = None, console=None):
    """Every OCPI module plus the loopback-only admin interface in one ASGI app. The admin interface
    answers only calls carrying ``admin_secret`` (none: it refuses every call; mobie_hub.local.admin_http).
    ``console`` (a ``mobie_hub.local.console.HubConsole``) also shows each audit record as a line."""
    from mobie_hub.local.admin_http import router as admin_router
    from mobie_hub.local.ocpp import router as ocpp_router
    from mobie_hub.local.openapi import router as docs_router
    from mobie_hub.ocpi.app import create_app
    from mobie_hub.wiring import local

    app = create_app()
    app.include_router(admin_router)
    app.include_router(docs_router)  # /docs and /openapi.json: the local hub only, never the Lambdas
    app.state.admin_secret = admin_secret
    local.install()  # OCPP over this process's websockets, commands on asyncio, the embedded audit store
    if console is not None:
        from mobie_hub.audit import runtime as audit_runtime
        from mobie_hub.local.console import ConsoleAuditSink

        audit_runtime.use(ConsoleAuditSink(audit_runtime.sink(), console), audit_runtime.finder())
    app.include_router(ocpp_router)
    return app


def serve(options: ServeOptions) -> NoReturn:
    """Run until Ctrl-C, then end the process. uvicorn handles the signal: it stops accepting, gives open
    connections ``GRACEFUL_SHUTDOWN_SECONDS`` and closes them; then the pipeline's threads and the
    embedded AWS stop, and the process exits without the interpreter's teardown (``_exit``)."""
    console = _console_on_stdout() if console_wanted(options.log_format, sys.stdout) else None
    try:
        _serve(options, console)
    finally:
        if console is not None:
            sys.stdout.flush()
            sys.stdout = sys.__stdout__
            logger.registered_handler.setStream(sys.__stdout__)
    _exit(0)


def _server_with_deadline(uvicorn, config, last_words: Callable[[], None]):
    """A ``uvicorn.Server`` whose first Ctrl-C (SIGINT/SIGTERM) also starts the shutdown deadline."""

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            if not self.should_exit:
                start_deadline(SHUTDOWN_DEADLINE_SECONDS, last_words)
            super().handle_exit(sig, frame)

    return Server(config)


def start_deadline(seconds: float, last_words: Callable[[], None] = lambda: None) -> threading.Timer:
    """End the process ``seconds`` from now unless it has ended by itself (``last_words`` first)."""

    def expired() -> None:
        logger.warning("shutdown took too long: exiting now", after_seconds=seconds)
        last_words()
        _exit(0)

    timer = threading.Timer(seconds, expired)
    timer.daemon = True
    timer.start()
    return timer


def _exit(code: int) -> NoReturn:
    """End the process now. Everything the hub holds is gone by design (the embedded store keeps nothing)
    and every thread has stopped; what is left is the interpreter freeing moto's, botocore's and the
    models' module state, which took 2-3 s here, more than the 2 s Ctrl-C may take (issue #15)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _console_on_stdout():
    """The readable console on the terminal; stdout (the log lines, the metrics) read back through it."""
    from mobie_hub.local.console import ConsoleStream, HubConsole

    console = HubConsole(sys.stdout)
    stream = ConsoleStream(console)
    sys.stdout = stream
    logger.registered_handler.setStream(stream)
    return console


def _serve(options: ServeOptions, console) -> None:
    import uvicorn

    from mobie_hub.admin import secret as admin_secret
    from mobie_hub.core.settings import get_settings
    from mobie_hub.local.demo import load_demo_data
    from mobie_hub.local.embedded_aws import embedded_aws
    from mobie_hub.local.pipeline import LocalPipeline
    from mobie_hub.local.renewal import serve_with_renewal
    from mobie_hub.local.tls import uvicorn_options
    from mobie_hub.local.watchdog import watchdog_loop
    from mobie_hub.outbound.url_policy import register_listener

    os.environ["MOBIE_PUBLIC_URL"] = options.base_url
    # Set either way: only the named options open the outbound policy, never an inherited variable.
    os.environ["MOBIE_OUTBOUND_ALLOW_LOOPBACK"] = "true" if options.allow_loopback_parties else "false"
    allow_http = options.allow_http_parties or not options.tls
    os.environ["MOBIE_OUTBOUND_ALLOW_HTTP"] = "true" if allow_http else "false"
    if options.allow_loopback_parties:
        logger.warning(
            "--allow-loopback-parties: the hub calls party URLs on loopback (127.0.0.0/8, ::1); any "
            "party can make it call local services. For the sandbox's simulated EMSPs only"
        )
    register_listener(options.host, options.port)  # a party's URL never points the hub at itself
    secret = admin_secret.new_secret()
    secret_file = admin_secret.write_secret(options.port, secret)
    logger.info("admin secret written (mode 0600; the CLI reads it)", path=str(secret_file))
    # Set either way: only the loudly named option opens the stations, never an inherited variable.
    os.environ["MOBIE_REQUIRE_STATION_AUTH"] = "false" if options.insecure_open_stations else "true"
    if options.insecure_open_stations:
        logger.warning(
            "INSECURE: --insecure-open-stations: OCPP stations without a password connect WITHOUT "
            "AUTHENTICATION; anyone who can reach this port can pose as one and have charges billed"
        )
    if options.tls:  # the OCPI API then refuses requests without a client certificate (profile §2)
        os.environ["MOBIE_REQUIRE_CLIENT_CERT"] = "true"
    if options.renewal_days is not None:
        os.environ["MOBIE_CREDENTIALS_RENEWAL_DAYS"] = str(options.renewal_days)
    with embedded_aws() as endpoint:
        logger.info("embedded DynamoDB ready", endpoint=endpoint)
        if options.demo:
            counts = load_demo_data()
            logger.info(
                "demo data loaded; each demo station has a random password, which "
                "`mobie-hub simulate station --id ID` asks this hub for (admin interface)",
                **counts,
            )
        tls = uvicorn_options(options.tls_cert, options.tls_key, options.client_ca) if options.tls else {}
        config = uvicorn.Config(
            create_local_app(admin_secret=secret, console=console),
            host=options.host,
            port=options.port,
            # On the console the audit lines show each call and connection, with its outcome: uvicorn's
            # own lines (access log, "connection open") only for warnings there.
            log_level="info" if console is None else "warning",
            access_log=console is None,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
            **tls,
            ws_max_size=MAX_OCPP_FRAME_BYTES,  # API Gateway's WebSocket frame limit (issue #12)
        )
        logger.info("hub listening", versions_url=f"{options.base_url}/ocpi/versions")
        try:
            interval = options.renewal_interval or get_settings().renewal_interval_seconds
            with LocalPipeline():  # table streams → domain events → pushes to the EMSPs
                # uvicorn + the credentials renewal timer + the station watchdog (offline stations UNKNOWN)
                server = _server_with_deadline(
                    uvicorn, config, last_words=lambda: admin_secret.remove_secret(options.port, secret)
                )
                serve_with_renewal(server, interval, watchdog_loop())
        except KeyboardInterrupt:  # uvicorn shut down gracefully, then re-raised the Ctrl-C it caught
            pass
    admin_secret.remove_secret(options.port, secret)
    logger.info("hub stopped")
