"""OCPI 2.2.1 mod_tariffs §11.3-§11.4: Tariff, its elements, price components and restrictions.

Tariffs are informative in MOBI.E (profile §9): the billable amount is the CDR's.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from mobie_hub.core.models import DisplayText, EnergyMix, LocalTime, OcpiModel, Price
from mobie_hub.core.types import URL, CiString36, CountryCode, Number, OcpiDateTime, PartyId, String3

LocalDate = Annotated[
    str, StringConstraints(pattern=r"^([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
]
"""Date local to the Location, "YYYY-MM-DD" (mod_tariffs §11.4.6)."""


class DayOfWeek(StrEnum):
    """OCPI 2.2.1 mod_tariffs §11.4.1 DayOfWeek."""

    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


class ReservationRestrictionType(StrEnum):
    """OCPI 2.2.1 mod_tariffs §11.4.3 ReservationRestrictionType."""

    RESERVATION = "RESERVATION"
    RESERVATION_EXPIRES = "RESERVATION_EXPIRES"


class TariffDimensionType(StrEnum):
    """OCPI 2.2.1 mod_tariffs §11.4.5 TariffDimensionType."""

    ENERGY = "ENERGY"
    FLAT = "FLAT"
    PARKING_TIME = "PARKING_TIME"
    TIME = "TIME"


class TariffType(StrEnum):
    """OCPI 2.2.1 mod_tariffs §11.4.7 TariffType."""

    AD_HOC_PAYMENT = "AD_HOC_PAYMENT"
    PROFILE_CHEAP = "PROFILE_CHEAP"
    PROFILE_FAST = "PROFILE_FAST"
    PROFILE_GREEN = "PROFILE_GREEN"
    REGULAR = "REGULAR"


class PriceComponent(OcpiModel):
    """OCPI 2.2.1 mod_tariffs §11.4.2 PriceComponent: ``price`` excl. VAT per unit, ``vat`` in percent."""

    type: TariffDimensionType
    price: Number
    vat: Number | None = None
    step_size: Annotated[int, Field(ge=0)]


class TariffRestrictions(OcpiModel):
    """OCPI 2.2.1 mod_tariffs §11.4.6 TariffRestrictions (all set restrictions must hold: logical AND)."""

    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    start_date: LocalDate | None = None
    end_date: LocalDate | None = None
    min_kwh: Number | None = None
    max_kwh: Number | None = None
    min_current: Number | None = None
    max_current: Number | None = None
    min_power: Number | None = None
    max_power: Number | None = None
    min_duration: int | None = None
    max_duration: int | None = None
    day_of_week: list[DayOfWeek] | None = None
    reservation: ReservationRestrictionType | None = None


class TariffElement(OcpiModel):
    """OCPI 2.2.1 mod_tariffs §11.4.4 TariffElement."""

    price_components: Annotated[list[PriceComponent], Field(min_length=1)]
    restrictions: TariffRestrictions | None = None


class DefaultEmsp(OcpiModel):
    """``mobie_default_emsp``: the EMSP that bills the ad-hoc charges a CPO advertises (profile §9).

    In MOBI.E an EMSP is always involved and receives the CDR, also for ad-hoc payment, so a CPO that
    advertises an AD_HOC_PAYMENT tariff must name its "default" EMSP; OCPI has no field for it.
    """

    country_code: CountryCode
    party_id: PartyId


class Tariff(OcpiModel):
    """OCPI 2.2.1 mod_tariffs §11.3.1 Tariff (``min_price``/``max_price`` are Price objects in 2.2 too),
    with MOBI.E's ``mobie_default_emsp`` on AD_HOC_PAYMENT tariffs (the station registry enforces it)."""

    country_code: CountryCode
    party_id: PartyId
    id: CiString36
    currency: String3
    type: TariffType | None = None
    tariff_alt_text: list[DisplayText] | None = None
    tariff_alt_url: URL | None = None
    min_price: Price | None = None
    max_price: Price | None = None
    elements: Annotated[list[TariffElement], Field(min_length=1)]
    start_date_time: OcpiDateTime | None = None
    end_date_time: OcpiDateTime | None = None
    energy_mix: EnergyMix | None = None
    mobie_default_emsp: DefaultEmsp | None = None
    last_updated: OcpiDateTime
