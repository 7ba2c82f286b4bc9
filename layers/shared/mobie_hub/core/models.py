"""What every OCPI module shares: the model base, version-aware output and PATCH models, the types
of OCPI 2.2.1 types §16, and the classes of mod_locations §8.4 that other modules reuse.

OCPI 2.2.1 is the errata release of 2.2: the two differ by a few added fields and enum values
(2.2.1 changelog §17.2), never by the shape of a field. Models therefore accept both versions on
input; on output, ``dump_ocpi(model, "2.2")`` leaves out what 2.2 does not know.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, ClassVar, TypeVar, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    StringConstraints,
    ValidationInfo,
    create_model,
    model_serializer,
)

from mobie_hub.core.types import (
    URL,
    CiString,
    CiString36,
    CountryCode,
    Number,
    OcpiDateTime,
    PartyId,
    String,
    String2,
    String64,
    String100,
    String512,
    format_datetime,
    utcnow,
)

CONTEXT_KEY = "ocpi_version"
"""Key of the pydantic serialisation context that selects the output version."""


class VersionNumber(StrEnum):
    """OCPI 2.2.1 mod_versions §6.2.5 VersionNumber."""

    V2_0 = "2.0"
    V2_1 = "2.1"
    V2_1_1 = "2.1.1"
    V2_2 = "2.2"
    V2_2_1 = "2.2.1"


OUTPUT_VERSIONS = (VersionNumber.V2_2, VersionNumber.V2_2_1)


def output_version(version: object) -> VersionNumber:
    """The version to serialise for; only 2.2 and 2.2.1 have a shape these models can emit."""
    number = VersionNumber(str(version))
    if number not in OUTPUT_VERSIONS:
        raise ValueError(f"cannot serialise OCPI objects for version {number}")
    return number


def version_of(info: SerializationInfo) -> VersionNumber:
    """The version a serialiser runs for: the context's ``ocpi_version``, else 2.2.1."""
    context = info.context if isinstance(info.context, dict) else {}
    return output_version(context.get(CONTEXT_KEY, VersionNumber.V2_2_1))


class OcpiModel(BaseModel):
    """Base of every OCPI object.

    Unknown fields are accepted and dropped, as OCPI asks of receivers, so a peer on a later version
    never breaks parsing; MOBI.E's ``mobie_`` fields are declared fields, never extras. OCPI is
    snake_case on the wire, so there are no aliases. ``ocpi_2_2_1_only`` names the fields OCPI 2.2
    lacks: they are left out when serialising with ``context={"ocpi_version": "2.2"}``.
    """

    # defer_build: a model's validator and serialiser are built on its first use, not at import, so
    # a Lambda pays only for the models it uses (most import far more than they touch: make bench).
    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)

    ocpi_2_2_1_only: ClassVar[frozenset[str]] = frozenset()

    # No return annotation: pydantic would take it as every model's serialisation schema (OpenAPI).
    @model_serializer(mode="wrap")
    def _serialise_for_version(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo):
        data = handler(self)
        if version_of(info) is VersionNumber.V2_2:
            for name in self.ocpi_2_2_1_only:
                data.pop(name, None)
        return data


M = TypeVar("M", bound=OcpiModel)


def dump_ocpi(model: OcpiModel, version: str = VersionNumber.V2_2_1) -> dict[str, Any]:
    """JSON-ready dict of ``model`` in the shape of OCPI ``version`` ("2.2" or "2.2.1").

    Unset optional fields are omitted, not sent as ``null``; datetimes are UTC with ``Z``.
    """
    context = {CONTEXT_KEY: output_version(version)}
    return model.model_dump(mode="json", exclude_none=True, context=context)


@cache
def partial_model(model: type[M]) -> type[M]:
    """The PATCH body model of ``model``: every field optional, except ``last_updated``.

    OCPI PATCH (mod_locations §8.2.2.3, mod_sessions §9.2.2.3, mod_tokens §12.2.2.3) carries only the
    changed fields and SHALL carry ``last_updated``. A nested object in a PATCH replaces the stored one
    whole, so nested models keep their required fields (no deep partial). The derived class subclasses
    ``model``, so field constraints and version-aware serialisation stay as they are.
    """
    overrides: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name == "last_updated":
            continue
        annotation = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
        overrides[name] = (annotation | None, None)
    patch = create_model(f"{model.__name__}Patch", __base__=model, __module__=model.__module__, **overrides)
    return cast("type[M]", patch)


MAX_FUTURE_SKEW = timedelta(minutes=5)
"""How far ahead of the hub's clock a party's ``last_updated`` may be (clock skew), and no further."""

STORED_CONTEXT = {"stored": True}
"""Validation context for objects read back from the hub's own store: they were checked when they
came in, so rules about the moment they arrived (``PartyLastUpdated``) are not applied again."""


def _not_in_the_future(value: datetime, info: ValidationInfo) -> datetime:
    # Issue #12: a party's last_updated decided which of two tokens won an idTag (year 9999 won
    # everything). Nothing a party sends may claim to come from more than a few minutes ahead.
    if isinstance(info.context, dict) and info.context.get("stored"):
        return value
    latest = utcnow() + MAX_FUTURE_SKEW
    if value > latest:
        minutes = int(MAX_FUTURE_SKEW.total_seconds() // 60)
        now = format_datetime(utcnow())
        raise ValueError(f"must not be more than {minutes} minutes in the future (the hub's clock: {now})")
    return value


PartyLastUpdated = Annotated[OcpiDateTime, AfterValidator(_not_in_the_future)]
"""``last_updated`` of an object a party sends the hub (Token, also inside a START_SESSION): an
OCPI DateTime at most ``MAX_FUTURE_SKEW`` ahead of the hub's clock (else OCPI 2001 naming the field).
The hub's own objects (Sessions, CDRs, Locations, Tariffs, ClientInfo) keep plain ``OcpiDateTime``."""


# OCPI lengths that mobie_hub.core.types does not spell out, built with its factories.
CiString4 = CiString(4)
CiString32 = CiString(32)
CiString48 = CiString(48)
String4 = String(4)
String10 = String(10)
String16 = String(16)
String20 = String(20)
String45 = String(45)
String5000 = String(5000)

LocalTime = Annotated[str, StringConstraints(pattern=r"^([0-1][0-9]|2[0-3]):[0-5][0-9]$")]
"""Time of day, local to the Location, "HH:MM" (mod_locations §8.4.21, mod_tariffs §11.4.6)."""

Int5 = Annotated[int, Field(ge=0, le=99999)]
"""OCPI int(5): a non-negative integer of at most five digits."""


class DisplayText(OcpiModel):
    """OCPI 2.2.1 types §16.3 DisplayText."""

    language: String2
    text: String512


class Price(OcpiModel):
    """OCPI 2.2.1 types §16.5 Price. 2.2 and 2.2.1 alike: only 2.1.1 used a bare number for costs."""

    excl_vat: Number
    incl_vat: Number | None = None


class Role(StrEnum):
    """OCPI 2.2.1 types §16.6 Role."""

    CPO = "CPO"
    EMSP = "EMSP"
    HUB = "HUB"
    NAP = "NAP"
    NSP = "NSP"
    OTHER = "OTHER"
    SCSP = "SCSP"


class TokenType(StrEnum):
    """OCPI 2.2.1 mod_tokens §12.4.4 TokenType (Locations and CDRs use it too, hence here)."""

    AD_HOC_USER = "AD_HOC_USER"
    APP_USER = "APP_USER"
    OTHER = "OTHER"
    RFID = "RFID"


class GeoLocation(OcpiModel):
    """OCPI 2.2.1 mod_locations §8.4.13 GeoLocation (WGS 84, decimal degrees as strings)."""

    latitude: Annotated[str, StringConstraints(max_length=10, pattern=r"^-?[0-9]{1,2}\.[0-9]{5,7}$")]
    longitude: Annotated[str, StringConstraints(max_length=11, pattern=r"^-?[0-9]{1,3}\.[0-9]{5,7}$")]


class ImageCategory(StrEnum):
    """OCPI 2.2.1 mod_locations §8.4.16 ImageCategory."""

    CHARGER = "CHARGER"
    ENTRANCE = "ENTRANCE"
    LOCATION = "LOCATION"
    NETWORK = "NETWORK"
    OPERATOR = "OPERATOR"
    OTHER = "OTHER"
    OWNER = "OWNER"


class Image(OcpiModel):
    """OCPI 2.2.1 mod_locations §8.4.15 Image."""

    url: URL
    thumbnail: URL | None = None
    category: ImageCategory
    type: CiString4
    width: Int5 | None = None
    height: Int5 | None = None


class BusinessDetails(OcpiModel):
    """OCPI 2.2.1 mod_locations §8.4.2 BusinessDetails (also the party details in Credentials)."""

    name: String100
    website: URL | None = None
    logo: Image | None = None


class EnergySourceCategory(StrEnum):
    """OCPI 2.2.1 mod_locations §8.4.8 EnergySourceCategory."""

    NUCLEAR = "NUCLEAR"
    GENERAL_FOSSIL = "GENERAL_FOSSIL"
    COAL = "COAL"
    GAS = "GAS"
    GENERAL_GREEN = "GENERAL_GREEN"
    SOLAR = "SOLAR"
    WIND = "WIND"
    WATER = "WATER"


class EnvironmentalImpactCategory(StrEnum):
    """OCPI 2.2.1 mod_locations §8.4.10 EnvironmentalImpactCategory."""

    NUCLEAR_WASTE = "NUCLEAR_WASTE"
    CARBON_DIOXIDE = "CARBON_DIOXIDE"


class EnergySource(OcpiModel):
    """OCPI 2.2.1 mod_locations §8.4.7 EnergySource."""

    source: EnergySourceCategory
    percentage: Annotated[Number, Field(ge=0, le=100)]


class EnvironmentalImpact(OcpiModel):
    """OCPI 2.2.1 mod_locations §8.4.9 EnvironmentalImpact (``category`` was ``source`` before 2.2)."""

    category: EnvironmentalImpactCategory
    amount: Number


class EnergyMix(OcpiModel):
    """OCPI 2.2.1 mod_locations §8.4.6 EnergyMix (of a Location or a Tariff)."""

    is_green_energy: bool
    energy_sources: list[EnergySource] | None = None
    environ_impact: list[EnvironmentalImpact] | None = None
    supplier_name: String64 | None = None
    energy_product_name: String64 | None = None


# mod_sessions §9.4.3, which Tokens reuse (Token.default_profile_type).


class ProfileType(StrEnum):
    """OCPI 2.2.1 mod_sessions §9.4.2 ProfileType."""

    CHEAP = "CHEAP"
    FAST = "FAST"
    GREEN = "GREEN"
    REGULAR = "REGULAR"


# The classes of mod_cdrs §10.4 that Sessions and pricing reuse.


class AuthMethod(StrEnum):
    """OCPI 2.2.1 mod_cdrs §10.4.1 AuthMethod."""

    AUTH_REQUEST = "AUTH_REQUEST"
    COMMAND = "COMMAND"
    WHITELIST = "WHITELIST"


class CdrDimensionType(StrEnum):
    """OCPI 2.2.1 mod_cdrs §10.4.3 CdrDimensionType (CURRENT, ENERGY_EXPORT/IMPORT, POWER and
    STATE_OF_CHARGE are for Sessions, though MOBI.E lists ENERGY_EXPORT/IMPORT and POWER for CDRs too)."""

    CURRENT = "CURRENT"
    ENERGY = "ENERGY"
    ENERGY_EXPORT = "ENERGY_EXPORT"
    ENERGY_IMPORT = "ENERGY_IMPORT"
    MAX_CURRENT = "MAX_CURRENT"
    MIN_CURRENT = "MIN_CURRENT"
    MAX_POWER = "MAX_POWER"
    MIN_POWER = "MIN_POWER"
    PARKING_TIME = "PARKING_TIME"
    POWER = "POWER"
    RESERVATION_TIME = "RESERVATION_TIME"
    STATE_OF_CHARGE = "STATE_OF_CHARGE"
    TIME = "TIME"


class CdrDimension(OcpiModel):
    """OCPI 2.2.1 mod_cdrs §10.4.2 CdrDimension."""

    type: CdrDimensionType
    volume: Number


class ChargingPeriod(OcpiModel):
    """OCPI 2.2.1 mod_cdrs §10.4.6 ChargingPeriod (Sessions use it too)."""

    start_date_time: OcpiDateTime
    dimensions: Annotated[list[CdrDimension], Field(min_length=1)]
    tariff_id: CiString36 | None = None


class CdrToken(OcpiModel):
    """OCPI 2.2.1 mod_cdrs §10.4.5 CdrToken.

    ``country_code``/``party_id`` are mandatory in 2.2.1 but absent in 2.2 (and in the 2.2.1 release
    examples), so they are optional on input; the hub fills them from the Token it holds.
    """

    ocpi_2_2_1_only: ClassVar[frozenset[str]] = frozenset({"country_code", "party_id"})

    country_code: CountryCode | None = None
    party_id: PartyId | None = None
    uid: CiString36
    type: TokenType
    contract_id: CiString36


# CdrLocation fields OCPI requires that a MOBI.E private-station CdrLocation leaves out (seed Table 11).
