"""Errors of the pricing engine: input it cannot price. They are HubErrors, so nothing escapes as a
bare exception; they come from the hub's own data (sessions, tariffs), never from an OCPI request,
so ``ocpi.error_mapping`` has no entry for them (a server-side fault if one ever reached a route)."""

from __future__ import annotations

from mobie_hub.core.errors import HubError


class PricingError(HubError):
    """The session or the tariff cannot be priced."""


class InvalidChargingPeriods(PricingError):
    """The charging periods contradict each other or the session: out of order, outside the session,
    negative energy, a period both charging and parking, an end before the start, a naive datetime."""


class UnknownTimeZone(PricingError):
    """The Location's ``time_zone`` is no IANA time zone, so local-time restrictions cannot be read."""
