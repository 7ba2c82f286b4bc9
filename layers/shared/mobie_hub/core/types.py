"""OCPI 2.2 base types (OCPI 2.2.1 `types.asciidoc`), defined once with ``Annotated``.

Models in ``mobie_hub.models`` compose these; nothing else re-declares a length or a date format.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, StringConstraints, TypeAdapter

_PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""C0 controls but tab, line feed and carriage return: no OCPI string holds them, and a NUL in particular
breaks what reads the value later (logs, CSV exports, C libraries at the stations; issue #12)."""
_NUMERIC = re.compile(r"^\s*[-+]?[0-9]+(\.[0-9]*)?\s*$")


def _utc(value: datetime) -> datetime:
    # types.asciidoc §DateTime: "All timestamps SHALL be in UTC. The absence of the timezone
    # designator implies a UTC timestamp." Offsets from lenient peers are converted, not refused.
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def format_datetime(value: datetime) -> str:
    """RFC 3339 in UTC with ``Z`` (``isoformat()`` would give ``+00:00``, which OCPI forbids)."""
    value = _utc(value)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


def utcnow() -> datetime:
    """Now, in UTC, truncated to milliseconds (what DynamoDB sort keys and peers round-trip)."""
    now = datetime.now(timezone.utc)
    return now.replace(microsecond=(now.microsecond // 1000) * 1000)


def _not_a_number(value: object) -> object:
    # pydantic's lax mode reads numbers and digit strings as Unix time; OCPI DateTime is an RFC 3339
    # string, so 5 or "1700000000" is a wrong type (2001), not 1970-01-01T00:00:05Z.
    if isinstance(value, int | float | Decimal) or (isinstance(value, str) and _NUMERIC.match(value)):
        raise ValueError("must be an RFC 3339 date-time string, e.g. 2026-01-31T12:00:00Z")
    return value


OcpiDateTime = Annotated[
    datetime,
    BeforeValidator(_not_a_number),
    AfterValidator(_utc),
    PlainSerializer(format_datetime, return_type=str, when_used="json"),
]

_DATETIME_ADAPTER = TypeAdapter(OcpiDateTime)


def parse_datetime(value: str | datetime) -> datetime:
    """Parse an OCPI DateTime (query parameter, stored string) into an aware UTC datetime."""
    return _DATETIME_ADAPTER.validate_python(value)


def _ascii_printable(value: str) -> str:
    if not _PRINTABLE_ASCII.match(value):
        raise ValueError("only printable ASCII characters are allowed")
    return value


def _no_control_characters(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("control characters (U+0000 to U+001F but tab, CR, LF) are not allowed")
    return value


def CiString(max_length: int):  # noqa: N802 - reads like the spec's CiString(n)
    """OCPI CiString(n): case-insensitive, printable ASCII, at most n characters."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_ascii_printable)]


def String(max_length: int):  # noqa: N802 - reads like the spec's string(n)
    """OCPI string(n): UTF-8, at most n characters, no C0 control characters but tab, CR and LF."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_no_control_characters)]


CiString2 = CiString(2)
CiString3 = CiString(3)
CiString36 = CiString(36)
CiString39 = CiString(39)
CiString255 = CiString(255)
String2 = String(2)
String3 = String(3)
String5 = String(5)
String8 = String(8)
String36 = String(36)
String64 = String(64)
String100 = String(100)
String255 = String(255)
String512 = String(512)

URL = Annotated[str, StringConstraints(max_length=255), AfterValidator(_no_control_characters)]
"""OCPI URL: string(255) holding an absolute URL (RFC 3986)."""

CountryCode = Annotated[str, StringConstraints(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$")]
"""ISO 3166-1 alpha-2 country code, as OCPI's CiString(2) ``country_code``."""

PartyId = Annotated[str, StringConstraints(min_length=3, max_length=3, pattern=r"^[A-Za-z0-9]{3}$")]
"""OCPI/eMI3 party id: three letters or digits (profile §12, ISO 15118)."""


def _decimal_json(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


Number = Annotated[
    Decimal,
    BeforeValidator(lambda v: Decimal(str(v)) if isinstance(v, float) else v),
    PlainSerializer(_decimal_json, when_used="json"),
]
"""OCPI ``number``: kept as Decimal so prices and kWh never pick up binary float error."""

Price = Number
NonNegativeInt = Annotated[int, Field(ge=0)]
