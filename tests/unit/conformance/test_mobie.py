"""MOBI.E's extensions: voltage level, private-station CdrLocation, the CDR billing extension, and the
JSON examples of docs/mobie-extensions.md."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from mobie_hub.cdrs.models import Cdr, CdrLocation, MobieCdr, MobieCdrLocation
from mobie_hub.core.mobie import BillingLine, MobieCdrExtension
from mobie_hub.core.models import dump_ocpi
from mobie_hub.locations.models import Location, MobieLocation
from tests.unit.conformance.ocpi_json import assert_equivalent, load

DOC = Path(__file__).resolve().parents[3] / "docs" / "mobie-extensions.md"
DOC_MODELS = (MobieCdrLocation, MobieCdrExtension, MobieCdr)


def _doc_examples() -> list[dict]:
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", DOC.read_text(), flags=re.DOTALL)]


def test_the_documentation_has_one_example_per_model():
    # Given the extensions page / Then it holds the three examples the next test validates
    assert len(_doc_examples()) == len(DOC_MODELS)


@pytest.mark.parametrize(
    ("index", "model"), list(enumerate(DOC_MODELS)), ids=lambda x: getattr(x, "__name__", x)
)
def test_documented_examples_validate_and_round_trip(index, model):
    # Given a JSON example from docs/mobie-extensions.md
    example = _doc_examples()[index]

    # When parsed with its model and serialised / Then it comes back unchanged
    assert_equivalent(dump_ocpi(model.model_validate(example)), example)


def test_the_documented_cdr_carries_the_documented_extension():
    # Given the two examples / Then the CDR's extension is the stand-alone one
    _, extension, cdr = _doc_examples()
    assert cdr["mobie_cdr_extension"] == extension


def test_the_voltage_level_is_optional_on_input_but_mandatory_when_the_hub_emits():
    # Given an OCPI Location from a peer, without the MOBI.E field
    peer = load("location")
    del peer["mobie_voltage_level"]

    # Then it is a valid Location but not a valid MobieLocation
    assert Location.model_validate(peer).mobie_voltage_level is None
    with pytest.raises(ValidationError, match="mobie_voltage_level"):
        MobieLocation.model_validate(peer)
    with pytest.raises(ValidationError, match="mobie_voltage_level"):
        MobieLocation.model_validate(load("location") | {"mobie_voltage_level": "AT"})


def test_a_private_station_cdr_location_is_short_and_needs_the_voltage_level():
    # Given the short CdrLocation MOBI.E sends for private stations (seed Table 11)
    private = load("cdr_private_station")["cdr_location"]

    # Then it is valid with the voltage level and invalid without it
    assert CdrLocation.model_validate(private).address is None
    without = {key: value for key, value in private.items() if key != "mobie_voltage_level"}
    with pytest.raises(ValidationError, match="private-station"):
        CdrLocation.model_validate(without)


def test_a_cdr_location_with_some_details_must_have_them_all():
    # Given a public CdrLocation that lost its coordinates / Then it is rejected, voltage level or not
    partial = load("cdr_location_public")
    del partial["coordinates"]
    with pytest.raises(ValidationError, match="missing coordinates"):
        CdrLocation.model_validate(partial)


def test_the_hub_cdr_has_status_completed_and_its_extension():
    # Given a CDR built without an explicit status
    cdr = load("cdr_private_station")
    del cdr["status"]

    # Then the hub's CDR says COMPLETED, and an OCPI CDR without the extension is no MobieCdr
    assert dump_ocpi(MobieCdr.model_validate(cdr))["status"] == "COMPLETED"
    del cdr["mobie_cdr_extension"]
    assert Cdr.model_validate(cdr).mobie_cdr_extension is None
    with pytest.raises(ValidationError, match="mobie_cdr_extension"):
        MobieCdr.model_validate(cdr)


def test_the_cdr_total_cost_is_the_extension_total():
    # Given a hub CDR whose total_cost disagrees with its extension / Then it is rejected
    cdr = load("cdr_private_station") | {"total_cost": {"excl_vat": 0.17, "incl_vat": 0.2129}}
    with pytest.raises(ValidationError, match="total_cost.excl_vat"):
        MobieCdr.model_validate(cdr)
    cdr["total_cost"] = {"excl_vat": 0.1731, "incl_vat": 0.21}
    with pytest.raises(ValidationError, match="total_cost.incl_vat"):
        MobieCdr.model_validate(cdr)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"total_excl_vat": 0.1732}, "sum of the lines"),
        ({"total_incl_vat": 0.2130}, "total_incl_vat"),
        ({"lines": []}, "at least 1 item"),
    ],
)
def test_extension_totals_must_add_up(change, message):
    # Given an extension whose totals are off by a unit of the last decimal / Then it is rejected
    extension = load("cdr_private_station")["mobie_cdr_extension"] | change
    with pytest.raises(ValidationError, match=message):
        MobieCdrExtension.model_validate(extension)


def test_a_line_is_billed_in_the_unit_of_its_item():
    # Given an IEC line counted per session instead of per kWh / Then it is rejected
    line = {"type": "IEC", "unit": "SESSION", "unit_price": 0.001, "quantity": 1, "amount_excl_vat": 0.001}
    with pytest.raises(ValidationError, match="IEC is billed per KWH"):
        BillingLine.model_validate(line)


def test_credit_lines_may_be_negative_and_stay_exact():
    # Given the lines of a Credit CDR (negative amounts, as OCPI does with total_cost)
    extension = MobieCdrExtension.model_validate(
        {
            "lines": [
                {
                    "type": "EGME",
                    "unit": "SESSION",
                    "unit_price": 0.1657,
                    "quantity": -1,
                    "amount_excl_vat": -0.1657,
                }
            ],
            "total_excl_vat": -0.1657,
            "vat": {"rate": 23, "amount": -0.0381},
            "total_incl_vat": -0.2038,
        }
    )

    # Then the totals hold exactly
    assert extension.total_incl_vat == Decimal("-0.2038")
