"""Rate windows holding a secret (core.ephemeral): the Locations walk's signing key lives and dies
with the window that opened it."""

from __future__ import annotations

from mobie_hub.core import ephemeral


def test_the_secret_is_read_back_only_while_its_window_is_open(aws):
    assert ephemeral.acquire_window("PT#EDP#locations-full", 300, now=1000, secret="s1") == 0

    assert ephemeral.window_secret("PT#EDP#locations-full", now=1299) == "s1"
    assert ephemeral.window_secret("PT#EDP#locations-full", now=1300) is None  # closed, TTL or not
    assert ephemeral.window_secret("PT#GLP#locations-full", now=1000) is None


def test_a_refused_request_keeps_the_secret_and_the_next_window_replaces_it(aws):
    ephemeral.acquire_window("PT#EDP#locations-full", 300, now=1000, secret="s1")

    assert ephemeral.acquire_window("PT#EDP#locations-full", 300, now=1100, secret="s2") == 200
    assert ephemeral.window_secret("PT#EDP#locations-full", now=1100) == "s1"
    assert ephemeral.acquire_window("PT#EDP#locations-full", 300, now=1300, secret="s3") == 0
    assert ephemeral.window_secret("PT#EDP#locations-full", now=1300) == "s3"


def test_a_window_opened_without_a_secret_holds_none(aws):
    ephemeral.acquire_window("PT#EDP#locations-full", 300, now=1000, secret="s1")
    ephemeral.acquire_window("PT#EDP#locations-full", 300, now=1300)

    assert ephemeral.window_secret("PT#EDP#locations-full", now=1300) is None
