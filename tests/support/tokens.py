"""Token bodies for tests: a valid MOBI.E token of PT/EDP, and the official OCPI examples adapted to it."""

from __future__ import annotations

import json
from typing import Any

from tests.support.ocpi_examples import EXAMPLES

CONTRACT_ID = "PT-EDP-C-1234ABCD-J"  # identifiers.contract_id_for("EDP", "1234ABCD")
APP_UID = "bdf21bce-fc97-11e8-8eb2-f2801f1b9fd1"


def rfid_token(**overrides: Any) -> dict[str, Any]:
    """A token MOBI.E accepts from PT/EDP (profile §10); ``overrides`` replace fields (None removes one)."""
    body: dict[str, Any] = {
        "country_code": "PT",
        "party_id": "EDP",
        "uid": "04A1B2C3D4E5F6",
        "type": "RFID",
        "contract_id": CONTRACT_ID,
        "visual_number": "EDP-0001-2345",
        "issuer": "EDP Comercial",
        "valid": True,
        "whitelist": "ALWAYS",
        "energy_contract": {"supplier_name": "EDPC", "contract_id": "CT_000123"},
        "last_updated": "2024-03-01T09:00:00Z",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def app_token(**overrides: Any) -> dict[str, Any]:
    return rfid_token(**{"uid": APP_UID, "type": "APP_USER", "visual_number": None, **overrides})


def official_example(version: str, name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / version / name).read_text(encoding="utf-8"))


def adapted_to_mobie(example: dict[str, Any]) -> dict[str, Any]:
    """An OCPI example token made a MOBI.E one: PT/EDP, an EDP eMA ID, whitelist ALWAYS, a CT_ contract."""
    supplier = (example.get("energy_contract") or {}).get("supplier_name", "EDPC")
    return {
        **example,
        "country_code": "PT",
        "party_id": "EDP",
        "contract_id": CONTRACT_ID,
        "whitelist": "ALWAYS",
        "energy_contract": {"supplier_name": supplier, "contract_id": "CT_000123"},
    }


def registered_emsp(party_id: str = "EDP") -> None:
    """A REGISTERED party record for PT/``party_id``, if there is none yet: a token authorises only
    while its EMSP is registered (issue #12), and the integration ``emsp`` fixture holds only a token C."""
    from mobie_hub.parties.repository import get_party
    from tests.support.parties import register_receiver

    if get_party(f"PARTY#EMSP#PT#{party_id}") is None:
        register_receiver("https://emsp.invalid", party_id, modules=())
