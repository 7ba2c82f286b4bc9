"""Authorization header parsing: base64 first, plain accepted, malformed refused; token A's scope and
the routing headers."""

from __future__ import annotations

import base64

import pytest
from starlette.datastructures import Headers

from mobie_hub.core.context import Caller
from mobie_hub.core.errors import Forbidden, Unauthenticated, UnknownReceiver
from mobie_hub.core.settings import HubIdentity
from mobie_hub.core.versions import InterfaceRole
from mobie_hub.ocpi.auth import (
    authenticate,
    caller_for,
    check_before_body,
    check_module_access,
    check_routing_headers,
    check_token_scope,
    token_candidates,
)

TOKEN = "0f2c7b1e-5d0a-4b7e-9a3c-1b2c3d4e5f60"
CALLER = Caller("PARTY#EMSP#PT#EDP", "EMSP", "PT", "EDP", "C")


def encoded(token: str) -> str:
    return base64.b64encode(token.encode()).decode()


def test_base64_token_is_decoded():
    assert token_candidates(f"Token {encoded(TOKEN)}")[0] == TOKEN


def test_plain_uuid_token_is_never_mistaken_for_base64():
    assert token_candidates(f"Token {TOKEN}") == [TOKEN]


def test_scheme_is_case_insensitive_and_whitespace_tolerated():
    assert token_candidates(f"  token   {encoded(TOKEN)} ")[0] == TOKEN


@pytest.mark.parametrize("header", [None, "", "Token", "Token   ", "Bearer abc", "Basic dXNlcjpwdw=="])
def test_malformed_headers_are_unauthenticated(header):
    with pytest.raises(Unauthenticated):
        token_candidates(header)


def test_authenticate_finds_the_token_in_either_form():
    lookup = {TOKEN: CALLER}.get
    assert authenticate(f"Token {encoded(TOKEN)}", lookup) is CALLER
    assert authenticate(f"Token {TOKEN}", lookup) is CALLER


def test_authenticate_refuses_an_unknown_token():
    with pytest.raises(Unauthenticated):
        authenticate(f"Token {encoded('other')}", {TOKEN: CALLER}.get)


# --- token A's scope (issue #17 item 1) ------------------------------------------------------------
TOKEN_A_CALLER = Caller("PARTY#EMSP#PT#EDP", "EMSP", "PT", "EDP", "A")


FUNCTIONAL = ["locations", "sessions", "cdrs", "tariffs", "tokens", "commands", "hubclientinfo"]


@pytest.mark.parametrize("module", FUNCTIONAL)
def test_token_a_on_a_functional_module_is_unauthenticated(module):
    # OCPI 2.2.1 transport_and_format §4.1.3: "When a server receives a request with a valid
    # CREDENTIALS_TOKEN_A, on another module than: credentials or versions, the server SHALL respond
    # with an HTTP 401 - Unauthorized status code" (Unauthenticated maps to 401, test_error_mapping).
    with pytest.raises(Unauthenticated, match="Token A"):
        check_token_scope(TOKEN_A_CALLER, module)


@pytest.mark.parametrize("module", ["versions", "credentials"])
def test_token_a_opens_versions_and_credentials(module):
    check_token_scope(TOKEN_A_CALLER, module)


def test_token_c_opens_every_module():
    check_token_scope(CALLER, "locations")


# --- modules per caller role (issue #16) ------------------------------------------------------------
CPO_CALLER = Caller("PARTY#CPO#PT#GLP", "CPO", "PT", "GLP", "C")


@pytest.mark.parametrize("module", ["tokens", "commands", "tariffs"])
def test_a_cpo_is_forbidden_the_modules_and_interfaces_it_is_not_offered(module):
    with pytest.raises(Forbidden, match=f"the {module} module's .* interface is not offered to CPO parties"):
        check_module_access(CPO_CALLER, module)


def test_the_refusal_names_the_interface_the_role_does_use():
    with pytest.raises(Forbidden, match="they use its RECEIVER interface"):
        check_module_access(CPO_CALLER, "tariffs", InterfaceRole.SENDER)


def test_a_cpo_reaches_the_tariffs_receiver_and_an_emsp_does_not():
    check_module_access(CPO_CALLER, "tariffs", InterfaceRole.RECEIVER)
    with pytest.raises(Forbidden):
        check_module_access(CALLER, "tariffs", InterfaceRole.RECEIVER)


@pytest.mark.parametrize("module", FUNCTIONAL)
def test_an_emsp_reaches_every_module_it_reached_in_phase_1(module):
    check_module_access(CALLER, module)


def test_a_route_must_name_a_catalogued_module():
    with pytest.raises(ValueError, match="unknown OCPI module"):
        caller_for("chargingprofiles")


# --- routing headers (issue #17 item 3) ------------------------------------------------------------
HUB = HubIdentity(country_code="PT", party_id="MOB")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"OCPI-to-country-code": "PT", "OCPI-to-party-id": "MOB"},
        {"ocpi-to-country-code": "pt", "ocpi-to-party-id": "mob"},  # CiString
        {"OCPI-to-party-id": "MOB"},
        {"OCPI-from-country-code": "PT", "OCPI-from-party-id": "EDP"},
        {"OCPI-to-country-code": "PT", "OCPI-to-party-id": "MOB", "OCPI-from-country-code": "pt",
         "OCPI-from-party-id": "edp"},
    ],
)
def test_routing_headers_naming_the_hub_and_the_caller_or_absent_are_accepted(headers):
    check_routing_headers(Headers(headers), CALLER, HUB)


@pytest.mark.parametrize(
    "headers",
    [
        {"OCPI-to-country-code": "PT", "OCPI-to-party-id": "GLP"},
        {"OCPI-to-country-code": "NL", "OCPI-to-party-id": "MOB"},
        {"OCPI-to-party-id": "EDP"},  # half a pair naming someone else
        {"OCPI-to-country-code": "ES"},
    ],
)
def test_to_headers_naming_anyone_but_the_hub_are_an_unknown_receiver(headers):
    with pytest.raises(UnknownReceiver, match="routes no messages"):
        check_routing_headers(Headers(headers), CALLER, HUB)


def test_from_headers_naming_another_party_are_forbidden():
    headers = Headers({"OCPI-from-country-code": "PT", "OCPI-from-party-id": "GLP"})
    with pytest.raises(Forbidden):
        check_routing_headers(headers, CALLER, HUB)


# --- refused before the body is read (issue #16) ---------------------------------------------------
@pytest.mark.parametrize("path", ["/ocpi/2.2.1/tokens/PT/GLP/X", "/ocpi/2.2/commands/START_SESSION"])
def test_a_module_the_role_has_no_interface_of_is_refused_from_the_path(path):
    with pytest.raises(Forbidden, match="not offered to CPO parties"):
        check_before_body(CPO_CALLER, path)


@pytest.mark.parametrize(
    "path", ["/ocpi/2.2.1/tariffs/PT/GLP/T1", "/ocpi/2.2.1/credentials", "/ocpi/versions", "/ocpi/2.2.1/nonsense"]
)
def test_the_interface_is_left_to_the_route(path):
    check_before_body(CPO_CALLER, path)  # the tariffs route decides SENDER or RECEIVER; unknown paths 404 there


def test_token_a_is_refused_from_the_path_with_401():
    with pytest.raises(Unauthenticated):
        check_before_body(TOKEN_A_CALLER, "/ocpi/2.2.1/tokens/PT/EDP/X")
    check_before_body(TOKEN_A_CALLER, "/ocpi/2.2.1/credentials")
