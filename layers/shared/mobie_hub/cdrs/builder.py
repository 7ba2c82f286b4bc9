"""A completed Session becomes the CDR the hub sends (profile §8; OCPI 2.2.1 mod_cdrs §10.3.1).

Pure logic: the session, its Location and its connector's Tariffs in, a ``MobieCdr`` out. The
operator's (OPC) part is priced by ``mobie_hub.pricing`` with the first tariff valid at the session
start; the regulated items (EGME, TAR, IEC, VAT) come from ``data/billing_rates.json``. Both end up
as lines of ``mobie_cdr_extension``, whose totals are the CDR's ``total_cost`` (docs/pricing.md).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from functools import cache
from importlib.resources import files

from mobie_hub.cdrs.models import MobieCdr, MobieCdrLocation
from mobie_hub.core.errors import HubError, UnknownLocation
from mobie_hub.core.identifiers import evse_id_for
from mobie_hub.core.models import AuthMethod, CdrDimension, CdrDimensionType, ChargingPeriod, Price
from mobie_hub.core.observability import logger
from mobie_hub.core.settings import HubIdentity, get_settings
from mobie_hub.locations.models import EVSE, Connector, MobieLocation
from mobie_hub.pricing import PricedSession, price_session
from mobie_hub.pricing.extension import CURRENCY, extension_for, subtotals
from mobie_hub.pricing.regulated import BillingRates
from mobie_hub.sessions.models import Session, SessionStatus
from mobie_hub.tariffs.models import PriceComponent, Tariff, TariffDimensionType, TariffElement

NO_TARIFF_REMARK = "No tariff of the connector was valid at the session start: no operator (OPC) charges."


class SessionNotBillable(HubError):
    """The session cannot become a CDR: not COMPLETED (INVALID sessions are never billed), without an
    end, or with a CdrToken that does not name its owner (2.2.1 CdrToken country_code/party_id)."""


@cache
def billing_rates() -> BillingRates:
    """The illustrative rates shipped with the hub (read once; see the file's ``note``)."""
    text = files("mobie_hub").joinpath("data", "billing_rates.json").read_text(encoding="utf-8")
    return BillingRates.model_validate(json.loads(text))


def applicable_tariff(tariffs: Sequence[Tariff], at: datetime) -> Tariff | None:
    """The first tariff in ``tariff_ids`` order valid at ``at`` and priced in euros.

    A driver accepts the tariff valid when the session starts (mod_tariffs §11.3.1 note), so a tariff
    that ends or begins during the session does not change it.
    """
    for tariff in tariffs:
        started = tariff.start_date_time is None or tariff.start_date_time <= at
        not_ended = tariff.end_date_time is None or at <= tariff.end_date_time
        if started and not_ended and tariff.currency == CURRENCY:
            return tariff
    return None


def build_cdr(
    session: Session,
    location: MobieLocation,
    tariffs: Sequence[Tariff],
    *,
    cdr_id: str,
    now: datetime,
    rates: BillingRates | None = None,
    hub: HubIdentity | None = None,
) -> MobieCdr:
    """The CDR of a COMPLETED session; raises ``SessionNotBillable`` otherwise."""
    end = _billable_end(session)
    evse, connector = _connector(location, session)
    tariff = applicable_tariff(tariffs, session.start_date_time)
    if tariff is None:
        logger.warning("CDR without tariff", session_id=session.id, tariff_ids=[t.id for t in tariffs])
    periods = session.charging_periods or [_whole_session_period(session, end)]
    priced = price_session(
        tariff or _no_charges(location),
        periods,
        start=session.start_date_time,
        end=end,
        time_zone=location.time_zone,
    )
    rates = rates or billing_rates()
    extension = extension_for(
        priced,
        opc_billed=tariff is not None,
        start=session.start_date_time,
        end=end,
        time_zone=location.time_zone,
        voltage_level=location.mobie_voltage_level,
        rates=rates,
    )
    fixed, energy, time, parking = subtotals(extension)
    hub = hub or get_settings().hub
    return MobieCdr(
        country_code=hub.country_code,
        party_id=hub.party_id,
        id=cdr_id,
        start_date_time=session.start_date_time,
        end_date_time=end,
        session_id=session.id,
        cdr_token=session.cdr_token,
        auth_method=AuthMethod.WHITELIST,
        authorization_reference=session.authorization_reference,
        cdr_location=cdr_location(location, evse, connector),
        meter_id=session.meter_id,
        currency=CURRENCY,
        tariffs=[tariff] if tariff else None,
        charging_periods=_periods(priced, tariff),
        total_cost=Price(excl_vat=extension.total_excl_vat, incl_vat=extension.total_incl_vat),
        total_fixed_cost=fixed,
        total_energy=priced.total_energy,
        total_energy_cost=energy,
        total_time=priced.total_time,
        total_time_cost=time,
        total_parking_time=priced.total_parking_time,
        total_parking_cost=parking,
        remark=None if tariff else NO_TARIFF_REMARK,
        mobie_cdr_extension=extension,
        last_updated=now,
    )


def _billable_end(session: Session) -> datetime:
    if session.status is not SessionStatus.COMPLETED:
        raise SessionNotBillable(
            f"session {session.id} is {session.status.value}: only COMPLETED sessions are billed"
        )
    if session.end_date_time is None:
        raise SessionNotBillable(f"session {session.id} has no end_date_time")
    if session.cdr_token.country_code is None or session.cdr_token.party_id is None:
        raise SessionNotBillable(f"session {session.id}: the cdr_token lacks its country_code/party_id")
    return session.end_date_time


def _connector(location: MobieLocation, session: Session) -> tuple[EVSE, Connector]:
    evse = next((e for e in location.evses or [] if e.uid == session.evse_uid), None)
    connector = next((c for c in evse.connectors if c.id == session.connector_id), None) if evse else None
    if evse is None or connector is None:
        raise UnknownLocation(
            f"location {location.id} has no EVSE {session.evse_uid} with connector {session.connector_id}"
        )
    return evse, connector


def cdr_location(location: MobieLocation, evse: EVSE, connector: Connector) -> MobieCdrLocation:
    """Profile §8: a private station (``publish`` false) shows only its ids and voltage level."""
    ids = {
        "id": location.id,
        "evse_uid": evse.uid,
        "evse_id": evse.evse_id or evse_id_for(location.party_id, evse.uid, location.country_code),
        "connector_id": connector.id,
        "mobie_voltage_level": location.mobie_voltage_level,
    }
    if not location.publish:
        return MobieCdrLocation(**ids)
    return MobieCdrLocation(
        **ids,
        name=location.name,
        address=location.address,
        city=location.city,
        postal_code=location.postal_code,
        state=location.state,
        country=location.country,
        coordinates=location.coordinates,
        connector_standard=connector.standard,
        connector_format=connector.format,
        connector_power_type=connector.power_type,
    )


def _whole_session_period(session: Session, end: datetime) -> ChargingPeriod:
    """A session that recorded no periods: one charging period holding its ``kwh``."""
    hours = Decimal((end - session.start_date_time).total_seconds()) / 3600
    return ChargingPeriod(
        start_date_time=session.start_date_time,
        dimensions=[
            CdrDimension(type=CdrDimensionType.ENERGY, volume=session.kwh),
            CdrDimension(type=CdrDimensionType.TIME, volume=hours.quantize(Decimal("0.000001"))),
        ],
    )


def _no_charges(location: MobieLocation) -> Tariff:
    """Prices nothing; only there so that the engine still cuts the periods and totals the volumes."""
    free = PriceComponent(type=TariffDimensionType.FLAT, price=Decimal(0), step_size=0)
    return Tariff(
        country_code=location.country_code,
        party_id=location.party_id,
        id="none",
        currency=CURRENCY,
        elements=[TariffElement(price_components=[free])],
        last_updated=location.last_updated,
    )


def _periods(priced: PricedSession, tariff: Tariff | None) -> list[ChargingPeriod]:
    if tariff is not None:
        return priced.charging_periods
    return [p.model_copy(update={"tariff_id": None}) for p in priced.charging_periods]
