"""The keys of a tariff's items in the ``tariffs`` table (docs/dynamodb.md): one partition per
tariff, ``TARIFF#<cc>#<pid>#<id>``, holding the listed tariff and its versions (``tariffs.repository``)
and the connectors' references to it (``tariffs.reference_repository``)."""

from __future__ import annotations

from mobie_hub.tariffs.models import Tariff

TariffKey = tuple[str, str, str]  # (country_code, party_id, tariff id)
SK = "TARIFF"  # the listed tariff
VERSION = "VERSION#"  # + the hub's time: every accepted version
REFS = "REFS"  # the references' revision
REF = "REF#"  # + a Location id: that Location's connectors referencing the tariff


def tariff_pk(country_code: str, party_id: str, tariff_id: str) -> str:
    return f"TARIFF#{country_code.upper()}#{party_id.upper()}#{tariff_id}"


def item_key(key: TariffKey, sk: str) -> dict[str, str]:
    return {"pk": tariff_pk(*key), "sk": sk}


def key_of(tariff: Tariff) -> TariffKey:
    return (tariff.country_code, tariff.party_id, tariff.id)
