"""``mobie-hub status``: what the hub is and holds (a cheap health check for operators)."""

from __future__ import annotations

from typing import Any

from mobie_hub.admin.registry import operation
from mobie_hub.core.modules import SUPPORTED_VERSIONS
from mobie_hub.core.settings import get_settings


@operation("status")
def status(payload: dict[str, Any]) -> dict[str, Any]:
    settings = get_settings()
    return {
        "hub": f"{settings.hub.country_code}/{settings.hub.party_id}",
        "public_url": settings.public_url,
        "versions_url": settings.ocpi_url("versions"),
        "ocpi_versions": [v.value for v in SUPPORTED_VERSIONS],
    }
