"""Pydantic v2 models of the nine OCPI modules MOBI.E implements, OCPI 2.2 and 2.2.1, with MOBI.E's
``mobie_`` extensions. One module per OCPI module; ``common`` and ``base`` hold what they share.

Parse with ``Model.model_validate(...)`` (either version's JSON); emit with ``dump_ocpi(model, version)``;
PATCH bodies with ``partial_model(Model)``.
"""

from mobie_hub.models.cdrs import Cdr, CdrLocation, CdrToken, ChargingPeriod, MobieCdr, MobieCdrLocation
from mobie_hub.models.commands import (
    CancelReservation,
    CommandResponse,
    CommandResult,
    ReserveNow,
    StartSession,
    StopSession,
    UnlockConnector,
)
from mobie_hub.models.common import (
    BusinessDetails,
    DisplayText,
    EnergyMix,
    GeoLocation,
    Image,
    OcpiModel,
    Price,
    VersionNumber,
    dump_ocpi,
    partial_model,
)
from mobie_hub.models.credentials import Credentials, CredentialsRole
from mobie_hub.models.hubclientinfo import ClientInfo
from mobie_hub.models.locations import EVSE, Connector, Hours, Location, MobieLocation
from mobie_hub.models.mobie import MobieCdrExtension, VoltageLevel
from mobie_hub.models.sessions import ChargingPreferences, Session
from mobie_hub.models.tariffs import Tariff, TariffElement, TariffRestrictions
from mobie_hub.models.tokens import AuthorizationInfo, Token
from mobie_hub.models.versions import Endpoint, Version, VersionDetails

__all__ = [
    "EVSE",
    "AuthorizationInfo",
    "BusinessDetails",
    "CancelReservation",
    "Cdr",
    "CdrLocation",
    "CdrToken",
    "ChargingPeriod",
    "ChargingPreferences",
    "ClientInfo",
    "CommandResponse",
    "CommandResult",
    "Connector",
    "Credentials",
    "CredentialsRole",
    "DisplayText",
    "Endpoint",
    "EnergyMix",
    "GeoLocation",
    "Hours",
    "Image",
    "Location",
    "MobieCdr",
    "MobieCdrExtension",
    "MobieCdrLocation",
    "MobieLocation",
    "OcpiModel",
    "Price",
    "ReserveNow",
    "Session",
    "StartSession",
    "StopSession",
    "Tariff",
    "TariffElement",
    "TariffRestrictions",
    "Token",
    "UnlockConnector",
    "Version",
    "VersionDetails",
    "VersionNumber",
    "VoltageLevel",
    "dump_ocpi",
    "partial_model",
]
