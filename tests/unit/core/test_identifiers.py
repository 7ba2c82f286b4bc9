"""Profile §12 identifiers: contract id check digit, EVSE ids, the MOBI.E party table."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from pydantic import BaseModel, ValidationError

from mobie_hub.core.identifiers import (
    ContractId,
    ContractIdStr,
    EvseId,
    EvseIdStr,
    InvalidIdentifier,
    UnknownParty,
    contract_id_check_digit,
    contract_id_for,
    evse_id_for,
    is_valid_contract_id,
    mobie_code_for,
    normalize_party_id,
    parse_contract_id,
    parse_evse_id,
    party_directory,
    party_id_for,
)

# Published vectors for the eMI3 / ISO 15118-1 Annex H check digit:
# - the eight of NewMotion's (Shell Recharge) mobilityid library, CheckDigitSpec.scala
#   (github.com/ShellRechargeSolutionsEU/mobilityid), repeated verbatim by chargemap's OCPI library
#   (EvIdUtilsTest.php) and other ports: "T24RZDM0";
# - the NL-TNM ids of the same library's EmaIdSpec.scala and README (U, X, W).
PUBLISHED_VECTORS = [
    ("NN123ABCDEFGHI", "T"),
    ("FRXYZ123456789", "2"),
    ("ITA1B2C3E4F5G6", "4"),
    ("ESZU8WOX834H1D", "R"),
    ("PT73902837ABCZ", "Z"),
    ("DE83DUIEN83QGZ", "D"),
    ("DE83DUIEN83ZGQ", "M"),
    ("DE8AA001234567", "0"),
    ("NLTNM000122045", "U"),
    ("NLTNM000722345", "X"),
    ("NLTNM012345678", "W"),
]


class _Token(BaseModel):
    contract_id: ContractIdStr


class _Evse(BaseModel):
    evse_id: EvseIdStr


# --- contract id check digit --------------------------------------------------------------------


@pytest.mark.parametrize(("body", "expected"), PUBLISHED_VECTORS)
def test_check_digit_matches_published_vectors(body: str, expected: str) -> None:
    assert contract_id_check_digit(body) == expected
    assert contract_id_check_digit(body.lower()) == expected


def test_profile_example_check_digit_is_j() -> None:
    # Given the seed §4.1.4 / profile §12 example PT-EDP-C-1234ABCD-J
    # When its check digit is computed with the real eMI3 algorithm
    # Then it is the J the spec prints (the example verifies)
    assert contract_id_check_digit("PT-EDP-C-1234ABCD") == "J"
    assert contract_id_check_digit("PTEDPC1234ABCD") == "J"


@pytest.mark.parametrize(
    "body", ["PTEDPC1234ABC", "PTEDPC1234ABCDE", "", "PTEDPC1234AB_D", "PTEDPC1234ABßD"]
)
def test_check_digit_refuses_malformed_bodies(body: str) -> None:
    with pytest.raises(InvalidIdentifier):
        contract_id_check_digit(body)


def test_every_single_character_change_changes_the_check_digit() -> None:
    # The algorithm's promise: a single wrong character is always detected.
    body = "PTEDPC1234ABCD"
    for position in range(len(body)):
        for char in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            if char != body[position]:
                changed = body[:position] + char + body[position + 1 :]
                assert contract_id_check_digit(changed) != "J", changed


# --- contract id parsing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "PT-EDP-C-1234ABCD-J",
        "PTEDPC1234ABCDJ",
        "pt-edp-c-1234abcd-j",
        "PT-EDP-C1234ABCD-J",  # ISO 15118 / OICP layout: the C glued to the instance
    ],
)
def test_parse_contract_id_accepts_the_written_forms(text: str) -> None:
    parsed = parse_contract_id(text)

    assert parsed == ContractId("PT", "EDP", "1234ABCD", "J")
    assert parsed.normalized == "PT-EDP-C-1234ABCD-J" == str(parsed)
    assert parsed.compact == "PTEDPC1234ABCDJ"


@pytest.mark.parametrize(
    "text",
    [
        "PT-EDP-C-1234ABCD-K",  # wrong check digit
        "PT-EDP-C-1234ABCD",  # check digit missing (optional in eMI3, required by MOBI.E)
        "PT-EDP-C-1234ABC-J",  # instance too short
        "PT-EDP-C-1234ABCDE-J",  # instance too long
        "PT-ED-C-1234ABCD-J",  # provider too short
        "PT-EDP-X-1234ABCD-J",  # not of type C
        "P1-EDP-C-1234ABCD-J",  # country not letters
        "PT-EDP-C-1234AB_D-J",  # bad character
        "PT_EDP_C_1234ABCD_J",  # wrong separator
        "PT-EDP-C-1234ABCD-J\n",
        " PT-EDP-C-1234ABCD-J",
        "PT-EDP-C-1234ABßD-J",  # would upper-case to ASCII
    ],
)
def test_parse_contract_id_refuses_invalid_ids(text: str) -> None:
    with pytest.raises(InvalidIdentifier):
        parse_contract_id(text)
    assert not is_valid_contract_id(text)


def test_parse_contract_id_accepts_foreign_countries() -> None:
    # eMI3 parsing is country-agnostic; MOBI.E callers pin country_code="PT" where it matters.
    parsed = parse_contract_id("NL-TNM-C00122045-K")

    assert parsed == ContractId("NL", "TNM", "00122045", "K")
    assert not is_valid_contract_id("NL-TNM-C00122045-K", country_code="PT")


def test_is_valid_contract_id_checks_the_provider_and_country() -> None:
    assert is_valid_contract_id("PT-EDP-C-1234ABCD-J", provider="EDP")
    assert is_valid_contract_id("PT-EDP-C-1234ABCD-J", provider="edp", country_code="pt")
    assert not is_valid_contract_id("PT-EDP-C-1234ABCD-J", provider="GLP")
    assert not is_valid_contract_id("PT-EDP-C-1234ABCD-J", country_code="ES")


def test_contract_id_for_adds_the_check_digit() -> None:
    assert contract_id_for("edp", "1234abcd") == "PT-EDP-C-1234ABCD-J"
    with pytest.raises(InvalidIdentifier):
        contract_id_for("EDP", "1234ABC")


def test_contract_id_str_normalises_and_verifies() -> None:
    assert _Token(contract_id="ptedpc1234abcdj").contract_id == "PT-EDP-C-1234ABCD-J"
    with pytest.raises(ValidationError, match="check digit"):
        _Token(contract_id="PT-EDP-C-1234ABCD-K")


# --- EVSE id ------------------------------------------------------------------------------------


def test_evse_id_for_replaces_separators_and_adds_the_e() -> None:
    assert evse_id_for("MOB", "LSB-00175-01") == "PT*MOB*ELSB*00175*01"
    assert evse_id_for("mob", "lsb 00175/01") == "PT*MOB*ELSB*00175*01"
    assert evse_id_for("EDP", "-POR--01234-02-") == "PT*EDP*EPOR*01234*02"  # runs collapse, ends trimmed


@pytest.mark.parametrize("evse_uid", ["---", "", "A" * 31])
def test_evse_id_for_refuses_names_that_make_no_outlet_id(evse_uid: str) -> None:
    with pytest.raises(InvalidIdentifier):
        evse_id_for("MOB", evse_uid)


@pytest.mark.parametrize(
    "text",
    [
        "PT*MOB*ELSB*00175*01",  # eMI3 E form
        "PT*MOB*LSB*00175*01",  # the seed's example, without the E
        "PTMOBELSB*00175*01",  # eMI3 separators omitted
        "pt*mob*elsb*00175*01",
    ],
)
def test_parse_evse_id_normalises_both_forms(text: str) -> None:
    parsed = parse_evse_id(text)

    assert parsed == EvseId("PT", "MOB", "LSB*00175*01")
    assert parsed.normalized == "PT*MOB*ELSB*00175*01" == str(parsed)


def test_evse_id_round_trips() -> None:
    emitted = evse_id_for("MOB", "LSB-00175-01")
    assert parse_evse_id(emitted).normalized == emitted
    assert _Evse(evse_id=emitted).evse_id == emitted


def test_evse_id_with_leading_e_is_read_as_the_emi3_type() -> None:
    # Given an outlet named EVR-00012-01 (a municipality code starting with E)
    # When a CPO sends the E-less seed form, eMI3 reads the E as the type
    # Then the id is kept as is, but it is not what the hub itself emits for that EVSE
    assert parse_evse_id("PT*MOB*EVR*00012*01").power_outlet_id == "VR*00012*01"
    assert evse_id_for("MOB", "EVR-00012-01") == "PT*MOB*EEVR*00012*01"


@pytest.mark.parametrize(
    "text",
    [
        "PTMOBLSB*00175*01",  # no E and no separators: ambiguous
        "PT*MOB*E",  # empty outlet id
        "PT*MOB*",
        "PT*MO*ELSB",  # operator too short
        "P1*MOB*ELSB",
        "PT*MOB*E*LSB",  # outlet starts with a separator
        "PT*MOB*E" + "A" * 31,  # outlet longer than 30
        "PT-MOB-ELSB-00175",  # wrong separator
        "PT*MOB*ELSB*0017É",
    ],
)
def test_parse_evse_id_refuses_invalid_ids(text: str) -> None:
    with pytest.raises(InvalidIdentifier):
        parse_evse_id(text)


def test_evse_id_str_refuses_invalid() -> None:
    with pytest.raises(ValidationError):
        _Evse(evse_id="PT*MOB")


# --- party ids ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mobie_code", "party_id"),
    [("EDPC", "EDP"), ("GLPP", "GLP"), ("MOBI", "MOB"), ("IBRD", "IBD"), ("PRIO", "PRI"), ("CSCP", "CSC")],
)
def test_party_table_lookups(mobie_code: str, party_id: str) -> None:
    assert party_id_for(mobie_code) == party_id
    assert party_id_for(mobie_code.lower()) == party_id
    assert mobie_code_for(party_id) == mobie_code
    assert mobie_code_for(party_id.lower()) == mobie_code


@pytest.mark.parametrize("lookup", [lambda: party_id_for("XXXX"), lambda: mobie_code_for("XXX")])
def test_unknown_parties_raise_a_key_error(lookup: Callable[[], str]) -> None:
    with pytest.raises(KeyError) as raised:
        lookup()
    assert isinstance(raised.value, UnknownParty)
    assert str(raised.value).startswith("no ")  # readable, not KeyError's quoted repr


def test_party_table_is_well_formed_and_unique() -> None:
    entries = party_directory()

    assert len(entries) == 50  # seed Table 23
    assert all(re.fullmatch(r"[A-Z]{4}", e.mobie_code) for e in entries)
    assert all(re.fullmatch(r"[A-Z0-9]{3}", e.party_id) for e in entries)
    assert all(e.name for e in entries)
    assert len({e.mobie_code for e in entries}) == len(entries)
    assert len({e.party_id for e in entries}) == len(entries)


def test_party_table_names_are_ocr_corrected() -> None:
    names = {e.mobie_code: e.name for e in party_directory()}
    assert names["CSCP"] == "Cascais Próxima"
    assert names["HELX"] == "Helexia II Energy Services"
    assert names["CIRC"] == "Circuitos de Inovação"
    assert names["SGMR"].startswith("Superguimarães")
    assert names["ACOR"].startswith("Açorcabos, Telecomunicações")


def test_party_directory_returns_a_copy() -> None:
    party_directory().clear()
    assert len(party_directory()) == 50


@pytest.mark.parametrize(("value", "expected"), [("edp", "EDP"), ("A1B", "A1B")])
def test_normalize_party_id(value: str, expected: str) -> None:
    assert normalize_party_id(value) == expected


@pytest.mark.parametrize("value", ["ED", "EDPC", "ED-", "EDP\n", "ÉDP"])
def test_normalize_party_id_refuses_malformed(value: str) -> None:
    with pytest.raises(InvalidIdentifier):
        normalize_party_id(value)
