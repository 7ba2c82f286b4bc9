"""core.retry: one optimistic-retry loop, one limit, one signal, one final error."""

import pytest

from mobie_hub.core import retry
from mobie_hub.core.errors import ConflictingWrite, InvalidRequest


def test_the_happy_path_costs_one_attempt():
    calls = []

    assert retry.optimistic(lambda attempt: calls.append(attempt) or "written", gave_up="x") == "written"
    assert calls == [retry.Attempt(1, last=False)]


def test_read_again_tries_again_and_the_last_attempt_knows_it_is_last():
    # Given a write whose condition fails until the last attempt
    seen = []

    def write(attempt: retry.Attempt) -> str:
        seen.append(attempt)
        if not attempt.last:
            raise retry.ReadAgain
        return "written"

    # When it is retried, Then it succeeds on the last of ATTEMPTS tries
    assert retry.optimistic(write, gave_up="x") == "written"
    assert [a.number for a in seen] == list(range(1, retry.ATTEMPTS + 1))
    assert [a.last for a in seen] == [False] * (retry.ATTEMPTS - 1) + [True]


def test_giving_up_raises_kept_changing_a_conflicting_write_with_the_message():
    calls = []

    def write(attempt: retry.Attempt) -> None:
        calls.append(attempt)
        raise retry.ReadAgain

    with pytest.raises(retry.KeptChanging) as raised:
        retry.optimistic(write, gave_up="session S1 kept changing")

    assert isinstance(raised.value, ConflictingWrite)
    assert raised.value.message == "session S1 kept changing"
    assert len(calls) == retry.ATTEMPTS == 3


def test_any_other_error_ends_the_loop_at_once():
    calls = []

    def write(attempt: retry.Attempt) -> None:
        calls.append(attempt)
        raise InvalidRequest("no")

    with pytest.raises(InvalidRequest):
        retry.optimistic(write, gave_up="x")
    assert len(calls) == 1
