"""``mobie-hub smoke``: the operator's check after a deploy (docs/deploy.md, "Smoke check").

Against a deployed stack (``--stack NAME``: the URLs from its outputs, the admin function with the
operator's AWS credentials) or a local hub (``--hub URL``), it checks, in order:

1. **admin**: the admin operation ``status`` answers (the admin path and the tables work);
2. **versions**: ``GET …/ocpi/versions`` over mutual TLS with the EMSP client certificate given
   (``--cert``/``--key``): with ``--token``, an OCPI 1000 answer listing versions; without, any answer
   in the OCPI envelope (TLS, the custom domain and the versions function work);
3. **mtls-enforced** (with ``--cert``): the same request without a client certificate is refused (the
   TLS handshake fails, as API Gateway does, or HTTP 403, as the local hub does);
4. **station**: a simulated station (``mobie_hub.simulator``) connects to the station URL with its
   password (HTTP Basic), is Accepted at BootNotification and answered a Heartbeat;
5. **station-seen**: the admin operation ``stations.show`` reports the station seen.

Each check prints one line (or, with ``--json``, one JSON object for all); exit 0 when every check
passed, 1 otherwise. Secrets can come from the environment (``MOBIE_SMOKE_TOKEN``,
``MOBIE_SMOKE_STATION_PASSWORD``) rather than the command line, which other users of the machine see.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from mobie_hub.admin.client import AdminError, AdminTransport, HttpAdmin, LambdaAdmin
from mobie_hub.cli.command_line import CliError

TOKEN_ENV = "MOBIE_SMOKE_TOKEN"
STATION_PASSWORD_ENV = "MOBIE_SMOKE_STATION_PASSWORD"
STATION_URL_PLACEHOLDER = "/{charge_point_id}"  # the OcppStationUrl output ends with it
TIMEOUT = 20.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Target:
    """Where the checks go: the versions URL, the station base URL (``…/ocpp``), the admin transport."""

    versions_url: str
    station_url: str
    admin: AdminTransport


@dataclass(frozen=True)
class Credentials:
    cert: str | None = None
    key: str | None = None
    ca: str | None = None  # the hub's server CA (a local hub's certs/ca.pem); default: the system's
    token: str | None = None
    station_id: str | None = None
    station_password: str | None = None


def stack_outputs(stack: str, region: str | None) -> dict[str, str]:
    import boto3

    described = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=stack)
    return {o["OutputKey"]: o["OutputValue"] for o in described["Stacks"][0].get("Outputs", [])}


def stack_target(stack: str, region: str | None) -> Target:
    outputs = stack_outputs(stack, region)
    missing = [key for key in ("OcpiVersionsUrl", "OcppStationUrl") if key not in outputs]
    if missing:
        raise CliError(f"stack {stack} has no {', '.join(missing)} output: is it a mobie-hub stack?")
    return Target(
        versions_url=outputs["OcpiVersionsUrl"],
        station_url=outputs["OcppStationUrl"].removesuffix(STATION_URL_PLACEHOLDER),
        admin=LambdaAdmin(stack, region),
    )


def hub_target(hub: str, ca: str | None) -> Target:
    parts = urlsplit(hub)
    websocket = {"http": "ws", "https": "wss"}.get(parts.scheme)
    if websocket is None or not parts.netloc:
        raise CliError(f"--hub must be an http(s) URL, got {hub}")
    return Target(
        versions_url=f"{hub.rstrip('/')}/ocpi/versions",
        station_url=f"{websocket}://{parts.netloc}/ocpp",
        admin=HttpAdmin(hub, ca_file=ca, timeout=TIMEOUT),
    )


def _tls(credentials: Credentials, *, with_certificate: bool) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=credentials.ca)
    if with_certificate and credentials.cert:
        context.load_cert_chain(credentials.cert, credentials.key)
    return context


def _get_versions(target: Target, credentials: Credentials, *, with_certificate: bool) -> Any:
    import httpx

    from mobie_hub.outbound.httpx_adapter import authorization

    headers = {"Authorization": authorization(credentials.token)} if credentials.token else {}
    verify: Any = _tls(credentials, with_certificate=with_certificate)
    if urlsplit(target.versions_url).scheme == "http":
        verify = True  # plain http (a local hub without TLS): nothing to verify
    return httpx.get(target.versions_url, headers=headers, verify=verify, timeout=TIMEOUT)


def check_admin(target: Target, credentials: Credentials) -> Check:
    status = target.admin.call("status", {})
    return Check("admin", True, f"the admin operations answer (public URL {status.get('public_url', '?')})")


def check_versions(target: Target, credentials: Credentials) -> Check:
    response = _get_versions(target, credentials, with_certificate=True)
    try:
        body = response.json()
    except ValueError:
        return Check("versions", False, f"HTTP {response.status_code}, not an OCPI answer: {response.text[:200]}")
    if not isinstance(body, dict) or "status_code" not in body:
        return Check("versions", False, f"HTTP {response.status_code}, not in the OCPI envelope")
    if credentials.token is None:
        return Check(
            "versions", True,
            f"the versions module answered in the OCPI envelope (HTTP {response.status_code}, "
            f"{body['status_code']}); give --token to check an authenticated answer",
        )
    versions = [item.get("version") for item in body.get("data") or [] if isinstance(item, dict)]
    ok = response.status_code == 200 and body["status_code"] == 1000 and bool(versions)
    detail = f"versions {', '.join(versions)}" if ok else f"HTTP {response.status_code}: {body}"
    return Check("versions", ok, detail)


def check_mtls_enforced(target: Target, credentials: Credentials) -> Check:
    import httpx

    try:
        response = _get_versions(target, credentials, with_certificate=False)
    except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError, ssl.SSLError) as exc:
        return Check("mtls-enforced", True, f"refused without a client certificate ({type(exc).__name__})")
    if response.status_code == 403:
        return Check("mtls-enforced", True, "refused without a client certificate (HTTP 403)")
    return Check(
        "mtls-enforced", False, f"answered HTTP {response.status_code} without a client certificate"
    )


async def _station_session(target: Target, credentials: Credentials) -> str:
    import websockets

    from mobie_hub.ocpp.station_auth import basic_header
    from mobie_hub.simulator import SimulatedStation, station_url

    url = station_url(target.station_url, credentials.station_id)
    headers = {"Authorization": basic_header(credentials.station_id, credentials.station_password)}
    tls = _tls(credentials, with_certificate=False) if url.startswith("wss://") else None
    async with websockets.connect(
        url, subprotocols=["ocpp1.6"], additional_headers=headers, open_timeout=TIMEOUT, ssl=tls
    ) as connection:
        station = SimulatedStation(credentials.station_id, connection, response_timeout=TIMEOUT)
        receiver = asyncio.ensure_future(station.start())
        try:
            boot = await station.boot()
            if boot.status != "Accepted":  # a plain str or the ocpp library's StrEnum
                raise RuntimeError(f"BootNotification answered {boot.status}")
            beat = await station.heartbeat()
            return f"connected to {url}, boot Accepted (interval {boot.interval} s), heartbeat at {beat.current_time}"
        finally:
            receiver.cancel()


def check_station(target: Target, credentials: Credentials) -> Check:
    return Check("station", True, asyncio.run(_station_session(target, credentials)))


def check_station_seen(target: Target, credentials: Credentials) -> Check:
    shown = target.admin.call("stations.show", {"station_id": credentials.station_id})
    ok = bool(shown.get("last_seen") or shown.get("connected_at"))
    detail = f"last seen {shown.get('last_seen')}" if ok else f"the hub has not seen it: {shown}"
    return Check("station-seen", ok, detail)


def run_checks(target: Target, credentials: Credentials) -> list[Check]:
    """Every check in order; one failing does not stop the others (each says what it found)."""
    checks: list[tuple[str, Callable[[Target, Credentials], Check]]] = [
        ("admin", check_admin),
        ("versions", check_versions),
    ]
    if credentials.cert:
        checks.append(("mtls-enforced", check_mtls_enforced))
    if credentials.station_id:
        checks += [("station", check_station), ("station-seen", check_station_seen)]
    results = []
    for name, check in checks:
        try:
            results.append(check(target, credentials))
        except AdminError as exc:
            results.append(Check(name, False, f"admin: {exc.kind}: {exc.message}"))
        except Exception as exc:  # noqa: BLE001 - a check reports any failure as its result, not a traceback
            results.append(Check(name, False, _describe(exc)))
    return results


def _describe(exc: Exception) -> str:
    response = getattr(exc, "response", None)  # websockets' InvalidStatus: the handshake was refused
    if response is not None and hasattr(response, "status_code"):
        return f"the hub refused the connection: HTTP {response.status_code}"
    return f"{type(exc).__name__}: {exc}"


def _smoke(args: argparse.Namespace) -> int:
    if bool(args.cert) != bool(args.key):
        raise CliError("--cert and --key go together")
    password = args.station_password or os.environ.get(STATION_PASSWORD_ENV)
    if args.station_id and not password:
        raise CliError(f"--station-id needs --station-password (or {STATION_PASSWORD_ENV} in the environment)")
    credentials = Credentials(
        cert=args.cert, key=args.key, ca=args.ca, token=args.token or os.environ.get(TOKEN_ENV),
        station_id=args.station_id, station_password=password,
    )
    target = stack_target(args.stack, args.region) if args.stack else hub_target(args.hub, args.ca)
    if args.versions_url or args.station_url:
        target = Target(
            versions_url=args.versions_url or target.versions_url,
            station_url=(args.station_url or target.station_url).removesuffix(STATION_URL_PLACEHOLDER),
            admin=target.admin,
        )
    results = run_checks(target, credentials)
    if args.json:
        print(json.dumps({"ok": all(r.ok for r in results), "checks": [asdict(r) for r in results]}))
    else:
        for result in results:
            print(f"{'ok  ' if result.ok else 'FAIL'} {result.name}: {result.detail}")
    return 0 if all(result.ok for result in results) else 1


def add_smoke_command(commands: argparse._SubParsersAction) -> None:
    smoke = commands.add_parser(
        "smoke",
        help="post-deploy check: admin, versions over mTLS, one station connecting (docs/deploy.md)",
    )
    where = smoke.add_mutually_exclusive_group()
    where.add_argument("--hub", default="http://127.0.0.1:8080", help="local hub URL (default %(default)s)")
    where.add_argument("--stack", help="deployed CloudFormation stack name (uses your AWS credentials)")
    smoke.add_argument("--region", help="AWS region of --stack")
    smoke.add_argument("--cert", help="an EMSP client certificate (PEM) for mutual TLS")
    smoke.add_argument("--key", help="the private key of --cert")
    smoke.add_argument("--ca", help="CA of the hub's server certificate (a local hub's certs/ca.pem)")
    smoke.add_argument("--token", help=f"an OCPI token the hub accepts for versions (or {TOKEN_ENV})")
    smoke.add_argument("--station-id", help="a registered station to connect as (a Location id)")
    smoke.add_argument("--station-password", help=f"its password (or {STATION_PASSWORD_ENV})")
    smoke.add_argument("--versions-url", help="instead of the stack's OcpiVersionsUrl output")
    smoke.add_argument("--station-url", help="instead of the stack's OcppStationUrl output (wss://…/ocpp)")
    smoke.add_argument("--json", action="store_true", help="print exactly one JSON object")
    smoke.set_defaults(run=_smoke)
