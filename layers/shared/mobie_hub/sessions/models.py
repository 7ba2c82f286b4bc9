"""OCPI 2.2.1 mod_sessions §9.3-§9.4: Session and charging preferences.

MOBI.E sends every session, whatever started it (profile §7); it supports no charging preferences,
but the objects are here so that a peer's request parses and can be answered.
"""

from __future__ import annotations

from enum import StrEnum

from mobie_hub.core.models import AuthMethod, CdrToken, ChargingPeriod, OcpiModel, Price, ProfileType
from mobie_hub.core.types import CiString36, CountryCode, Number, OcpiDateTime, PartyId, String3, String255


class SessionStatus(StrEnum):
    """OCPI 2.2.1 mod_sessions §9.4.3 SessionStatus."""

    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    INVALID = "INVALID"
    PENDING = "PENDING"
    RESERVATION = "RESERVATION"


class ChargingPreferencesResponse(StrEnum):
    """OCPI 2.2.1 mod_sessions §9.4.1 ChargingPreferencesResponse."""

    ACCEPTED = "ACCEPTED"
    DEPARTURE_REQUIRED = "DEPARTURE_REQUIRED"
    ENERGY_NEED_REQUIRED = "ENERGY_NEED_REQUIRED"
    NOT_POSSIBLE = "NOT_POSSIBLE"
    PROFILE_TYPE_NOT_SUPPORTED = "PROFILE_TYPE_NOT_SUPPORTED"


class ChargingPreferences(OcpiModel):
    """OCPI 2.2.1 mod_sessions §9.3.2 ChargingPreferences."""

    profile_type: ProfileType
    departure_time: OcpiDateTime | None = None
    energy_need: Number | None = None
    discharge_allowed: bool | None = None


class Session(OcpiModel):
    """OCPI 2.2.1 mod_sessions §9.3.1 Session (same fields in 2.2; CdrToken differs, see ``cdrs``)."""

    country_code: CountryCode
    party_id: PartyId
    id: CiString36
    start_date_time: OcpiDateTime
    end_date_time: OcpiDateTime | None = None
    kwh: Number
    cdr_token: CdrToken
    auth_method: AuthMethod
    authorization_reference: CiString36 | None = None
    location_id: CiString36
    evse_uid: CiString36
    connector_id: CiString36
    meter_id: String255 | None = None
    currency: String3
    charging_periods: list[ChargingPeriod] | None = None
    total_cost: Price | None = None
    status: SessionStatus
    last_updated: OcpiDateTime
