"""OCPI 2.2.1 mod_cdrs §10.3-§10.4: the CDR and its parts, with MOBI.E's extensions (profile §8).

2.2.1 over 2.2 (changelog §17.2): CdrToken ``country_code``/``party_id``, CDR
``home_charging_compensation`` and CdrLocation ``state`` are new (dropped for 2.2 peers); CdrLocation
``postal_code`` became optional; SignedValue ``signed_data`` grew from 512 to 5000 characters.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field, model_validator

from mobie_hub.core.mobie import MobieCdrExtension, MobieCdrStatus, VoltageLevel
from mobie_hub.core.models import (
    AuthMethod,
    CdrToken,
    ChargingPeriod,
    CiString32,
    CiString48,
    GeoLocation,
    OcpiModel,
    Price,
    String10,
    String20,
    String45,
    String5000,
)
from mobie_hub.core.types import (
    CiString36,
    CiString39,
    CountryCode,
    Number,
    OcpiDateTime,
    PartyId,
    String3,
    String255,
    String512,
)
from mobie_hub.locations.enums import ConnectorFormat, ConnectorType, PowerType
from mobie_hub.tariffs.models import Tariff

_PUBLIC_DETAILS = (
    "address",
    "city",
    "country",
    "coordinates",
    "connector_standard",
    "connector_format",
    "connector_power_type",
)
_OPTIONAL_DETAILS = ("name", "postal_code", "state")


class CdrLocation(OcpiModel):
    """OCPI 2.2.1 mod_cdrs §10.4.4 CdrLocation, with MOBI.E's ``mobie_voltage_level``.

    For a private station MOBI.E sends only the ids and the voltage level (seed Table 11), so the
    location details OCPI requires may be left out, but only all together and only with
    ``mobie_voltage_level`` set: any other CdrLocation must carry them as OCPI says.
    """

    ocpi_2_2_1_only: ClassVar[frozenset[str]] = frozenset({"state"})

    id: CiString36
    name: String255 | None = None
    address: String45 | None = None
    city: String45 | None = None
    postal_code: String10 | None = None
    state: String20 | None = None
    country: String3 | None = None
    coordinates: GeoLocation | None = None
    evse_uid: CiString36
    evse_id: CiString48
    connector_id: CiString36
    connector_standard: ConnectorType | None = None
    connector_format: ConnectorFormat | None = None
    connector_power_type: PowerType | None = None
    mobie_voltage_level: VoltageLevel | None = None

    @model_validator(mode="after")
    def _public_or_mobie_private(self) -> CdrLocation:
        missing = [name for name in _PUBLIC_DETAILS if getattr(self, name) is None]
        if not missing:
            return self
        given = [name for name in _PUBLIC_DETAILS + _OPTIONAL_DETAILS if getattr(self, name) is not None]
        if given or self.mobie_voltage_level is None:
            raise ValueError(
                f"missing {', '.join(missing)}: only a MOBI.E private-station CdrLocation"
                " (mobie_voltage_level and no location details) may leave them out"
            )
        return self


class MobieCdrLocation(CdrLocation):
    """A CdrLocation as the hub sends it: ``mobie_voltage_level`` is mandatory (seed Table 11)."""

    mobie_voltage_level: VoltageLevel


class SignedValue(OcpiModel):
    """OCPI 2.2.1 mod_cdrs §10.4.8 SignedValue."""

    nature: CiString32
    plain_data: String512
    signed_data: String5000


class SignedData(OcpiModel):
    """OCPI 2.2.1 mod_cdrs §10.4.7 SignedData."""

    encoding_method: CiString36
    encoding_method_version: int | None = None
    public_key: String512 | None = None
    signed_values: Annotated[list[SignedValue], Field(min_length=1)]
    url: String512 | None = None


class Cdr(OcpiModel):
    """OCPI 2.2.1 mod_cdrs §10.3.1 CDR, with MOBI.E's optional ``status`` and ``mobie_cdr_extension``.

    ``MobieCdr`` is the CDR as the hub emits it, where the MOBI.E fields are mandatory.
    """

    ocpi_2_2_1_only: ClassVar[frozenset[str]] = frozenset({"home_charging_compensation"})

    country_code: CountryCode
    party_id: PartyId
    id: CiString39
    start_date_time: OcpiDateTime
    end_date_time: OcpiDateTime
    session_id: CiString36 | None = None
    cdr_token: CdrToken
    auth_method: AuthMethod
    authorization_reference: CiString36 | None = None
    cdr_location: CdrLocation
    meter_id: String255 | None = None
    currency: String3
    tariffs: list[Tariff] | None = None
    charging_periods: Annotated[list[ChargingPeriod], Field(min_length=1)]
    signed_data: SignedData | None = None
    total_cost: Price
    total_fixed_cost: Price | None = None
    total_energy: Number
    total_energy_cost: Price | None = None
    total_time: Number
    total_time_cost: Price | None = None
    total_parking_time: Number | None = None
    total_parking_cost: Price | None = None
    total_reservation_cost: Price | None = None
    remark: String255 | None = None
    invoice_reference_id: CiString39 | None = None
    credit: bool | None = None
    credit_reference_id: CiString39 | None = None
    home_charging_compensation: bool | None = None
    status: MobieCdrStatus | None = None
    mobie_cdr_extension: MobieCdrExtension | None = None
    last_updated: OcpiDateTime

    @model_validator(mode="after")
    def _credit_names_its_original(self) -> Cdr:
        if self.credit and self.credit_reference_id is None:
            raise ValueError("a Credit CDR needs credit_reference_id (the id of the CDR it credits)")
        return self


class MobieCdr(Cdr):
    """A CDR as the hub sends it (profile §8): status COMPLETED and ``mobie_cdr_extension`` mandatory.

    (choice, docs/mobie-extensions.md) ``total_cost`` is the whole bill the extension itemises, so the
    two cannot disagree: its ``excl_vat``/``incl_vat`` are the extension's totals.
    """

    cdr_location: MobieCdrLocation
    status: MobieCdrStatus = MobieCdrStatus.COMPLETED
    mobie_cdr_extension: MobieCdrExtension

    @model_validator(mode="after")
    def _total_cost_is_the_extension_total(self) -> MobieCdr:
        extension = self.mobie_cdr_extension
        if self.total_cost.excl_vat != extension.total_excl_vat:
            raise ValueError("total_cost.excl_vat must equal mobie_cdr_extension.total_excl_vat")
        if self.total_cost.incl_vat is not None and self.total_cost.incl_vat != extension.total_incl_vat:
            raise ValueError("total_cost.incl_vat must equal mobie_cdr_extension.total_incl_vat")
        return self
