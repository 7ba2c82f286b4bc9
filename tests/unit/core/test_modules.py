"""The module catalogue per caller role (issue #16, contract §6): what each role's version details list
and which (module, interface) pairs the access rule lets it reach."""

from __future__ import annotations

import pytest

from mobie_hub.core.modules import MODULES, MODULES_BY_ID, RECEIVER, SENDER, endpoints_for

EMSP_ENDPOINTS = [
    ("credentials", SENDER), ("locations", SENDER), ("sessions", SENDER), ("cdrs", SENDER),
    ("tariffs", SENDER), ("tokens", RECEIVER), ("commands", RECEIVER), ("hubclientinfo", SENDER),
]
CPO_ENDPOINTS = [
    ("credentials", SENDER), ("locations", SENDER), ("sessions", SENDER), ("cdrs", SENDER),
    ("tariffs", RECEIVER), ("hubclientinfo", SENDER),
]


def test_an_emsp_is_offered_what_it_had_in_phase_1():
    assert endpoints_for("EMSP") == EMSP_ENDPOINTS


def test_a_cpo_is_offered_its_modules_and_not_tokens_or_commands():
    assert endpoints_for("CPO") == CPO_ENDPOINTS


@pytest.mark.parametrize("role", ["HUB", "NSP", "OTHER", "SCSP", "NAP", "", "emsp"])
def test_any_other_role_gets_credentials_only(role):
    assert endpoints_for(role) == ([("credentials", SENDER)] if role.isupper() and role else [])


@pytest.mark.parametrize(
    ("module", "role", "interface", "allowed"),
    [
        ("tariffs", "EMSP", None, True),  # the routes' default: the sender's GET list
        ("tariffs", "EMSP", RECEIVER, False),
        ("tariffs", "CPO", None, False),  # a CPO may not read the EMSPs' tariff list
        ("tariffs", "CPO", RECEIVER, True),
        ("tokens", "CPO", None, False),
        ("commands", "CPO", None, False),
        ("tokens", "EMSP", None, True),
        ("sessions", "CPO", None, True),
        ("sessions", "CPO", RECEIVER, False),
        ("versions", "NSP", None, True),  # every party reads versions to register
        ("credentials", "NSP", None, True),
        ("locations", "NSP", None, False),
    ],
)
def test_allows(module, role, interface, allowed):
    assert MODULES_BY_ID[module].allows(role, interface) is allowed


def test_the_tariffs_function_may_write_the_tariffs_table():
    # CPOs PUT their tariffs through the tariffs module's Lambda (the CDK grants follow `writes`).
    assert "tariffs" in MODULES_BY_ID["tariffs"].writes


def test_every_module_listed_in_details_is_offered_to_someone():
    for module in MODULES:
        assert module.in_details == bool(module.offers), module.identifier
