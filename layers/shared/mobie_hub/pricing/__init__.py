"""The pricing engine: a charging session priced with an OCPI 2.2.1 Tariff (docs/pricing.md).

Pure: models and plain values in, a ``PricedSession`` out; no boto3, no I/O.
"""

from mobie_hub.pricing.engine import price_session
from mobie_hub.pricing.errors import InvalidChargingPeriods, PricingError, UnknownTimeZone
from mobie_hub.pricing.result import PricedLine, PricedSession, money, round_money

__all__ = [
    "InvalidChargingPeriods",
    "PricedLine",
    "PricedSession",
    "PricingError",
    "UnknownTimeZone",
    "money",
    "price_session",
    "round_money",
]
