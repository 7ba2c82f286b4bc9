"""The comparison helper of the conformance test is itself strict."""

from __future__ import annotations

import re

import pytest

from tests.unit.conformance.ocpi_json import assert_equivalent


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ({"excl_vat": 2.5}, {"excl_vat": 2.50}),
        ({"kwh": 0}, {"kwh": 0.00}),
        ({"t": "2015-06-29T20:39:09Z"}, {"t": "2015-06-29T22:39:09+02:00"}),
        ({"t": "2015-06-29T20:39:09Z"}, {"t": "2015-06-29T20:39:09"}),
        ({"t": "2016-12-29T17:45:09.2Z"}, {"t": "2016-12-29T17:45:09.200Z"}),
        ([{"a": [1, "x"]}], [{"a": [1.0, "x"]}]),
    ],
)
def test_equivalent_documents_pass(actual, expected):
    # Given two spellings of the same OCPI JSON / When compared / Then no failure
    assert_equivalent(actual, expected)


@pytest.mark.parametrize(
    ("actual", "expected", "message"),
    [
        ({"a": 1}, {"a": 1, "b": 2}, "missing keys ['b']"),
        ({"a": 1, "b": 2}, {"a": 1}, "unexpected keys ['b']"),
        ({"a": "1"}, {"a": 1}, "$.a"),
        ({"a": True}, {"a": 1}, "$.a"),
        ({"a": None}, {"a": 0}, "$.a"),
        ({"a": [1]}, {"a": [1, 2]}, "1 items, expected 2"),
        ({"a": "ABC"}, {"a": "abc"}, "$.a"),
        ({"t": "2015-06-29T20:39:10Z"}, {"t": "2015-06-29T20:39:09Z"}, "$.t"),
        ({"a": {"b": [{"c": 1}]}}, {"a": {"b": [{"c": 2}]}}, "$.a.b[0].c"),
    ],
)
def test_differences_fail_with_their_path(actual, expected, message):
    # Given documents that differ / When compared / Then the failure names where
    with pytest.raises(AssertionError, match=re.escape(message)):
        assert_equivalent(actual, expected)
