"""PATCH bodies: every field optional, ``last_updated`` required, nested objects replaced whole."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mobie_hub.core.models import dump_ocpi, partial_model
from mobie_hub.locations.models import EVSE, Connector, Location
from mobie_hub.sessions.models import Session
from mobie_hub.tokens.models import Token


@pytest.mark.parametrize("model", [Location, EVSE, Connector, Session, Token])
def test_a_patch_needs_only_last_updated(model):
    # Given the PATCH model of an object OCPI lets peers PATCH
    patch = partial_model(model)

    # Then last_updated alone is a valid body, and a body without it is not (§8.2.2.3, §9.2.2.3, §12.2.2.3)
    assert patch.model_validate({"last_updated": "2024-03-01T09:00:00Z"})
    with pytest.raises(ValidationError, match="last_updated"):
        patch.model_validate({})


def test_a_patch_keeps_field_constraints():
    # Given a Token PATCH with an over-long uid and a bad whitelist value / Then both are rejected
    with pytest.raises(ValidationError) as rejection:
        partial_model(Token).model_validate(
            {"uid": "X" * 37, "whitelist": "SOMETIMES", "last_updated": "2024-03-01"}
        )
    assert {e["loc"][0] for e in rejection.value.errors()} == {"uid", "whitelist"}


def test_nested_objects_are_not_partial():
    # Given an EVSE PATCH whose connectors list holds an incomplete Connector
    body = {"connectors": [{"id": "1"}], "last_updated": "2024-03-01T09:00:00Z"}

    # Then it is rejected: a nested object in a PATCH replaces the stored one whole
    with pytest.raises(ValidationError, match="connectors.0.standard"):
        partial_model(EVSE).model_validate(body)


def test_a_patch_emits_only_what_it_carries():
    # Given the status PATCH the hub pushes when an EVSE changes (profile §6)
    patch = partial_model(EVSE).model_validate(
        {"status": "CHARGING", "last_updated": "2024-03-01T10:00:00+00:00"}
    )

    # Then the body holds just those two fields
    assert dump_ocpi(patch) == {"status": "CHARGING", "last_updated": "2024-03-01T10:00:00Z"}


def test_partial_models_are_built_once_and_are_subclasses():
    # Given the same model asked for twice / Then the same class comes back, a subclass of the model
    assert partial_model(Location) is partial_model(Location)
    assert issubclass(partial_model(Location), Location)
    assert partial_model(Location).__name__ == "LocationPatch"
