"""DynamoDB's low-level item shape (``{"S": "x"}``, ``{"N": "1"}``) → Python values, once for the hub:
stream records' ``OldImage``/``NewImage`` and the items a cancelled transaction returns."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from boto3.dynamodb.types import TypeDeserializer


@cache
def _deserializer() -> TypeDeserializer:
    # Imported on first use: modules that only may decode (parties, repositories) stay cheap to import.
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer()


def plain(item: Mapping[str, Any] | None) -> dict[str, Any]:
    """An item's attributes as Python values (numbers as ``Decimal``); ``{}`` for no item. A value that
    is not one AttributeValue (``{type: value}``) is kept as it is."""
    decode = _deserializer().deserialize
    return {
        key: decode(value) if isinstance(value, dict) and len(value) == 1 else value
        for key, value in (item or {}).items()
    }


def image(record: Mapping[str, Any], which: str) -> dict[str, Any] | None:
    """A stream record's ``"OldImage"`` or ``"NewImage"`` as Python values; None when it has none."""
    found = record.get("dynamodb", {}).get(which)
    return plain(found) if found else None


def images(record: Mapping[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """A stream record's (old, new) images; None for the side it lacks (an insert, a removal)."""
    return image(record, "OldImage"), image(record, "NewImage")
