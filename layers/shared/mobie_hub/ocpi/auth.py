"""``Authorization: Token <base64(token)>`` (OCPI 2.2 transport_and_format §4.1.3).

OCPI 2.2 made base64 mandatory; many 2.2 peers still send the token plain, so both are accepted.
Token A opens only versions and credentials (profile §2); unknown token → HTTP 401.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from mobie_hub.core import credentials_tokens
from mobie_hub.core.context import Caller
from mobie_hub.core.errors import Forbidden, Unauthenticated
from mobie_hub.core.observability import logger
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


def caller_for(module: str) -> Callable[[Request], Caller]:
    """A FastAPI dependency that authenticates the request for ``module`` and records the caller."""

    def authenticated(request: Request) -> Caller:
        caller = request.scope.get("state", {}).get(PRE_AUTHENTICATED) or authenticate(
            request.headers.get("authorization")
        )
        check_client_certificate(request, caller)  # profile §2: token, certificate and party match
        if not caller.registered and module not in REGISTRATION_MODULES:
            raise Forbidden("Token A may only be used for the versions and credentials modules")
        request.state.caller = caller
        check_routing_headers(request, caller)
        return caller

    async def dependency(request: Request) -> Caller:
        # The lookup blocks (DynamoDB), so it runs in the thread pool; the log key is set here, in the
        # request's own context, which the endpoint's worker thread and the error handlers inherit.
        caller = await run_in_threadpool(authenticated, request)
        logger.thread_safe_append_keys(party=f"{caller.country_code}/{caller.party_id}")
        return caller

    dependency.__name__ = f"caller_for_{module}"
    return dependency


def check_routing_headers(request: Request, caller: Caller) -> None:
    """Profile §3: requesting platform → hub has FROM = the platform. If sent, it must be the caller."""
    from_cc = request.headers.get("ocpi-from-country-code")
    from_pid = request.headers.get("ocpi-from-party-id")
    if caller.registered and from_cc and from_pid:
        if (from_cc.upper(), from_pid.upper()) != (caller.country_code, caller.party_id):
            raise Forbidden("OCPI-from-* headers do not match the party of the credentials token")
