"""E-mobility identifiers of profile §12: party ids, EVSE ids and contract (eMA) ids.

MOBI.E is the national issuing authority (seed §4.1). The eMI3 / ISO 15118-1 Annex H syntax is
used throughout; this module parses, validates and normalises, and knows nothing of OCPI modules.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Annotated

from pydantic import AfterValidator

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_COUNTRY = re.compile(r"[A-Z]{2}")
_PARTY = re.compile(r"[A-Z0-9]{3}")


class InvalidIdentifier(ValueError):
    """A party, EVSE or contract id that does not follow its eMI3 syntax (pydantic reports it as such)."""


class UnknownParty(KeyError):
    """A MOBI.E code or party_id that is not in the party table (seed Table 23)."""

    def __str__(self) -> str:  # KeyError would print the repr of its argument, quotes and all
        return str(self.args[0]) if self.args else "unknown party"


def _ascii_upper(value: str, what: str) -> str:
    # str.upper() maps some non-ASCII letters onto ASCII ("ß" -> "SS", "ı" -> "I"); refuse them first.
    if not value.isascii():
        raise InvalidIdentifier(f"{what} must be ASCII letters and digits, got {value!r}")
    return value.upper()


def cistring_key(value: str) -> str:
    """The one normal form of an OCPI CiString (case-insensitive string) used in keys and comparisons:
    upper case, as token uids, idTags and party ids are stored, so the same id in another case finds the
    same item. Documents keep the original case."""
    return value.upper()


def same_cistring(a: str, b: str) -> bool:
    """Whether two CiStrings name the same thing (OCPI types: CiString is case-insensitive)."""
    return cistring_key(a) == cistring_key(b)


def _country(value: str) -> str:
    value = _ascii_upper(value, "country code")
    if not _COUNTRY.fullmatch(value):
        raise InvalidIdentifier(f"country code must be two letters, got {value!r}")
    return value


def normalize_party_id(value: str) -> str:
    """Upper-cased OCPI party_id: three letters or digits (profile §12, ISO 15118-1 Annex H)."""
    upper = _ascii_upper(value, "party_id")
    if not _PARTY.fullmatch(upper):
        raise InvalidIdentifier(f"party_id must be three letters or digits, got {value!r}")
    return upper


# --- Contract ID check digit ------------------------------------------------------------------
# "Check Digit Calculation for Contract-IDs" (eMI3 / ISO 15118-1 Annex H), the algorithm behind
# the OCHP ID validator that seed §4.1.4 cites (http://www.ochp.eu/id-validator/). Each of the 36
# characters, by its index n in 0-9A-Z, is a pair of vectors: q = (n//18, n//9 % 2) over Z2 and
# r = (n//3 % 3, n % 3) over Z3. A 15-character id is valid when the position-weighted sums
# sum_i q_i·P1^i (mod 2) and sum_i r_i·P2^i (mod 3), i = 1..15, both vanish. The check digit is the
# one character that makes them vanish: solve c·P^15 = -(sum over the first 14).
_P1 = (0, 1, 1, 1)  # 2x2 matrices, row-major
_P2 = (0, 1, 1, 2)
_BODY_LENGTH = 14


def _matmul(a: tuple[int, ...], b: tuple[int, ...], mod: int) -> tuple[int, ...]:
    return (
        (a[0] * b[0] + a[1] * b[2]) % mod,
        (a[0] * b[1] + a[1] * b[3]) % mod,
        (a[2] * b[0] + a[3] * b[2]) % mod,
        (a[2] * b[1] + a[3] * b[3]) % mod,
    )


def _vecmul(v: tuple[int, int], m: tuple[int, ...], mod: int) -> tuple[int, int]:
    return (v[0] * m[0] + v[1] * m[2]) % mod, (v[0] * m[1] + v[1] * m[3]) % mod


def _powers(p: tuple[int, ...], mod: int) -> list[tuple[int, ...]]:
    out = [p]
    while len(out) < _BODY_LENGTH + 1:
        out.append(_matmul(out[-1], p, mod))
    return out  # P^1 .. P^15


_P1_POWERS = _powers(_P1, 2)
_P2_POWERS = _powers(_P2, 3)


def _qr(char: str) -> tuple[tuple[int, int], tuple[int, int]]:
    n = _ALPHABET.index(char)
    return (n // 18, n // 9 % 2), (n // 3 % 3, n % 3)


# Which character c has c·P1^15 = q and c·P2^15 = r: P^15 is invertible, so this is a bijection.
_BY_WEIGHTED_QR = {
    (_vecmul(_qr(c)[0], _P1_POWERS[-1], 2), _vecmul(_qr(c)[1], _P2_POWERS[-1], 3)): c for c in _ALPHABET
}


def contract_id_check_digit(body: str) -> str:
    """The eMI3 check digit of a contract id body (country, provider, 'C', instance; '-' ignored).

    ``contract_id_check_digit("PT-EDP-C-1234ABCD") == "J"``.
    """
    chars = _ascii_upper(body, "contract id").replace("-", "")
    if len(chars) != _BODY_LENGTH or any(c not in _ALPHABET for c in chars):
        raise InvalidIdentifier(f"a contract id body is 14 letters or digits, got {body!r}")
    q, r = (0, 0), (0, 0)
    for char, p1, p2 in zip(chars, _P1_POWERS, _P2_POWERS):
        cq, cr = _qr(char)
        wq, wr = _vecmul(cq, p1, 2), _vecmul(cr, p2, 3)
        q = ((q[0] + wq[0]) % 2, (q[1] + wq[1]) % 2)
        r = ((r[0] + wr[0]) % 3, (r[1] + wr[1]) % 3)
    return _BY_WEIGHTED_QR[((-q[0]) % 2, (-q[1]) % 2), ((-r[0]) % 3, (-r[1]) % 3)]


# --- Contract ID (eMA ID) ---------------------------------------------------------------------
# Seed §4.1.4 / profile §12: PT + provider(3) + "C" + instance(8) + check digit, "-" separators
# optional. Each separator is optional on its own (the fields have fixed lengths, so nothing is
# ambiguous); that also admits the ISO 15118 / OICP layout "PT-EDP-C1234ABCD-J". eMI3 makes the
# check digit optional; MOBI.E's format includes it, so parsing requires it.
_CONTRACT_ID = re.compile(r"([A-Z]{2})-?([A-Z0-9]{3})-?C-?([A-Z0-9]{8})-?([A-Z0-9])")


@dataclass(frozen=True, slots=True)
class ContractId:
    """An eMI3 contract id (eMA ID), upper-cased, check digit verified."""

    country_code: str
    provider_id: str
    instance: str
    check_digit: str

    @property
    def normalized(self) -> str:
        """The form MOBI.E prints and the hub stores: ``PT-EDP-C-1234ABCD-J``."""
        return f"{self.country_code}-{self.provider_id}-C-{self.instance}-{self.check_digit}"

    @property
    def compact(self) -> str:
        """Without separators, as ISO 15118 carries it between car and charger: ``PTEDPC1234ABCDJ``."""
        return f"{self.country_code}{self.provider_id}C{self.instance}{self.check_digit}"

    def __str__(self) -> str:
        return self.normalized


def parse_contract_id(text: str) -> ContractId:
    """Parse ``PT-EDP-C-1234ABCD-J`` (any case, separators optional); raises ``InvalidIdentifier``."""
    match = _CONTRACT_ID.fullmatch(_ascii_upper(text, "contract id"))
    if match is None:
        raise InvalidIdentifier(f"not an eMI3 contract id (CC-PPP-C-IIIIIIII-D): {text!r}")
    country, provider, instance, check = match.groups()
    expected = contract_id_check_digit(f"{country}{provider}C{instance}")
    if check != expected:
        raise InvalidIdentifier(f"contract id {text!r} has check digit {check!r}, expected {expected!r}")
    return ContractId(country, provider, instance, check)


def contract_id_for(provider_id: str, instance: str, country_code: str = "PT") -> str:
    """The normalised contract id an EMSP issues for an 8-character instance, check digit added."""
    body = f"{_country(country_code)}-{normalize_party_id(provider_id)}-C-{instance}"
    return parse_contract_id(f"{body}-{contract_id_check_digit(body)}").normalized


def is_valid_contract_id(
    text: str, *, provider: str | None = None, country_code: str | None = None
) -> bool:
    """Whether ``text`` is a well-formed contract id (check digit included), optionally of one
    provider (party_id) and/or country; case-insensitive."""
    try:
        parsed = parse_contract_id(text)
    except InvalidIdentifier:
        return False
    if provider is not None and parsed.provider_id != provider.upper():
        return False
    return country_code is None or parsed.country_code == country_code.upper()


ContractIdStr = Annotated[str, AfterValidator(lambda v: parse_contract_id(v).normalized)]
"""A contract id, validated (check digit verified) and normalised to ``PT-EDP-C-1234ABCD-J``."""


# --- EVSE ID ----------------------------------------------------------------------------------
# eMI3 / seed §4.1.3: <country> <S> <operator> <S> "E" <power outlet id>, <S> = "*" and optional.
# The outlet id is 1-30 letters, digits or "*" (OICP's EvseID reading of the ABNF), the first a
# letter or digit (the ABNF's first element).
# (choice, profile §12) The seed's own example "PT*MOB*LSB*00175*01" drops the "E"; that form is
# accepted only with both separators (without them "PTMOBE..." cannot say whether the E is the
# type) and only when the outlet id does not itself start with E: "PT*MOB*EVR*00012*01" is the
# E form with outlet "VR*00012*01", as eMI3 reads it, so a CPO sending the E-less seed form for
# an outlet named "EVR-..." yields a different id than ``evse_id_for`` (which gives "...*EEVR*...").
_EVSE_ID_E_FORM = re.compile(r"([A-Z]{2})\*?([A-Z0-9]{3})\*?E([A-Z0-9][A-Z0-9*]{0,29})")
_EVSE_ID_SEED_FORM = re.compile(r"([A-Z]{2})\*([A-Z0-9]{3})\*([A-DF-Z0-9][A-Z0-9*]{0,29})")  # no leading E
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")


@dataclass(frozen=True, slots=True)
class EvseId:
    """An eMI3 EVSE id, upper-cased."""

    country_code: str
    operator_id: str
    power_outlet_id: str

    @property
    def normalized(self) -> str:
        """The form the hub emits: ``PT*MOB*ELSB*00175*01``."""
        return f"{self.country_code}*{self.operator_id}*E{self.power_outlet_id}"

    def __str__(self) -> str:
        return self.normalized


def parse_evse_id(text: str) -> EvseId:
    """Parse an EVSE id in the eMI3 ``E`` form or the seed's form without it; raises ``InvalidIdentifier``."""
    upper = _ascii_upper(text, "EVSE id")
    match = _EVSE_ID_E_FORM.fullmatch(upper) or _EVSE_ID_SEED_FORM.fullmatch(upper)
    if match is None:
        raise InvalidIdentifier(f"not an eMI3 EVSE id (CC*OOO*E<outlet>): {text!r}")
    return EvseId(*match.groups())


def evse_id_for(party_id: str, evse_uid: str, country_code: str = "PT") -> str:
    """The EVSE id of a MOBI.E EVSE name: ``evse_id_for("MOB", "LSB-00175-01") == "PT*MOB*ELSB*00175*01"``.

    Seed §4.1.3 replaces every non-alphanumeric character with "*"; a run of them becomes one "*"
    and leading/trailing ones are dropped, so the outlet id keeps the ABNF's alphanumeric first
    character and no empty groups.
    """
    outlet = _NOT_ALNUM.sub("*", evse_uid).strip("*").upper()
    return parse_evse_id(f"{_country(country_code)}*{normalize_party_id(party_id)}*E{outlet}").normalized


EvseIdStr = Annotated[str, AfterValidator(lambda v: parse_evse_id(v).normalized)]
"""An EVSE id, validated and normalised to the ``E`` form ``PT*MOB*ELSB*00175*01``."""


# --- Party ids (seed §4.1.2, Table 23) --------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PartyEntry:
    """One row of MOBI.E's tentative code ↔ party_id table."""

    mobie_code: str
    party_id: str
    name: str


@cache
def _entries() -> tuple[PartyEntry, ...]:
    from importlib.resources import files  # cold start: only a party lookup reads the directory

    raw = json.loads(files("mobie_hub").joinpath("data", "party_ids.json").read_text(encoding="utf-8"))
    return tuple(PartyEntry(**entry) for entry in raw["entries"])


@cache
def _by_code() -> dict[str, PartyEntry]:
    return {entry.mobie_code: entry for entry in _entries()}


@cache
def _by_party_id() -> dict[str, PartyEntry]:
    return {entry.party_id: entry for entry in _entries()}


def party_directory() -> list[PartyEntry]:
    """Every party of ``data/party_ids.json`` (read once), in table order; a fresh list per call."""
    return list(_entries())


def party_id_for(mobie_code: str) -> str:
    """OCPI party_id of a MOBI.E 4-letter code (``EDPC`` → ``EDP``); raises ``UnknownParty``."""
    entry = _by_code().get(mobie_code.upper()) if mobie_code.isascii() else None
    if entry is None:
        raise UnknownParty(f"no OCPI party_id for MOBI.E code {mobie_code!r}")
    return entry.party_id


def mobie_code_for(party_id: str) -> str:
    """MOBI.E 4-letter code of an OCPI party_id (``EDP`` → ``EDPC``); raises ``UnknownParty``."""
    entry = _by_party_id().get(party_id.upper()) if party_id.isascii() else None
    if entry is None:
        raise UnknownParty(f"no MOBI.E code for party_id {party_id!r}")
    return entry.mobie_code
