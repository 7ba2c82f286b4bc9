"""OCPI 2.2.1 mod_commands §13.3.1, §13.3.4: the reservation requests. Reservations are not in
Phase 1 (profile §13): the receiver answers RESERVE_NOW and CANCEL_RESERVATION NOT_SUPPORTED without
parsing them (``commands.router``), so only the local OpenAPI document describes them.
"""

from __future__ import annotations

from mobie_hub.core.models import OcpiModel
from mobie_hub.core.types import URL, CiString36, OcpiDateTime
from mobie_hub.tokens.models import Token


class CancelReservation(OcpiModel):
    """OCPI 2.2.1 mod_commands §13.3.1 CancelReservation."""

    response_url: URL
    reservation_id: CiString36


class ReserveNow(OcpiModel):
    """OCPI 2.2.1 mod_commands §13.3.4 ReserveNow."""

    response_url: URL
    token: Token
    expiry_date: OcpiDateTime
    reservation_id: CiString36
    location_id: CiString36
    evse_uid: CiString36 | None = None
    authorization_reference: CiString36 | None = None
