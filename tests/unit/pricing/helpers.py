"""Builders for the pricing tests: OCPI example tariffs, tariffs from a few elements, charging periods
the way the sessions side produces them, and a priced session in one call."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from mobie_hub.core.models import ChargingPeriod
from mobie_hub.pricing import PricedSession, price_session
from mobie_hub.tariffs.models import Tariff
from tests.support.ocpi_examples import EXAMPLES
from tests.unit.conformance.errata import ERRATA

LISBON = "Europe/Lisbon"


def example_tariff(version: str, name: str) -> Tariff:
    """An OCPI release example, corrected as tests/unit/conformance/errata.py documents where it is wrong."""
    document = json.loads((EXAMPLES / version / name).read_text(encoding="utf-8"))
    erratum = ERRATA.get((version, name))
    if erratum is not None:
        erratum.fix(document)
    return Tariff.model_validate(document)


def tariff(*elements: dict[str, Any], **fields: Any) -> Tariff:
    """A tariff of the given elements: ``{"price_components": [...], "restrictions": {...}}``."""
    return Tariff.model_validate(
        {"country_code": "PT", "party_id": "MOB", "id": "T1", "currency": "EUR", "elements": list(elements),
         "last_updated": "2026-01-01T00:00:00Z", **fields}
    )


def component(kind: str, price: float | str, step_size: int = 1, vat: float | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"type": kind, "price": price, "step_size": step_size}
    if vat is not None:
        result["vat"] = vat
    return result


def element(*components: dict[str, Any], **restrictions: Any) -> dict[str, Any]:
    return {"price_components": list(components), **({"restrictions": restrictions} if restrictions else {})}


MONDAY = "2026-01-05"  # in January Lisbon is on UTC, so these instants read as local times


def at(text: str) -> datetime:
    """A UTC instant, "2026-01-10 13:30", or "16:55" for that time on ``MONDAY``."""
    return datetime.fromisoformat(text if " " in text else f"{MONDAY} {text}").replace(tzinfo=UTC)


def charging(start: datetime, kwh: float | str = 0, minutes: float = 0, **readings: float) -> dict[str, Any]:
    return {"start": start, "kind": "TIME", "kwh": kwh, "minutes": minutes, "readings": readings}


def parking(start: datetime, minutes: float = 0) -> dict[str, Any]:
    return {"start": start, "kind": "PARKING_TIME", "kwh": 0, "minutes": minutes, "readings": {}}


def periods_of(*stretches: dict[str, Any]) -> tuple[list[ChargingPeriod], datetime]:
    """Consecutive stretches → (charging periods, the session end): each lasts ``minutes``."""
    result, clock = [], stretches[0]["start"]
    for stretch in stretches:
        hours = Decimal(str(stretch["minutes"])) / 60
        dimensions = [
            {"type": "ENERGY", "volume": str(stretch["kwh"])},
            {"type": stretch["kind"], "volume": str(hours.quantize(Decimal("0.000001")))},
            *({"type": kind, "volume": value} for kind, value in stretch["readings"].items()),
        ]
        result.append(ChargingPeriod.model_validate({"start_date_time": clock, "dimensions": dimensions}))
        clock += timedelta(minutes=stretch["minutes"])
    return result, clock


def price(tariff_: Tariff, *stretches: dict[str, Any], time_zone: str = LISBON) -> PricedSession:
    """The session made of ``stretches`` (starting at the first one's start), priced."""
    periods, end = periods_of(*stretches)
    return price_session(tariff_, periods, start=stretches[0]["start"], end=end, time_zone=time_zone)


def costs(priced: PricedSession) -> tuple[Decimal, Decimal | None]:
    return priced.total_cost.excl_vat, priced.total_cost.incl_vat


def d(value: str) -> Decimal:
    return Decimal(value)
