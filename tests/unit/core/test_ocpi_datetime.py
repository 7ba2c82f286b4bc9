"""OCPI DateTime is an RFC 3339 string: numbers are a wrong type, never Unix time."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from mobie_hub.core.types import parse_datetime


@pytest.mark.parametrize("value", [5, 5.5, True, "5", "1700000000", " 1700000000.5 "])
def test_numbers_are_refused(value):
    with pytest.raises(ValidationError, match="RFC 3339"):
        parse_datetime(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015-06-29T20:39:09Z", datetime(2015, 6, 29, 20, 39, 9, tzinfo=timezone.utc)),
        ("2015-06-29T20:39:09", datetime(2015, 6, 29, 20, 39, 9, tzinfo=timezone.utc)),
        (datetime(2015, 6, 29), datetime(2015, 6, 29, tzinfo=timezone.utc)),
    ],
)
def test_date_times_are_read_as_utc(value, expected):
    assert parse_datetime(value) == expected
