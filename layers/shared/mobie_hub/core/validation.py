"""Parsing a document into a pydantic model, with one mapping of pydantic's ``ValidationError`` to
the hub's errors: the first problem names its field (``"evse_uid"``, ``"energy_contract.supplier_name"``)
and pydantic's message, and becomes ``InvalidRequest`` (OCPI 2001) unless the caller says otherwise,
e.g. ``UnableToUseClientApi`` for a party's answer that is no valid object."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, overload

from pydantic import BaseModel, TypeAdapter, ValidationError

from mobie_hub.core.errors import HubError, InvalidRequest

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

# Builds the error to raise from the first problem's (field, message).
Refusal = Callable[[str, str], HubError]


def invalid_request(field: str, message: str) -> HubError:
    """The default refusal: ``InvalidRequest(message, field=field)``, shown as ``"field: message"``."""
    return InvalidRequest(message, field=field)


def problems(exc: ValidationError, *, whole: str = "body", most: int = 1) -> list[tuple[str, str]]:
    """The first ``most`` problems as (field path, message); ``whole`` names the field when the
    problem is the document itself (an empty location, e.g. a list where an object belongs)."""
    return [
        (".".join(str(part) for part in error.get("loc", ())) or whole, error.get("msg", "invalid"))
        for error in exc.errors()[:most]
    ]


def describe(exc: ValidationError, *, whole: str = "body", most: int = 1) -> str:
    """``"field: message"`` for the first ``most`` problems, joined by ``"; "``."""
    return "; ".join(f"{field}: {message}" for field, message in problems(exc, whole=whole, most=most))


@overload
def parse(model: type[M], data: Any, *, whole: str = ..., context: Any = ..., refuse: Refusal = ...) -> M: ...
@overload
def parse(model: TypeAdapter[T], data: Any, *, whole: str = ..., context: Any = ..., refuse: Refusal = ...) -> T: ...
def parse(
    model: type[BaseModel] | TypeAdapter[Any],
    data: Any,
    *,
    whole: str = "body",
    context: Any = None,
    refuse: Refusal = invalid_request,
) -> Any:
    """``data`` (Python values, e.g. parsed JSON) as ``model`` (a pydantic model or a ``TypeAdapter``
    for other types such as ``list[Version]``). Invalid: ``refuse(field, message)`` of the first
    problem is raised (pydantic's error not chained), by default ``InvalidRequest`` naming the field."""
    try:
        if isinstance(model, TypeAdapter):
            return model.validate_python(data, context=context)
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        (field, message), = problems(exc, whole=whole)
        raise refuse(field, message) from None
