"""Reading one deployment setting (infra/config.py): its error, and the flags and whole numbers the
CDK context and the deployment settings hold as text (or, from cdk.json, as JSON values)."""

from __future__ import annotations


class ConfigError(ValueError):
    """The context is incomplete or inconsistent; the message says which key to set."""


def whole_number(value: str | None, key: str) -> int | None:
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"context '{key}' must be a whole number, got {value!r}") from None
    if number < 0:
        raise ConfigError(f"context '{key}' must not be negative, got {number}")
    return number


def flag(value: object, key: str) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no", ""):
        return False
    raise ConfigError(f"context '{key}' must be true or false, got {value!r}")



def whole_number_between(value: object, key: str, low: int, high: int, *, unit: str, meaning: str) -> int:
    """``value`` as a whole number of ``unit`` from ``low`` to ``high``. Anything else (text, a
    fraction, a flag, out of bounds) is refused naming the key, the bounds and ``meaning`` (what the
    value does, and where it is documented)."""
    try:
        number = int(str(value))
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise ConfigError(
            f"{key} must be a whole number of {unit} from {low} to {high} ({meaning}), got {value!r}"
        )
    return number
