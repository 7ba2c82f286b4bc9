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

