"""core.validation: one mapping of pydantic's ValidationError to the hub's errors."""

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError, ValidationInfo, field_validator

from mobie_hub.core import validation
from mobie_hub.core.errors import InvalidRequest, UnableToUseClientApi


class Contract(BaseModel):
    supplier_name: str


class Order(BaseModel):
    evse_uid: str
    contract: Contract


def test_a_valid_document_becomes_the_model():
    order = validation.parse(Order, {"evse_uid": "E1", "contract": {"supplier_name": "S"}})

    assert order == Order(evse_uid="E1", contract=Contract(supplier_name="S"))


def test_the_first_problem_becomes_invalid_request_naming_its_field_path():
    # Given a document whose nested field is missing
    with pytest.raises(InvalidRequest) as raised:
        # When it is parsed
        validation.parse(Order, {"evse_uid": "E1", "contract": {}})

    # Then the error names the dotted path and pydantic's message, not chained
    assert raised.value.field == "contract.supplier_name"
    assert raised.value.message == "contract.supplier_name: Field required"
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_a_document_that_is_no_object_is_named_by_whole():
    with pytest.raises(InvalidRequest) as raised:
        validation.parse(Order, ["not", "an", "object"], whole="token")

    assert raised.value.field == "token"


def test_a_caller_chooses_another_error_for_the_problem():
    # Given a party's answer that is no versions list, and a refusal that blames the party
    def refuse(where: str, problem: str) -> UnableToUseClientApi:
        return UnableToUseClientApi(f"EMSP answered nonsense ({where}: {problem})")

    # When it is parsed through a TypeAdapter
    with pytest.raises(UnableToUseClientApi) as raised:
        validation.parse(TypeAdapter(list[Contract]), {"no": "list"}, whole="data", refuse=refuse)

    # Then the caller's error carries the field and message
    assert raised.value.message.startswith("EMSP answered nonsense (data: Input should be a valid list")


def test_context_reaches_the_validators():
    seen = []

    class Seen(BaseModel):
        x: int

        @field_validator("x")
        @classmethod
        def _record(cls, value: int, info: ValidationInfo) -> int:
            seen.append(info.context)
            return value

    assert validation.parse(Seen, {"x": 1}, context={"stored": True}).x == 1
    assert seen == [{"stored": True}]


def test_describe_lists_up_to_most_problems():
    with pytest.raises(ValidationError) as raised:
        Order.model_validate({})

    assert validation.describe(raised.value, whole="payload", most=5) == (
        "evse_uid: Field required; contract: Field required"
    )
    assert validation.problems(raised.value) == [("evse_uid", "Field required")]
