"""The ``{version}`` path segment: only the versions the hub offers; sets the dump shape per request."""

from __future__ import annotations

from fastapi import Path

from mobie_hub.core.context import ocpi_version
from mobie_hub.core.errors import NotFound
from mobie_hub.core.modules import SUPPORTED_VERSIONS, OcpiVersion


async def request_version(version: str = Path(description="OCPI version: 2.2 or 2.2.1")) -> OcpiVersion:
    """Async on purpose: the context variable set here stays visible while the response renders."""
    if version not in {v.value for v in SUPPORTED_VERSIONS}:
        raise NotFound(f"OCPI version {version} is not offered; see /ocpi/versions")
    chosen = OcpiVersion(version)
    ocpi_version.set(chosen)
    return chosen
