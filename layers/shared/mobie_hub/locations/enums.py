"""The enums of OCPI 2.2.1 mod_locations §8.4 (CDRs reuse the connector ones).

2.2.1 added values to Capability, ConnectorType and PowerType (changelog §17.2). Capability lists are
filtered for 2.2 peers (see ``EVSE``); a 2.2.1-only connector standard or power type has no 2.2
equivalent and is emitted as is (MOBI.E's network has CHAdeMO, Type 2 and CCS only, AC or DC).
"""

from __future__ import annotations

from enum import StrEnum


class Capability(StrEnum):
    """OCPI 2.2.1 mod_locations §8.4.3 Capability."""

    CHARGING_PROFILE_CAPABLE = "CHARGING_PROFILE_CAPABLE"
    CHARGING_PREFERENCES_CAPABLE = "CHARGING_PREFERENCES_CAPABLE"
    CHIP_CARD_SUPPORT = "CHIP_CARD_SUPPORT"
    CONTACTLESS_CARD_SUPPORT = "CONTACTLESS_CARD_SUPPORT"
    CREDIT_CARD_PAYABLE = "CREDIT_CARD_PAYABLE"
    DEBIT_CARD_PAYABLE = "DEBIT_CARD_PAYABLE"
    PED_TERMINAL = "PED_TERMINAL"
    REMOTE_START_STOP_CAPABLE = "REMOTE_START_STOP_CAPABLE"
    RESERVABLE = "RESERVABLE"
    RFID_READER = "RFID_READER"
    START_SESSION_CONNECTOR_REQUIRED = "START_SESSION_CONNECTOR_REQUIRED"  # 2.2.1 only
    TOKEN_GROUP_CAPABLE = "TOKEN_GROUP_CAPABLE"
    UNLOCK_CAPABLE = "UNLOCK_CAPABLE"


CAPABILITIES_2_2_1_ONLY = frozenset({Capability.START_SESSION_CONNECTOR_REQUIRED})


class ConnectorFormat(StrEnum):
    """OCPI 2.2.1 mod_locations §8.4.4 ConnectorFormat."""

    SOCKET = "SOCKET"
    CABLE = "CABLE"


class ConnectorType(StrEnum):
    """OCPI 2.2.1 mod_locations §8.4.5 ConnectorType (CHAOJI, DOMESTIC_M-O, GBT_*, NEMA_*: 2.2.1 only)."""

    CHADEMO = "CHADEMO"
    CHAOJI = "CHAOJI"
    DOMESTIC_A = "DOMESTIC_A"
    DOMESTIC_B = "DOMESTIC_B"
    DOMESTIC_C = "DOMESTIC_C"
    DOMESTIC_D = "DOMESTIC_D"
    DOMESTIC_E = "DOMESTIC_E"
    DOMESTIC_F = "DOMESTIC_F"
    DOMESTIC_G = "DOMESTIC_G"
    DOMESTIC_H = "DOMESTIC_H"
    DOMESTIC_I = "DOMESTIC_I"
    DOMESTIC_J = "DOMESTIC_J"
    DOMESTIC_K = "DOMESTIC_K"
    DOMESTIC_L = "DOMESTIC_L"
    DOMESTIC_M = "DOMESTIC_M"
    DOMESTIC_N = "DOMESTIC_N"
    DOMESTIC_O = "DOMESTIC_O"
    GBT_AC = "GBT_AC"
    GBT_DC = "GBT_DC"
    IEC_60309_2_SINGLE_16 = "IEC_60309_2_single_16"
    IEC_60309_2_THREE_16 = "IEC_60309_2_three_16"
    IEC_60309_2_THREE_32 = "IEC_60309_2_three_32"
    IEC_60309_2_THREE_64 = "IEC_60309_2_three_64"
    IEC_62196_T1 = "IEC_62196_T1"
    IEC_62196_T1_COMBO = "IEC_62196_T1_COMBO"
    IEC_62196_T2 = "IEC_62196_T2"
    IEC_62196_T2_COMBO = "IEC_62196_T2_COMBO"
    IEC_62196_T3A = "IEC_62196_T3A"
    IEC_62196_T3C = "IEC_62196_T3C"
    NEMA_5_20 = "NEMA_5_20"
    NEMA_6_30 = "NEMA_6_30"
    NEMA_6_50 = "NEMA_6_50"
    NEMA_10_30 = "NEMA_10_30"
    NEMA_10_50 = "NEMA_10_50"
    NEMA_14_30 = "NEMA_14_30"
    NEMA_14_50 = "NEMA_14_50"
    PANTOGRAPH_BOTTOM_UP = "PANTOGRAPH_BOTTOM_UP"
    PANTOGRAPH_TOP_DOWN = "PANTOGRAPH_TOP_DOWN"
    TESLA_R = "TESLA_R"
    TESLA_S = "TESLA_S"


class PowerType(StrEnum):
    """OCPI 2.2.1 mod_locations §8.4.19 PowerType (AC_2_PHASE and AC_2_PHASE_SPLIT: 2.2.1 only)."""

    AC_1_PHASE = "AC_1_PHASE"
    AC_2_PHASE = "AC_2_PHASE"
    AC_2_PHASE_SPLIT = "AC_2_PHASE_SPLIT"
    AC_3_PHASE = "AC_3_PHASE"
    DC = "DC"


class Facility(StrEnum):
    """OCPI 2.2.1 mod_locations §8.4.12 Facility."""

    HOTEL = "HOTEL"
    RESTAURANT = "RESTAURANT"
    CAFE = "CAFE"
    MALL = "MALL"
    SUPERMARKET = "SUPERMARKET"
    SPORT = "SPORT"
    RECREATION_AREA = "RECREATION_AREA"
    NATURE = "NATURE"
    MUSEUM = "MUSEUM"
    BIKE_SHARING = "BIKE_SHARING"
    BUS_STOP = "BUS_STOP"
    TAXI_STAND = "TAXI_STAND"
    TRAM_STOP = "TRAM_STOP"
    METRO_STATION = "METRO_STATION"
    TRAIN_STATION = "TRAIN_STATION"
    AIRPORT = "AIRPORT"
    PARKING_LOT = "PARKING_LOT"
    CARPOOL_PARKING = "CARPOOL_PARKING"
    FUEL_STATION = "FUEL_STATION"
    WIFI = "WIFI"


class ParkingRestriction(StrEnum):
    """OCPI 2.2.1 mod_locations §8.4.17 ParkingRestriction."""

    EV_ONLY = "EV_ONLY"
    PLUGGED = "PLUGGED"
    DISABLED = "DISABLED"
    CUSTOMERS = "CUSTOMERS"
    MOTORCYCLES = "MOTORCYCLES"


class ParkingType(StrEnum):
    """OCPI 2.2.1 mod_locations §8.4.18 ParkingType."""

    ALONG_MOTORWAY = "ALONG_MOTORWAY"
    PARKING_GARAGE = "PARKING_GARAGE"
    PARKING_LOT = "PARKING_LOT"
    ON_DRIVEWAY = "ON_DRIVEWAY"
    ON_STREET = "ON_STREET"
    UNDERGROUND_GARAGE = "UNDERGROUND_GARAGE"


class Status(StrEnum):
    """OCPI 2.2.1 mod_locations §8.4.22 Status (of an EVSE)."""

    AVAILABLE = "AVAILABLE"
    BLOCKED = "BLOCKED"
    CHARGING = "CHARGING"
    INOPERATIVE = "INOPERATIVE"
    OUTOFORDER = "OUTOFORDER"
    PLANNED = "PLANNED"
    REMOVED = "REMOVED"
    RESERVED = "RESERVED"
    UNKNOWN = "UNKNOWN"


# --- MOBI.E's value sets (profile §6): what an imported Location may hold -----------------------------
# OCPI allows more; the station registry refuses a file with anything outside these (locations.registry).
MOBIE_COUNTRY_CODE = "PT"
MOBIE_COUNTRY = "PRT"
MOBIE_TIME_ZONES = frozenset({"Europe/Lisbon", "Atlantic/Azores", "Atlantic/Madeira"})
MOBIE_PARKING_TYPES = frozenset(ParkingType)  # all six of OCPI 2.2.1 are in the profile's list
MOBIE_CAPABILITIES = frozenset({Capability.REMOTE_START_STOP_CAPABLE, Capability.RFID_READER})
MOBIE_CONNECTOR_STANDARDS = frozenset(
    {ConnectorType.CHADEMO, ConnectorType.IEC_62196_T2, ConnectorType.IEC_62196_T2_COMBO}
)
MOBIE_CONNECTOR_FORMATS = frozenset(ConnectorFormat)
MOBIE_POWER_TYPES = frozenset({PowerType.AC_1_PHASE, PowerType.AC_3_PHASE, PowerType.DC})
# The EVSE statuses of the profile's table (MOBI.E's internal names ToInstall … EndOfLife): no BLOCKED.
MOBIE_EVSE_STATUSES = frozenset(Status) - {Status.BLOCKED}
