"""repositories.transact: a cancelled transaction names the actions whose condition failed."""

import pytest

from mobie_hub.core import transact


def _put(name: str, pk: str, **kwargs):
    return transact.put("stations", {"pk": pk, "sk": "X", "v": 1}, "attribute_not_exists(pk)", name=name, **kwargs)


def test_a_cancelled_transaction_names_its_failed_conditions_and_their_items(aws):
    # Given an item that exists already
    transact.write([_put("first", "A")])

    # When a transaction writes it again beside a new item
    with pytest.raises(transact.Cancelled) as raised:
        transact.write([_put("fresh", "B"), _put("again", "A", return_old=True)])

    # Then the failed condition is named, with the item it found; the fine action is not
    cancelled = raised.value
    assert cancelled.failed == {"again"}
    assert cancelled.condition_failed("again") and not cancelled.condition_failed("fresh")
    assert cancelled.item("again") == {"pk": "A", "sk": "X", "v": 1}
    assert cancelled.item("fresh") is None
    assert not cancelled.conflict


def test_a_name_not_in_the_transaction_is_a_bug_not_false(aws):
    transact.write([_put("first", "A")])
    with pytest.raises(transact.Cancelled) as raised:
        transact.write([_put("again", "A")])

    with pytest.raises(KeyError):
        raised.value.condition_failed("typo")


def test_names_are_unique_within_a_transaction(aws):
    with pytest.raises(ValueError):
        transact.write([_put("same", "A"), _put("same", "B")])
