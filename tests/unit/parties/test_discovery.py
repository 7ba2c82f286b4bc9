"""Reading a party's versions and details: version choice, lies, missing modules (no sockets)."""

from __future__ import annotations

import pytest

from mobie_hub.core.errors import MissingEndpoints, UnableToUseClientApi, UnsupportedVersion
from mobie_hub.outbound import OcpiReply
from mobie_hub.parties.discovery import discover

VERSIONS = "https://emsp.test/ocpi/versions"


def site(pages: dict):
    """A fetch function over canned ``data`` by URL (what the outbound client returns)."""
    fetched = []

    def fetch(url: str) -> OcpiReply:
        fetched.append(url)
        return OcpiReply(data=pages[url], status_code=1000, status_message=None, http_status=200)

    fetch.fetched = fetched
    return fetch


def details(version: str, *modules: str) -> dict:
    return {
        "version": version,
        "endpoints": [
            {"identifier": m, "role": "RECEIVER", "url": f"https://emsp.test/ocpi/{version}/{m}"}
            for m in modules
        ],
    }


def versions(*numbers: str) -> list[dict]:
    return [{"version": n, "url": f"https://emsp.test/ocpi/{n}"} for n in numbers]


def test_2_2_1_is_preferred_whatever_the_order():
    fetch = site(
        {
            VERSIONS: versions("2.2", "2.2.1", "2.1.1"),
            "https://emsp.test/ocpi/2.2.1": details("2.2.1", "credentials", "locations"),
        }
    )
    peer = discover(fetch, VERSIONS, "EMSP PT/EDP")
    assert peer.version == "2.2.1"
    assert [str(e.identifier) for e in peer.endpoints] == ["credentials", "locations"]


def test_a_required_version_is_used_or_refused():
    fetch = site(
        {VERSIONS: versions("2.2.1"), "https://emsp.test/ocpi/2.2.1": details("2.2.1", "credentials")}
    )
    with pytest.raises(UnsupportedVersion, match="offers OCPI versions 2.2.1; the hub needs 2.2"):
        discover(fetch, VERSIONS, "EMSP PT/EDP", version="2.2")


def test_no_common_version_names_what_was_offered():
    with pytest.raises(UnsupportedVersion, match="2.0, 2.1.1"):
        discover(site({VERSIONS: versions("2.1.1", "2.0")}), VERSIONS, "EMSP PT/EDP")


def test_missing_credentials_module_is_3003():
    fetch = site({VERSIONS: versions("2.2"), "https://emsp.test/ocpi/2.2": details("2.2", "locations")})
    with pytest.raises(MissingEndpoints, match="credentials"):
        discover(fetch, VERSIONS, "EMSP PT/EDP")


@pytest.mark.parametrize(
    ("pages", "words"),
    [
        ({VERSIONS: {"version": "2.2"}}, "not an OCPI versions list"),
        (
            {VERSIONS: versions("2.2.1"), "https://emsp.test/ocpi/2.2.1": details("2.2", "credentials")},
            "describes version 2.2",
        ),
        (
            {
                VERSIONS: versions("2.2.1"),
                "https://emsp.test/ocpi/2.2.1": {"version": "2.2.1", "endpoints": []},
            },
            "not OCPI version details",
        ),
        ({VERSIONS: [{"version": "2.2.1", "url": "/relative"}]}, "not absolute"),
        (
            {
                VERSIONS: versions("2.2.1"),
                "https://emsp.test/ocpi/2.2.1": {
                    "version": "2.2.1",
                    "endpoints": [{"identifier": "credentials", "role": "SENDER", "url": "ftp://x"}],
                },
            },
            "not absolute",
        ),
    ],
)
def test_lying_or_broken_parties_are_3001(pages, words):
    with pytest.raises(UnableToUseClientApi, match=words):
        discover(site(pages), VERSIONS, "EMSP PT/EDP")


def test_a_relative_versions_url_is_refused_before_any_call():
    fetch = site({})
    with pytest.raises(UnableToUseClientApi, match="not an absolute"):
        discover(fetch, "emsp.test/versions", "x")
    assert fetch.fetched == []
