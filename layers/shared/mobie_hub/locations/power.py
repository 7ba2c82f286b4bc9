"""What a connector or an EVSE can deliver, from its Location data: the bound that meter
plausibility checks energy against (``sessions.plausibility``), stored on a transaction at its start."""

from __future__ import annotations

from mobie_hub.locations.enums import PowerType
from mobie_hub.locations.models import EVSE, Connector

# OCPI 2.2.1 mod_locations §8.3.3: max_voltage is line to neutral for AC_3_PHASE, max_amperage per phase.
_PHASES = {
    PowerType.AC_1_PHASE: 1, PowerType.AC_2_PHASE: 2, PowerType.AC_2_PHASE_SPLIT: 2,
    PowerType.AC_3_PHASE: 3, PowerType.DC: 1,
}


def connector_power_w(connector: Connector) -> int:
    """The most a connector can deliver (W): the larger of ``max_electric_power`` and voltage x
    amperage x phases. The larger, because this is a bound: a CPO that typed one of them wrong (kW
    for W, line-to-line volts) must not make every session at that connector INVALID."""
    derived = connector.max_voltage * connector.max_amperage * _PHASES.get(connector.power_type, 1)
    return max(connector.max_electric_power or 0, derived)


def evse_power_w(evse: EVSE) -> int | None:
    """The most any connector of an EVSE can deliver (one OCPP connector is one EVSE: the car may be
    on any of its connectors); None when no connector says (the energy rule is then skipped)."""
    powers = [connector_power_w(connector) for connector in evse.connectors or []]
    return max(powers) if powers and max(powers) > 0 else None
