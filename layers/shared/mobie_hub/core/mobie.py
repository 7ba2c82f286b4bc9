"""MOBI.E's additions to OCPI 2.2 (profile §6, §8; seed Tables 10-11): fields prefixed ``mobie_``.

``mobie_voltage_level`` rides on Location and CdrLocation; ``mobie_cdr_extension`` on the CDR carries
the Portuguese billing items OCPI cannot express. Its structure is this hub's design (the seed only
names the field); docs/mobie-extensions.md documents it with an example that the tests validate.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from mobie_hub.core.models import OcpiModel
from mobie_hub.core.types import Number, OcpiDateTime


class VoltageLevel(StrEnum):
    """``mobie_voltage_level``: the grid connection of the charging station (profile §6)."""

    BTN = "BTN"  # Baixa Tensão Normal: low voltage, contracted power up to 41.4 kVA
    BTE = "BTE"  # Baixa Tensão Especial: low voltage, above 41.4 kVA
    MT = "MT"  # Média Tensão: medium voltage


class MobieCdrStatus(StrEnum):
    """The CDR ``status`` MOBI.E lists (seed Table 10); OCPI CDRs have no status of their own."""

    COMPLETED = "COMPLETED"


class BillingItem(StrEnum):
    """What a ``mobie_cdr_extension`` line bills, and who it is owed to."""

    OPC_ACTIVATION = "OPC_ACTIVATION"  # charging-point operator (OPC): fee per charge
    OPC_ENERGY = "OPC_ENERGY"  # OPC: price per kWh
    OPC_TIME = "OPC_TIME"  # OPC: price per minute
    OPC_PARKING = "OPC_PARKING"  # OPC: price per minute connected but not charging (PARKING_TIME)
    OPC_ADJUSTMENT = "OPC_ADJUSTMENT"  # OPC: its tariff's min_price/max_price, and the cent its lines round away
    EGME = "EGME"  # MOBI.E as network manager (Entidade Gestora da Mobilidade Elétrica): fee per charge
    TAR = "TAR"  # grid access tariffs (Tarifas de Acesso às Redes, ERSE): per kWh, by voltage level
    IEC = "IEC"  # Imposto Especial sobre o Consumo de eletricidade: excise duty per kWh


class BillingUnit(StrEnum):
    """The unit a line's ``quantity`` is counted in and its ``unit_price`` is quoted per."""

    SESSION = "SESSION"
    KWH = "KWH"
    MINUTE = "MINUTE"


UNIT_OF_ITEM = {
    BillingItem.OPC_ACTIVATION: BillingUnit.SESSION,
    BillingItem.OPC_ENERGY: BillingUnit.KWH,
    BillingItem.OPC_TIME: BillingUnit.MINUTE,
    BillingItem.OPC_PARKING: BillingUnit.MINUTE,
    BillingItem.OPC_ADJUSTMENT: BillingUnit.SESSION,
    BillingItem.EGME: BillingUnit.SESSION,
    BillingItem.TAR: BillingUnit.KWH,
    BillingItem.IEC: BillingUnit.KWH,
}


class TimePeriod(StrEnum):
    """ERSE tariff-cycle period that energy fell in (TAR and time-of-day OPC prices depend on it)."""

    PEAK = "PEAK"  # ponta
    MID_PEAK = "MID_PEAK"  # cheias
    OFF_PEAK = "OFF_PEAK"  # vazio normal
    SUPER_OFF_PEAK = "SUPER_OFF_PEAK"  # super vazio
    OUTSIDE_OFF_PEAK = "OUTSIDE_OFF_PEAK"  # fora de vazio (two-period cycle)
    ALL_DAY = "ALL_DAY"  # simple cycle, one period


class BillingLine(OcpiModel):
    """One billed item: ``quantity`` × ``unit_price`` = ``amount_excl_vat`` (rounding is the issuer's).

    Amounts are in the CDR's currency; a Credit CDR carries the same lines with negative amounts.
    """

    type: BillingItem
    unit: BillingUnit
    unit_price: Number
    quantity: Number
    amount_excl_vat: Number
    time_period: TimePeriod | None = None

    @model_validator(mode="after")
    def _unit_fits_item(self) -> BillingLine:
        if self.unit is not UNIT_OF_ITEM[self.type]:
            raise ValueError(f"{self.type} is billed per {UNIT_OF_ITEM[self.type]}, not per {self.unit}")
        return self


class SubUsage(OcpiModel):
    """A slice of the session within one tariff-cycle period, with the energy charged in it."""

    start_date_time: OcpiDateTime
    end_date_time: OcpiDateTime
    time_period: TimePeriod
    energy: Annotated[Number, Field(ge=0)]


class Vat(OcpiModel):
    """VAT (IVA) on the lines' total, ``rate`` in percent (e.g. 23 on the mainland, 16 in the Azores)."""

    rate: Annotated[Number, Field(ge=0, le=100)]
    amount: Number


class MobieCdrExtension(OcpiModel):
    """``mobie_cdr_extension``: the billing items OCPI does not cover (profile §8, seed Table 10).

    Totals are exact sums, so an EMSP can rely on them: ``total_excl_vat`` is the sum of the lines,
    ``total_incl_vat`` is ``total_excl_vat`` plus ``vat.amount``.
    """

    lines: Annotated[list[BillingLine], Field(min_length=1)]
    sub_usages: list[SubUsage] | None = None
    total_excl_vat: Number
    vat: Vat
    total_incl_vat: Number

    @model_validator(mode="after")
    def _totals_add_up(self) -> MobieCdrExtension:
        lines_total = sum((line.amount_excl_vat for line in self.lines), start=Decimal(0))
        if lines_total != self.total_excl_vat:
            raise ValueError(
                f"total_excl_vat {self.total_excl_vat} is not the sum of the lines ({lines_total})"
            )
        if self.total_excl_vat + self.vat.amount != self.total_incl_vat:
            raise ValueError("total_incl_vat must equal total_excl_vat + vat.amount")
        return self
