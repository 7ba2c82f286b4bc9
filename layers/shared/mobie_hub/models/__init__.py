"""Pydantic v2 models of the nine OCPI modules MOBI.E implements, OCPI 2.2 and 2.2.1, with MOBI.E's
``mobie_`` extensions. One module per OCPI module; ``common`` and ``base`` hold what they share.

Parse with ``Model.model_validate(...)`` (either version's JSON); emit with ``dump_ocpi(model, version)``;
PATCH bodies with ``partial_model(Model)``.
"""


from __future__ import annotations

from importlib import import_module

# Name → defining module. Resolved on first access (PEP 562) so that importing one model module — as
# each Lambda does — does not load all nine: cold start is measured by `make bench`.
_EXPORTS = {
    "AuthorizationInfo": "mobie_hub.models.tokens",
    "BusinessDetails": "mobie_hub.models.common",
    "CancelReservation": "mobie_hub.models.commands",
    "Cdr": "mobie_hub.models.cdrs",
    "CdrLocation": "mobie_hub.models.cdrs",
    "CdrToken": "mobie_hub.models.cdrs",
    "ChargingPeriod": "mobie_hub.models.cdrs",
    "ChargingPreferences": "mobie_hub.models.sessions",
    "ClientInfo": "mobie_hub.models.hubclientinfo",
    "CommandResponse": "mobie_hub.models.commands",
    "CommandResult": "mobie_hub.models.commands",
    "Connector": "mobie_hub.models.locations",
    "Credentials": "mobie_hub.models.credentials",
    "CredentialsRole": "mobie_hub.models.credentials",
    "DisplayText": "mobie_hub.models.common",
    "EVSE": "mobie_hub.models.locations",
    "Endpoint": "mobie_hub.models.versions",
    "EnergyMix": "mobie_hub.models.common",
    "GeoLocation": "mobie_hub.models.common",
    "Hours": "mobie_hub.models.locations",
    "Image": "mobie_hub.models.common",
    "Location": "mobie_hub.models.locations",
    "MobieCdr": "mobie_hub.models.cdrs",
    "MobieCdrExtension": "mobie_hub.models.mobie",
    "MobieCdrLocation": "mobie_hub.models.cdrs",
    "MobieLocation": "mobie_hub.models.locations",
    "OcpiModel": "mobie_hub.models.common",
    "Price": "mobie_hub.models.common",
    "ReserveNow": "mobie_hub.models.commands",
    "Session": "mobie_hub.models.sessions",
    "StartSession": "mobie_hub.models.commands",
    "StopSession": "mobie_hub.models.commands",
    "Tariff": "mobie_hub.models.tariffs",
    "TariffElement": "mobie_hub.models.tariffs",
    "TariffRestrictions": "mobie_hub.models.tariffs",
    "Token": "mobie_hub.models.tokens",
    "UnlockConnector": "mobie_hub.models.commands",
    "Version": "mobie_hub.models.versions",
    "VersionDetails": "mobie_hub.models.versions",
    "VersionNumber": "mobie_hub.models.common",
    "VoltageLevel": "mobie_hub.models.mobie",
    "dump_ocpi": "mobie_hub.models.common",
    "partial_model": "mobie_hub.models.common",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
