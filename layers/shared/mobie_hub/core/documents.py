"""OCPI objects stored as a JSON document attribute (``doc``) beside their key attributes.

One JSON string reads and writes faster than a nested DynamoDB map (no per-attribute marshalling),
keeps Decimal prices exact, and is stored in the 2.2.1 shape (a superset of 2.2).
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from mobie_hub.core.models import OcpiModel, dump_ocpi

M = TypeVar("M", bound=OcpiModel)


def encode(model: OcpiModel) -> str:
    return json.dumps(dump_ocpi(model), ensure_ascii=False, separators=(",", ":"))


def decode(item: dict[str, Any], model: type[M]) -> M:
    return model.model_validate_json(item["doc"])
