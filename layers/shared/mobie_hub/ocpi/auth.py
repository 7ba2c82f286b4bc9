"""``Authorization: Token <base64(token)>`` (OCPI 2.2 transport_and_format §4.1.3).

OCPI 2.2 made base64 mandatory; many 2.2 peers still send the token plain, so both are accepted.
Token A opens only versions and credentials (profile §2); on any other module it is answered HTTP 401,
as is an unknown token (OCPI 2.2.1 transport_and_format §4.1.3: "When a server receives a request with
a valid CREDENTIALS_TOKEN_A, on another module than: credentials or versions, the server SHALL respond
with an HTTP 401 - Unauthorized status code").

Each caller role reaches only the modules, and the interfaces of them, the catalogue offers it
(``mobie_hub.core.modules``; issue #16: a CPO has no tokens or commands, and uses the tariffs
receiver, not the sender). Anything else is refused by one rule, ``check_module_access``: HTTP 403
with OCPI 2000 in the envelope. OCPI 2.2.1 status_codes: only a request from a sender "successfully
authenticated and authorized" reaches the OCPI layer, so an authenticated caller that is not
authorized gets an HTTP error, and 401 is kept for unknown tokens and token A (docs/credentials.md).

The routing headers (transport_and_format "Message Routing"; profile §3) are checked here too: the
hub routes nothing in Phase 1, so ``OCPI-to-*`` may name the hub only (else OCPI 4001, unknown
receiver), and ``OCPI-from-*`` may name the caller only (else 403). Absent headers are accepted.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from mobie_hub.core import credentials_tokens
from mobie_hub.core.context import Caller
from mobie_hub.core.errors import Forbidden, Unauthenticated, UnknownReceiver
from mobie_hub.core.modules import MODULES_BY_ID
from mobie_hub.core.observability import logger
from mobie_hub.core.settings import HubIdentity, get_settings
from mobie_hub.core.versions import InterfaceRole
from mobie_hub.ocpi.client_cert import check_client_certificate

# Modules that a party may reach with token A, before its registration is complete.
REGISTRATION_MODULES = frozenset({"versions", "credentials"})

# scope["state"] key: the caller ``BodyGuardMiddleware`` resolved before reading a request's body
# (the request's one token lookup; the dependency below takes it instead of looking up again).
PRE_AUTHENTICATED = "pre_authenticated"


def token_candidates(header: str | None) -> list[str]:
    """The tokens an Authorization header may carry: the base64-decoded one first, then the raw one."""
    if not header:
        raise Unauthenticated("Authorization header missing")
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "token" or not value:
        raise Unauthenticated("Authorization header must be 'Token <credentials token>'")
    candidates = []
    try:
        decoded = base64.b64decode(value, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    if decoded and decoded.isprintable():
        candidates.append(decoded)
    candidates.append(value)
    return candidates


def authenticate(
    header: str | None, lookup: Callable[[str], Caller | None] = credentials_tokens.find_caller
) -> Caller:
    """Resolve the caller of a request, or raise ``Unauthenticated``."""
    for candidate in token_candidates(header):
        caller = lookup(candidate)
        if caller is not None:
            return caller
    raise Unauthenticated("Unknown credentials token")


def caller_for(module: str, interface: InterfaceRole | None = None) -> Callable[[Request], Caller]:
    """A FastAPI dependency that authenticates the request for ``module`` (its ``interface``; default
    the module's catalogued role) and records the caller."""
    if module not in MODULES_BY_ID:
        raise ValueError(f"unknown OCPI module {module!r}")

    def authenticated(request: Request) -> Caller:
        caller = request.scope.get("state", {}).get(PRE_AUTHENTICATED) or authenticate(
            request.headers.get("authorization")
        )
        check_client_certificate(request, caller)  # profile §2: token, certificate and party match
        check_token_scope(caller, module)
        check_module_access(caller, module, interface)
        request.state.caller = caller
        check_routing_headers(request.headers, caller)
        return caller

    async def dependency(request: Request) -> Caller:
        # The lookup blocks (DynamoDB), so it runs in the thread pool; the log key is set here, in the
        # request's own context, which the endpoint's worker thread and the error handlers inherit.
        caller = await run_in_threadpool(authenticated, request)
        logger.thread_safe_append_keys(party=f"{caller.country_code}/{caller.party_id}")
        return caller

    dependency.__name__ = f"caller_for_{module}"
    return dependency


def check_token_scope(caller: Caller, module: str) -> None:
    """Token A beyond versions and credentials: HTTP 401 (transport_and_format §4.1.3, quoted above)."""
    if not caller.registered and module not in REGISTRATION_MODULES:
        raise Unauthenticated("Token A may only be used for the versions and credentials modules")


def check_module_access(caller: Caller, module: str, interface: InterfaceRole | None = None) -> None:
    """The one rule for who reaches what: a module (or an interface of it) the catalogue does not offer
    the caller's role is HTTP 403, OCPI 2000 (module docstring)."""
    catalogued = MODULES_BY_ID[module]
    if not catalogued.allows(caller.role, interface):
        offered = ", ".join(i.value for i in catalogued.interfaces_for(caller.role))
        raise Forbidden(
            f"the {module} module's {(interface or catalogued.role).value} interface is not offered to "
            f"{caller.role} parties"
            + (f" (they use its {offered} interface)" if offered else " (see the version details)")
        )


def check_before_body(caller: Caller, path: str) -> None:
    """What can be refused from the path alone, before a request's body is read (``BodyGuardMiddleware``):
    token A beyond versions/credentials (401), and a module the caller's role has no interface of at
    all (403); the route's dependency checks the interface it serves."""
    parts = path.split("/")  # "", "ocpi", "{version}", "{module}", …
    module = MODULES_BY_ID.get(parts[3]) if len(parts) > 3 and parts[1] == "ocpi" else None
    if module is None:
        return
    check_token_scope(caller, module.identifier)
    if module.in_details and not module.interfaces_for(caller.role):  # versions: everyone's
        check_module_access(caller, module.identifier)


def check_routing_headers(headers: Mapping[str, str], caller: Caller, hub: HubIdentity | None = None) -> None:
    """Profile §3: requesting platform → hub has TO = the hub and FROM = the platform.

    ``OCPI-to-*`` naming anyone but the hub is a receiver the hub cannot route to (Phase 1 routes
    nothing): OCPI 4001. Each TO header sent is compared on its own (CiString: case-insensitive), so
    half a pair naming someone else is refused too. ``OCPI-from-*`` sent as a pair must be the caller.
    """
    hub = hub or get_settings().hub
    to_cc = (headers.get("ocpi-to-country-code") or "").strip()
    to_pid = (headers.get("ocpi-to-party-id") or "").strip()
    if (to_cc and to_cc.upper() != hub.country_code.upper()) or (
        to_pid and to_pid.upper() != hub.party_id.upper()
    ):
        raise UnknownReceiver(
            f"OCPI-to-* names {to_cc or '?'}/{to_pid or '?'}: MOBI.E routes no messages; "
            f"address the hub ({hub.country_code}/{hub.party_id}) or omit the OCPI-to-* headers"
        )
    from_cc = headers.get("ocpi-from-country-code")
    from_pid = headers.get("ocpi-from-party-id")
    if caller.registered and from_cc and from_pid:
        if (from_cc.upper(), from_pid.upper()) != (caller.country_code, caller.party_id):
            raise Forbidden("OCPI-from-* headers do not match the party of the credentials token")
