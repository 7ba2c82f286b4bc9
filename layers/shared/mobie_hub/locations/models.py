"""OCPI 2.2.1 mod_locations §8.3-§8.4: Location, EVSE, Connector and their parts.

In MOBI.E a Location is one charging station (profile §1). Shared parts (GeoLocation, BusinessDetails,
Image, EnergyMix) live in ``common``, the enums in ``location_enums``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    field_serializer,
    model_validator,
)

from mobie_hub.core.mobie import VoltageLevel
from mobie_hub.core.models import (
    BusinessDetails,
    CiString48,
    DisplayText,
    EnergyMix,
    GeoLocation,
    Image,
    LocalTime,
    OcpiModel,
    String4,
    String10,
    String16,
    String20,
    String45,
    TokenType,
    VersionNumber,
    version_of,
)
from mobie_hub.core.types import (
    URL,
    CiString36,
    CountryCode,
    OcpiDateTime,
    PartyId,
    String3,
    String64,
    String255,
)
from mobie_hub.locations.enums import (
    CAPABILITIES_2_2_1_ONLY,
    Capability,
    ConnectorFormat,
    ConnectorType,
    Facility,
    ParkingRestriction,
    ParkingType,
    PowerType,
    Status,
)


class RegularHours(OcpiModel):
    """OCPI 2.2.1 mod_locations §8.4.21 RegularHours."""

    weekday: Annotated[int, Field(ge=1, le=7)]
    period_begin: LocalTime
    period_end: LocalTime


class ExceptionalPeriod(OcpiModel):
    """OCPI 2.2.1 mod_locations §8.4.11 ExceptionalPeriod."""

    period_begin: OcpiDateTime
    period_end: OcpiDateTime


class Hours(OcpiModel):
    """OCPI 2.2.1 mod_locations §8.4.14 Hours."""

    twentyfourseven: bool
    regular_hours: list[RegularHours] | None = None
    exceptional_openings: list[ExceptionalPeriod] | None = None
    exceptional_closings: list[ExceptionalPeriod] | None = None

    @model_validator(mode="after")
    def _regular_hours_unless_always_open(self) -> Hours:
        if not self.twentyfourseven and not self.regular_hours:
            raise ValueError("regular_hours needs at least one entry when twentyfourseven is false")
        return self


class StatusSchedule(OcpiModel):
    """OCPI 2.2.1 mod_locations §8.4.23 StatusSchedule."""

    period_begin: OcpiDateTime
    period_end: OcpiDateTime | None = None
    status: Status


class AdditionalGeoLocation(GeoLocation):
    """OCPI 2.2.1 mod_locations §8.4.1 AdditionalGeoLocation."""

    name: DisplayText | None = None


class PublishTokenType(OcpiModel):
    """OCPI 2.2.1 mod_locations §8.4.20 PublishTokenType."""

    uid: CiString36 | None = None
    type: TokenType | None = None
    visual_number: String64 | None = None
    issuer: String64 | None = None
    group_id: CiString36 | None = None

    @model_validator(mode="after")
    def _identifies_a_token(self) -> PublishTokenType:
        if self.uid is None and self.visual_number is None and self.group_id is None:
            raise ValueError("one of uid, visual_number or group_id SHALL be set")
        if self.uid is not None and self.type is None:
            raise ValueError("type SHALL be set when uid is set")
        if self.visual_number is not None and self.issuer is None:
            raise ValueError("issuer SHALL be set when visual_number is set")
        return self


class Connector(OcpiModel):
    """OCPI 2.2.1 mod_locations §8.3.3 Connector."""

    id: CiString36
    standard: ConnectorType
    format: ConnectorFormat
    power_type: PowerType
    max_voltage: int
    max_amperage: int
    max_electric_power: int | None = None
    tariff_ids: list[CiString36] | None = None
    terms_and_conditions: URL | None = None
    last_updated: OcpiDateTime


class EVSE(OcpiModel):
    """OCPI 2.2.1 mod_locations §8.3.2 EVSE."""

    uid: CiString36
    evse_id: CiString48 | None = None
    status: Status
    status_schedule: list[StatusSchedule] | None = None
    capabilities: list[Capability] | None = None
    connectors: Annotated[list[Connector], Field(min_length=1)]
    floor_level: String4 | None = None
    coordinates: GeoLocation | None = None
    physical_reference: String16 | None = None
    directions: list[DisplayText] | None = None
    parking_restrictions: list[ParkingRestriction] | None = None
    images: list[Image] | None = None
    last_updated: OcpiDateTime

    @field_serializer("capabilities", mode="wrap")
    def _capabilities_for_version(
        self, value: list[Capability] | None, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ):
        capabilities = handler(value)
        if capabilities is None or version_of(info) is not VersionNumber.V2_2:
            return capabilities
        # 2.2 peers cannot send StartSession.connector_id, so the 2.2.1 capability asking for it is moot.
        return [capability for capability in capabilities if capability not in CAPABILITIES_2_2_1_ONLY]


class Location(OcpiModel):
    """OCPI 2.2.1 mod_locations §8.3.1 Location, with MOBI.E's ``mobie_voltage_level``.

    ``mobie_voltage_level`` is optional here so that any OCPI Location parses; ``MobieLocation`` is the
    Location as the hub emits it, where it is mandatory (profile §6).
    """

    country_code: CountryCode
    party_id: PartyId
    id: CiString36
    publish: bool
    publish_allowed_to: list[PublishTokenType] | None = None
    name: String255 | None = None
    address: String45
    city: String45
    postal_code: String10 | None = None
    state: String20 | None = None
    country: String3
    coordinates: GeoLocation
    related_locations: list[AdditionalGeoLocation] | None = None
    parking_type: ParkingType | None = None
    evses: list[EVSE] | None = None
    directions: list[DisplayText] | None = None
    operator: BusinessDetails | None = None
    suboperator: BusinessDetails | None = None
    owner: BusinessDetails | None = None
    facilities: list[Facility] | None = None
    time_zone: String255
    opening_times: Hours | None = None
    charging_when_closed: bool | None = None
    images: list[Image] | None = None
    energy_mix: EnergyMix | None = None
    mobie_voltage_level: VoltageLevel | None = None
    last_updated: OcpiDateTime


class MobieLocation(Location):
    """A Location as the hub publishes it: ``mobie_voltage_level`` is mandatory (profile §6)."""

    mobie_voltage_level: VoltageLevel
