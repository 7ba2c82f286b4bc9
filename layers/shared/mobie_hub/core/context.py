"""Per-request state shared by the middleware, the auth dependency and the response renderer."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

from mobie_hub.core.modules import OcpiVersion


@dataclass(frozen=True)
class Caller:
    """The authenticated party behind a request (resolved from its credentials token)."""

    party_key: str
    role: str
    country_code: str
    party_id: str
    token_kind: str  # "A" (registration only) or "C" (registered)
    # SHA-256 fingerprints of the client certificates bound to the party (profile §2; mobie_hub.ocpi.client_cert).
    cert_fingerprints: frozenset[str] = frozenset()
    token: str = field(default="", repr=False)  # the credentials token the request carried (GET credentials)

    @property
    def registered(self) -> bool:
        return self.token_kind == "C"


# The OCPI version of the current request's path: models are dumped in that version's shape.
ocpi_version: ContextVar[OcpiVersion] = ContextVar("ocpi_version", default=OcpiVersion.V2_2_1)

# The X-Correlation-ID of the request being served: outbound calls made for it carry the same one.
correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
