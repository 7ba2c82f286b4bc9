"""OCPI JSON for the model tests: sample objects (``objects/<name>.json``) and a strict comparison.

Documents are compared as OCPI means them: the same keys, the same values. Only two things may be
spelt differently: DateTimes (compared as UTC instants, so ``…Z``, ``…+00:00`` and no designator are
equal) and numbers (compared numerically, so ``2.50`` equals ``2.5``). Everything else is strict: a
missing or extra key, a different type or a different list length fails.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

_OBJECTS = Path(__file__).parent / "objects"

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


def load(name: str) -> Any:
    """A fresh copy of the sample object ``objects/<name>.json``."""
    return json.loads((_OBJECTS / f"{name}.json").read_text(encoding="utf-8"))


def _instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _scalar(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, str) and _DATETIME.match(value):
        return _instant(value)
    return value


def assert_equivalent(actual: Any, expected: Any, path: str = "$") -> None:
    """Fail with the JSON path of the first difference between ``actual`` and ``expected``."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        missing, extra = expected.keys() - actual.keys(), actual.keys() - expected.keys()
        assert not missing, f"{path}: missing keys {sorted(missing)}"
        assert not extra, f"{path}: unexpected keys {sorted(extra)}"
        for key in expected:
            assert_equivalent(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected an array, got {actual!r}"
        assert len(actual) == len(expected), f"{path}: {len(actual)} items, expected {len(expected)}"
        for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
            assert_equivalent(got, want, f"{path}[{index}]")
    else:
        got, want = _scalar(actual), _scalar(expected)
        assert type(got) is type(want) and got == want, f"{path}: {actual!r} != {expected!r}"
