"""Known defects of the OCPI release examples, each checked against the spec text of its release.

The 2.2 tag still carries several 2.1.1-era examples (OCPI 2.2 changelog §17.3 renamed the fields
they use); both tags have a PUT example that omits required fields. Every entry says why the example
is wrong, where the models must reject it (the error locations) and how it is corrected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Erratum:
    why: str
    rejected_at: frozenset[str]
    fix: Callable[[Any], None]


def _rename(obj: dict[str, Any], old: str, new: str) -> None:
    obj[new] = obj.pop(old)


def _connectors_2_1_1_to_2_2(location: dict[str, Any]) -> None:
    # 2.2 renamed Connector voltage/amperage to max_voltage/max_amperage and tariff_id to tariff_ids.
    for evse in location["evses"]:
        for connector in evse["connectors"]:
            _rename(connector, "voltage", "max_voltage")
            _rename(connector, "amperage", "max_amperage")
            if "tariff_id" in connector:
                connector["tariff_ids"] = [connector.pop("tariff_id")]


def _connectors_and_restrictions_as_lists(location: dict[str, Any]) -> None:
    _connectors_2_1_1_to_2_2(location)
    for evse in location["evses"]:
        evse["parking_restrictions"] = [evse["parking_restrictions"]]


def _connectors_and_valid_timestamps(location: dict[str, Any]) -> None:
    _connectors_2_1_1_to_2_2(location)
    timestamp = "2019-04-05T17:17:56Z"  # was 17:17:66 (66 seconds); 2.2.1 corrected it to this
    location["last_updated"] = location["evses"][0]["last_updated"] = timestamp
    location["evses"][0]["connectors"][0]["last_updated"] = timestamp


def _complete_added_evse(evse: dict[str, Any]) -> None:
    # EVSE has floor_level (string), not floor; physical_reference is string(16); a Connector needs
    # power_type, max_voltage, max_amperage and last_updated (mod_locations §8.3.2-§8.3.3).
    evse["floor_level"] = str(evse.pop("floor"))
    evse["physical_reference"] = str(evse["physical_reference"])
    connector = evse["connectors"][0]
    if "tariff_id" in connector:
        connector["tariff_ids"] = [connector.pop("tariff_id")]
    connector.update(
        power_type="AC_3_PHASE", max_voltage=230, max_amperage=16, last_updated=evse["last_updated"]
    )


def _cdr_location_2_2_names(cdr: dict[str, Any]) -> None:
    location = cdr["cdr_location"]
    for field in (
        "evse_uid",
        "connector_id",
        "connector_standard",
        "connector_format",
        "connector_power_type",
    ):
        plural = field.replace("evse_", "evses_").replace("connector_", "connectors_")
        _rename(location, plural, field)
    cdr["tariffs"][0].update(country_code=cdr["country_code"], party_id=cdr["party_id"])


def _session_cdr_token(session: dict[str, Any]) -> None:
    # 2.2 replaced 2.1.1's token fields with a CdrToken (mod_sessions §9.3.1); the contract id is made up.
    session["cdr_token"] = {
        "uid": session.pop("token_uid"),
        "type": session.pop("token_type"),
        "contract_id": "BE-BEC-C12345678-X",
    }


def _impacts_category(mix: dict[str, Any]) -> None:
    for impact in mix["environ_impact"]:
        _rename(impact, "source", "category")


def _step_size_1(tariff: dict[str, Any]) -> None:
    for element in tariff["elements"]:
        for component in element["price_components"]:
            component["step_size"] = 1


def _last_updated(obj: dict[str, Any]) -> None:
    obj["last_updated"] = "2018-12-29T15:55:58Z"


def _token_owner(token: dict[str, Any]) -> None:
    token.update(country_code="DE", party_id="TNM")


def _tokens_owner(tokens: list[dict[str, Any]]) -> None:
    for token in tokens:
        _token_owner(token)


def _endpoint_roles(details: dict[str, Any]) -> None:
    for endpoint in details["endpoints"]:
        endpoint["role"] = "SENDER"


def _at(*locations: str) -> frozenset[str]:
    return frozenset(locations)


def _connectors_missing(*prefixes: str) -> frozenset[str]:
    return frozenset(f"{prefix}.{field}" for prefix in prefixes for field in ("max_voltage", "max_amperage"))


_ADDED_EVSE = Erratum(
    "Connector lacks required power_type, max_voltage, max_amperage, last_updated; "
    "physical_reference is a number, 'floor' is no EVSE field",
    _at(
        "connectors.0.power_type",
        "connectors.0.max_voltage",
        "connectors.0.max_amperage",
        "connectors.0.last_updated",
        "physical_reference",
    ),
    _complete_added_evse,
)
_PUT_TARIFF = Erratum("Tariff lacks the required last_updated", _at("last_updated"), _last_updated)
_TARIFF_STEP_SIZE = Erratum(
    "PriceComponent lacks the required step_size",
    _at(*(f"elements.{index}.price_components.0.step_size" for index in range(3))),
    _step_size_1,
)
_CONNECTOR_NAMES = "Connector uses 2.1.1's voltage/amperage (2.2: max_voltage/max_amperage)"
_SESSION = Erratum(
    "Session uses 2.1.1's token_uid/token_type, 2.2 has cdr_token", _at("cdr_token"), _session_cdr_token
)

ERRATA: dict[tuple[str, str], Erratum] = {
    ("2.2", "cdr_example.json"): Erratum(
        "CdrLocation uses evses_uid/connectors_*; the Tariff lacks country_code/party_id",
        _at(
            "cdr_location.evse_uid",
            "cdr_location.connector_id",
            "tariffs.0.country_code",
            "tariffs.0.party_id",
        ),
        _cdr_location_2_2_names,
    ),
    ("2.2", "location_energymix_example_complete.json"): Erratum(
        "EnvironmentalImpact uses 2.1.1's source, 2.2 renamed it category",
        _at("environ_impact.0.category", "environ_impact.1.category"),
        _impacts_category,
    ),
    ("2.2", "location_example.json"): Erratum(
        _CONNECTOR_NAMES + " and tariff_id (2.2: tariff_ids)",
        _connectors_missing("evses.0.connectors.0", "evses.0.connectors.1", "evses.1.connectors.0"),
        _connectors_2_1_1_to_2_2,
    ),
    ("2.2", "location_example_parking_garage_opening_hours.json"): Erratum(
        _CONNECTOR_NAMES, _connectors_missing("evses.0.connectors.0"), _connectors_2_1_1_to_2_2
    ),
    ("2.2", "location_example_uc2_destination_charger.json"): Erratum(
        _CONNECTOR_NAMES + "; parking_restrictions is a list",
        _connectors_missing("evses.0.connectors.0") | {"evses.0.parking_restrictions"},
        _connectors_and_restrictions_as_lists,
    ),
    ("2.2", "location_example_uc3_destination_charger_not_published.json"): Erratum(
        _CONNECTOR_NAMES + "; parking_restrictions is a list",
        _connectors_missing("evses.0.connectors.0") | {"evses.0.parking_restrictions"},
        _connectors_and_restrictions_as_lists,
    ),
    ("2.2", "location_example_uc4_limited_visibility.json"): Erratum(
        _CONNECTOR_NAMES, _connectors_missing("evses.0.connectors.0"), _connectors_2_1_1_to_2_2
    ),
    ("2.2", "location_example_uc5_home_charge_point.json"): Erratum(
        _CONNECTOR_NAMES + "; the timestamps have 66 seconds",
        _connectors_missing("evses.0.connectors.0")
        | {"evses.0.connectors.0.last_updated", "evses.0.last_updated", "last_updated"},
        _connectors_and_valid_timestamps,
    ),
    ("2.2", "location_put_example_add_evse.json"): _ADDED_EVSE,
    ("2.2.1", "location_put_example_add_evse.json"): _ADDED_EVSE,
    ("2.2", "session_example_1_simple_start.json"): _SESSION,
    ("2.2", "session_example_2_short_finished.json"): _SESSION,
    ("2.2", "tariff_11_not_possible_alt_text.json"): Erratum(
        "last_updated has month 17", _at("last_updated"), _last_updated
    ),
    ("2.2", "tariff_14_step_size.json"): Erratum(
        "end_time 24:00 does not match the HH:MM pattern (00:00 ends the day, as 2.2.1 corrected)",
        _at("elements.2.restrictions.end_time"),
        lambda tariff: tariff["elements"][2]["restrictions"].update(end_time="00:00"),
    ),
    ("2.2", "tariff_7_first_hour_kwh_free.json"): _PUT_TARIFF,
    ("2.2", "tariff_put_example.json"): _PUT_TARIFF,
    ("2.2.1", "tariff_put_example.json"): _PUT_TARIFF,
    ("2.2", "tariffrestriction_example_max_duration.json"): _TARIFF_STEP_SIZE,
    ("2.2", "tariffrestriction_example_max_power.json"): _TARIFF_STEP_SIZE,
    ("2.2", "transport_and_format_get_token_example.json"): Erratum(
        "Token lacks the required country_code/party_id", _at("country_code", "party_id"), _token_owner
    ),
    ("2.2", "transport_and_format_get_token_list_example.json"): Erratum(
        "Tokens lack the required country_code/party_id",
        _at(*(f"{index}.{field}" for index in range(3) for field in ("country_code", "party_id"))),
        _tokens_owner,
    ),
    ("2.2", "transport_and_format_version_details_example.json"): Erratum(
        "Endpoints lack the role that 2.2 made required",
        _at("endpoints.0.role", "endpoints.1.role"),
        _endpoint_roles,
    ),
}
