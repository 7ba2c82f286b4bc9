"""Conformance: every OCPI example object (ocpi/ocpi ``examples/`` at tags 2.2 and 2.2.1) parses with
the hub's models and serialises back, in its version's shape, to equivalent JSON.

A few examples contradict the spec text of their own release (stale 2.1.1 field names, impossible
dates, missing required fields). Those are listed in ``ERRATA``: the test asserts that the model
rejects the example exactly where the spec says it is wrong, then applies the documented correction
and runs the same round trip. An example that no route maps fails, so none is skipped silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from mobie_hub.cdrs.models import Cdr
from mobie_hub.core.models import CONTEXT_KEY, DisplayText, EnergyMix, partial_model
from mobie_hub.core.types import OcpiDateTime
from mobie_hub.core.versions import Version, VersionDetails
from mobie_hub.locations.models import EVSE, Connector, Hours, Location
from mobie_hub.parties.models import Credentials
from mobie_hub.sessions.models import Session
from mobie_hub.tariffs.models import Tariff
from mobie_hub.tokens.models import Token
from tests.support.ocpi_examples import EXAMPLES
from tests.unit.conformance.errata import ERRATA
from tests.unit.conformance.ocpi_json import assert_equivalent

VERSIONS = ("2.2", "2.2.1")
ENVELOPE_KEYS = {"data", "status_code", "status_message", "timestamp"}



@dataclass(frozen=True)
class Route:
    """How an example file maps onto a model."""

    adapter: TypeAdapter[Any]
    fragment: str | None = None  # the file is {fragment: object}, a snippet of a larger object
    envelope: bool = False  # the file is a whole response: {data, status_code, status_message, timestamp}

    def payload(self, document: Any) -> Any:
        if self.envelope:
            assert document.keys() == ENVELOPE_KEYS
            TypeAdapter(Envelope).validate_python(document)
            return document["data"]
        if self.fragment:
            assert list(document) == [self.fragment]
            return document[self.fragment]
        return document


@dataclass(frozen=True)
class Envelope:
    """The response envelope fields around ``data`` (transport_and_format §4.1.7)."""

    data: Any
    status_code: int
    timestamp: OcpiDateTime
    status_message: str | None = None


def _as(model: Any, **options: Any) -> Route:
    return Route(TypeAdapter(model), **options)


# First match wins; more specific patterns come first.
ROUTES: tuple[tuple[str, Route], ...] = (
    ("location_energymix_*", _as(EnergyMix, fragment="energy_mix")),
    ("location_hours_*", _as(Hours)),
    ("location_regularhours_*", _as(Hours, fragment="opening_times")),
    ("location_patch_example_location.json", _as(partial_model(Location))),
    ("location_patch_example_remove_evse.json", _as(partial_model(EVSE))),
    ("location_patch_example_status.json", _as(partial_model(EVSE))),
    ("location_patch_example_tariff.json", _as(partial_model(Connector))),
    ("location_put_example_add_evse.json", _as(EVSE)),
    ("location_*", _as(Location)),
    ("session_patch_*", _as(partial_model(Session))),
    ("session_*", _as(Session)),
    ("cdr_*", _as(Cdr)),
    # The TariffRestrictions examples are whole Tariffs, each showing one kind of restriction.
    ("tariffrestriction_*", _as(Tariff)),
    ("tariff_*", _as(Tariff)),
    ("token_patch_*", _as(partial_model(Token))),
    ("token_*", _as(Token)),
    ("credentials_*", _as(Credentials)),
    ("versions_*", _as(list[Version])),
    ("version_details_*", _as(VersionDetails)),
    ("type_displaytext_*", _as(DisplayText)),
    ("transport_and_format_get_token_list_*", _as(list[Token], envelope=True)),
    ("transport_and_format_get_token_*", _as(Token, envelope=True)),
    ("transport_and_format_version_details_*", _as(VersionDetails, envelope=True)),
    ("transport_and_format_version_info_*", _as(list[Version], envelope=True)),
)

EXAMPLE_FILES = sorted(path for version in VERSIONS for path in (EXAMPLES / version).glob("*.json"))


def _route(name: str) -> Route:
    for pattern, route in ROUTES:
        if fnmatch(name, pattern):
            return route
    pytest.fail(f"no model is mapped to the example {name}")


def _rejected_at(adapter: TypeAdapter[Any], payload: Any) -> set[str]:
    with pytest.raises(ValidationError) as rejection:
        adapter.validate_python(payload)
    return {".".join(map(str, error["loc"])) for error in rejection.value.errors()}


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_example_round_trips(path: Path):
    # Given an example of one OCPI version, corrected first where it contradicts its own spec
    version = path.parent.name
    route = _route(path.name)
    payload = route.payload(json.loads(path.read_text(encoding="utf-8")))
    erratum = ERRATA.get((version, path.name))
    if erratum is not None:
        assert _rejected_at(route.adapter, payload) == erratum.rejected_at, erratum.why
        erratum.fix(payload)

    # When it is parsed and serialised for the same version
    parsed = route.adapter.validate_python(payload)
    dumped = route.adapter.dump_python(parsed, mode="json", exclude_none=True, context={CONTEXT_KEY: version})

    # Then the output is the input
    assert_equivalent(dumped, payload)


def test_every_erratum_names_an_existing_example():
    # Given the errata / Then each one still matches a file (a fixed upstream example must be dropped)
    names = {(path.parent.name, path.name) for path in EXAMPLE_FILES}
    assert set(ERRATA) <= names


def test_examples_of_both_versions_are_present():
    # Given the examples folder / Then both releases are there, so the parametrised test is not vacuous
    assert {path.parent.name for path in EXAMPLE_FILES} == set(VERSIONS)
