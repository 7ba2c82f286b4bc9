"""MOBI.E's rules for a Tariff (profile §9), whoever brings it: the operator's import (the station
registry, ``locations.registry``) and a CPO at the tariffs receiver (``tariffs.receiver``).

Pure logic: every problem of one tariff as ``(field, problem)``, the field named as in the object.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mobie_hub.core import ownership
from mobie_hub.core.errors import InvalidRequest
from mobie_hub.core.identifiers import UnknownParty, mobie_code_for
from mobie_hub.tariffs.models import Tariff, TariffDimensionType, TariffType

# Profile §9: tariffs are Portuguese CPOs' (the country of every MOBI.E party, profile §12).
COUNTRY_CODE = "PT"
CURRENCY = "EUR"
# Profile §9: the restrictions MOBI.E uses; anything else in a tariff is refused.
ALLOWED_RESTRICTIONS = frozenset(
    {"start_time", "end_time", "start_date", "end_date", "min_kwh", "max_kwh", "min_duration", "max_duration",
     "day_of_week"}
)
# Profile §9: the TariffDimensionType values MOBI.E uses (today all of OCPI 2.2.1's; kept explicit).
MOBIE_DIMENSIONS = frozenset(
    {TariffDimensionType.ENERGY, TariffDimensionType.FLAT, TariffDimensionType.PARKING_TIME, TariffDimensionType.TIME}
)

Problem = tuple[str, str]  # (field, what is wrong with it)


def _outside(values: Iterable[Any], allowed: frozenset[Any]) -> str:
    return ", ".join(sorted({str(v) for v in values if v not in allowed}))


def _default_emsp_problems(tariff: Tariff) -> list[Problem]:
    """Profile §9: an AD_HOC_PAYMENT tariff names the EMSP that bills its ad-hoc charges; no other does."""
    if tariff.type is not TariffType.AD_HOC_PAYMENT:
        if tariff.mobie_default_emsp is not None:
            return [("mobie_default_emsp", "only an AD_HOC_PAYMENT tariff names a default EMSP")]
        return []
    emsp = tariff.mobie_default_emsp
    if emsp is None:
        return [("mobie_default_emsp", "an AD_HOC_PAYMENT tariff must name its default EMSP")]
    found = []
    if emsp.country_code != COUNTRY_CODE:
        found.append(("mobie_default_emsp.country_code", f"must be {COUNTRY_CODE}"))
    try:
        mobie_code_for(emsp.party_id)
    except UnknownParty:
        found.append(("mobie_default_emsp.party_id", f"{emsp.party_id} is no party MOBI.E issued"))
    return found


def tariff_problems(tariff: Tariff) -> list[Problem]:
    """Profile §9: PT, EUR, REGULAR or AD_HOC_PAYMENT (the latter naming its default EMSP), the four
    dimensions and only the restrictions MOBI.E uses. Empty when the tariff meets them all."""
    found: list[Problem] = []
    if tariff.country_code != COUNTRY_CODE:
        found.append(("country_code", f"must be {COUNTRY_CODE}"))
    if tariff.currency != CURRENCY:
        found.append(("currency", f"must be {CURRENCY}"))
    if tariff.type not in (None, TariffType.REGULAR, TariffType.AD_HOC_PAYMENT):
        found.append(("type", "must be REGULAR or AD_HOC_PAYMENT"))
    found.extend(_default_emsp_problems(tariff))
    for index, element in enumerate(tariff.elements):
        at = f"elements.{index}"
        if bad := _outside((c.type for c in element.price_components), MOBIE_DIMENSIONS):
            found.append((f"{at}.price_components", f"dimension not used by MOBI.E: {bad}"))
        used = set(element.restrictions.model_dump(exclude_none=True)) if element.restrictions else set()
        if used - ALLOWED_RESTRICTIONS:
            found.append((f"{at}.restrictions", "not used by MOBI.E: " + ", ".join(sorted(used - ALLOWED_RESTRICTIONS))))
    return found


def check_tariff(tariff: Tariff) -> None:
    """``InvalidRequest`` (OCPI 2001) naming every field that breaks profile §9; nothing when none does."""
    if found := tariff_problems(tariff):
        raise InvalidRequest("; ".join(f"{field}: {problem}" for field, problem in found))


def check_addressed(tariff: Tariff, *, country_code: str, party_id: str, tariff_id: str) -> None:
    """The pushed Tariff is the one the URL names (mod_tariffs §11.2.2 PUT: country_code and party_id
    SHALL be the URL's; transport_and_format "Errors": a different id is 2001)."""
    ownership.check_addressed((
        ("country_code", tariff.country_code, country_code),
        ("party_id", tariff.party_id, party_id),
        ("id", tariff.id, tariff_id),
    ))
