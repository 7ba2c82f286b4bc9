"""Per-request state shared by the middleware, the auth dependency and the response renderer."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from mobie_hub.ocpi.modules import OcpiVersion


@dataclass(frozen=True)
class Caller:
    """The authenticated party behind a request (resolved from its credentials token)."""

    party_key: str
    role: str
    country_code: str
    party_id: str
    token_kind: str  # "A" (registration only) or "C" (registered)

    @property
    def registered(self) -> bool:
        return self.token_kind == "C"


# The OCPI version of the current request's path: models are dumped in that version's shape.
ocpi_version: ContextVar[OcpiVersion] = ContextVar("ocpi_version", default=OcpiVersion.V2_2_1)
