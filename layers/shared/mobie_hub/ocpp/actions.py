"""The OCPP 1.6 actions by direction (OCPP 1.6 §4 "Operations initiated by Charge Point", §5
"Operations initiated by Central System", plus the Security Whitepaper edition 2 extensions that the
``ocpp`` library ships schemas for)."""

from __future__ import annotations

from ocpp.v16.enums import Action

ALL_ACTIONS: frozenset[str] = frozenset(action.value for action in Action)

# What a station may send to the hub (OCPP 1.6 §4) and the hub handles.
STATION_ACTIONS: frozenset[str] = frozenset(
    {
        "Authorize",
        "BootNotification",
        "DataTransfer",
        "DiagnosticsStatusNotification",
        "FirmwareStatusNotification",
        "Heartbeat",
        "MeterValues",
        "StartTransaction",
        "StatusNotification",
        "StopTransaction",
    }
)

# Station → hub actions of the Security Whitepaper (security profile 3, signed firmware, logs):
# known to OCPP 1.6, but the hub does not support them yet (answered with NotSupported).
UNSUPPORTED_STATION_ACTIONS: frozenset[str] = frozenset(
    {
        "LogStatusNotification",
        "SecurityEventNotification",
        "SignCertificate",
        "SignedFirmwareStatusNotification",
    }
)

# What the hub may send to a station (OCPP 1.6 §5 and the whitepaper's hub-initiated messages).
HUB_ACTIONS: frozenset[str] = ALL_ACTIONS - STATION_ACTIONS - UNSUPPORTED_STATION_ACTIONS | {"DataTransfer"}
