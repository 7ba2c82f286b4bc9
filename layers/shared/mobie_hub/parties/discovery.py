"""Reading a party's versions and version details (OCPI 2.2.1 mod_versions §6), as registration,
credentials updates and ``parties update-endpoints`` do.

Nothing here writes: a party that offers no common version, lacks a required module, or lies (an
unreachable details URL, details of another version, garbage) fails the step before any state changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import TypeAdapter

from mobie_hub.core import validation
from mobie_hub.core.errors import MissingEndpoints, UnableToUseClientApi, UnsupportedVersion
from mobie_hub.core.modules import SUPPORTED_VERSIONS
from mobie_hub.core.versions import Endpoint, Version, VersionDetails
from mobie_hub.outbound import OcpiReply
from mobie_hub.outbound.url_policy import UrlPolicy, UrlRefused

# Profile §1: an EMSP must implement Versions and Credentials. Versions is implicit (it was just read).
REQUIRED_MODULES: tuple[str, ...] = ("credentials",)

Fetch = Callable[[str], OcpiReply]
"""GET one URL of the party with the right token; raises OutboundCallFailed."""


@dataclass(frozen=True)
class PeerVersion:
    """The OCPI version the hub will use with a party, and the party's endpoints for it."""

    versions_url: str
    version: str
    endpoints: list[Endpoint]


def _absolute(url: str) -> bool:
    return url.startswith(("https://", "http://"))


def _refused(url: str) -> str | None:
    """Why the outbound URL policy refuses ``url`` (a URL the party gave), or None."""
    try:
        UrlPolicy.from_settings().check_url(url)
    except UrlRefused as exc:
        return exc.reason
    return None


def read_versions(fetch: Fetch, versions_url: str, label: str) -> list[Version]:
    if not _absolute(versions_url):
        raise UnableToUseClientApi(
            f"the versions URL of {label} is not an absolute http(s) URL: {versions_url!r}"
        )
    if reason := _refused(versions_url):
        raise UnableToUseClientApi(f"the versions URL of {label} {versions_url!r} is refused: {reason}")
    reply = fetch(versions_url)
    return validation.parse(
        TypeAdapter(list[Version]), reply.data, whole="data",
        refuse=lambda where, problem: UnableToUseClientApi(
            f"{label} answered at {versions_url} with something that is not an OCPI versions list "
            f"({where}: {problem})"
        ),
    )


def choose_version(versions: list[Version], label: str, required: str | None = None) -> Version:
    """``required`` (the version of the endpoint a party called), else the hub's preferred: 2.2.1,
    then 2.2."""
    offered = {str(v.version): v for v in versions}
    wanted = [required] if required else [v.value for v in SUPPORTED_VERSIONS]
    for number in wanted:
        if number in offered:
            return offered[number]
    listing = ", ".join(sorted(offered)) or "none"
    raise UnsupportedVersion(f"{label} offers OCPI versions {listing}; the hub needs {' or '.join(wanted)}")


def read_details(fetch: Fetch, version: Version, label: str) -> VersionDetails:
    if not _absolute(version.url):
        raise UnableToUseClientApi(
            f"{label} lists OCPI {version.version} at a URL that is not absolute: {version.url!r}"
        )
    if reason := _refused(version.url):
        raise UnableToUseClientApi(
            f"{label} lists OCPI {version.version} at {version.url!r}, refused: {reason}"
        )
    reply = fetch(version.url)
    details = validation.parse(
        VersionDetails, reply.data, whole="data",
        refuse=lambda where, problem: UnableToUseClientApi(
            f"{label} answered at {version.url} with something that is not OCPI version details "
            f"({where}: {problem})"
        ),
    )
    if str(details.version) != str(version.version):
        raise UnableToUseClientApi(
            f"{label} lists {version.url} as OCPI {version.version}, "
            f"but it describes version {details.version}"
        )
    bad = [e.url for e in details.endpoints if not _absolute(e.url)]
    if bad:
        raise UnableToUseClientApi(
            f"{label} publishes endpoint URLs that are not absolute: {', '.join(bad[:3])}"
        )
    refused = [f"{e.url} ({reason})" for e in details.endpoints if (reason := _refused(e.url))]
    if refused:
        raise UnableToUseClientApi(
            f"{label} publishes endpoint URLs the hub may not call: {', '.join(refused[:3])}"
        )
    return details


def check_required(details: VersionDetails, label: str) -> None:
    offered = {str(e.identifier) for e in details.endpoints}
    missing = [m for m in REQUIRED_MODULES if m not in offered]
    if missing:
        raise MissingEndpoints(
            f"{label} does not expose the required module(s) {', '.join(missing)} in OCPI {details.version}"
        )


def discover(fetch: Fetch, versions_url: str, label: str, *, version: str | None = None) -> PeerVersion:
    """Versions → the version to use → its details → the required modules present."""
    chosen = choose_version(read_versions(fetch, versions_url, label), label, version)
    details = read_details(fetch, chosen, label)
    check_required(details, label)
    return PeerVersion(
        versions_url=versions_url, version=str(chosen.version), endpoints=list(details.endpoints)
    )
