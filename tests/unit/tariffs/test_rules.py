"""Profile §9 rules for a tariff (tariffs.rules), shared by the import and the receiver, and the
hub's version stamps (tariffs.repository.stamp_after)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mobie_hub.core.errors import InvalidRequest
from mobie_hub.core.keys import sortable_time
from mobie_hub.tariffs.models import Tariff
from mobie_hub.tariffs.repository import StoredTariff, same_content, stamp_after
from mobie_hub.tariffs.rules import check_addressed, check_tariff, tariff_problems
from tests.support.stations import T0, tariff


def parsed(**changes) -> Tariff:
    return Tariff.model_validate({**tariff("GLP-AC", party_id="GLP"), **changes})


def test_a_valid_tariff_has_no_problems():
    assert tariff_problems(parsed()) == []
    check_tariff(parsed())


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"country_code": "ES"}, ("country_code", "must be PT")),
        ({"currency": "USD"}, ("currency", "must be EUR")),
        ({"type": "PROFILE_FAST"}, ("type", "must be REGULAR or AD_HOC_PAYMENT")),
        ({"type": "AD_HOC_PAYMENT"}, ("mobie_default_emsp", "an AD_HOC_PAYMENT tariff must name its default EMSP")),
        ({"mobie_default_emsp": {"country_code": "PT", "party_id": "EDP"}},
         ("mobie_default_emsp", "only an AD_HOC_PAYMENT tariff names a default EMSP")),
        ({"type": "AD_HOC_PAYMENT", "mobie_default_emsp": {"country_code": "ES", "party_id": "ZZZ"}},
         ("mobie_default_emsp.country_code", "must be PT")),
        ({"elements": [{"price_components": [{"type": "ENERGY", "price": 0.3, "step_size": 1}],
                        "restrictions": {"min_power": 11, "day_of_week": ["MONDAY"]}}]},
         ("elements.0.restrictions", "not used by MOBI.E: min_power")),
    ],
)
def test_each_rule_names_its_field(changes, expected):
    assert expected in tariff_problems(parsed(**changes))
    with pytest.raises(InvalidRequest, match=expected[0]):
        check_tariff(parsed(**changes))


def test_an_ad_hoc_tariff_naming_an_issued_emsp_is_valid():
    assert tariff_problems(parsed(type="AD_HOC_PAYMENT", mobie_default_emsp={"country_code": "PT", "party_id": "EDP"})) == []


def test_every_problem_is_reported_at_once():
    fields = [f for f, _ in tariff_problems(parsed(currency="USD", type="PROFILE_FAST"))]
    assert fields == ["currency", "type"]


@pytest.mark.parametrize(("field", "url"), [("country_code", ("ES", "GLP", "GLP-AC")), ("party_id", ("PT", "KLC", "GLP-AC")),
                                            ("id", ("PT", "GLP", "GLP-DC"))])
def test_the_tariff_must_be_the_one_the_url_names(field, url):
    with pytest.raises(InvalidRequest, match=f"^{field}: "):
        check_addressed(parsed(), country_code=url[0], party_id=url[1], tariff_id=url[2])
    check_addressed(parsed(), country_code="pt", party_id="glp", tariff_id="glp-ac")  # CiStrings


def stored(at) -> StoredTariff:
    return StoredTariff(parsed(last_updated=at.isoformat()), sortable_time(at), True)


def test_a_version_is_stamped_now_and_always_after_the_one_before():
    assert stamp_after(None, T0) == T0
    assert stamp_after(stored(T0), T0 + timedelta(seconds=1)) == T0 + timedelta(seconds=1)
    assert stamp_after(stored(T0), T0) == T0 + timedelta(milliseconds=1)  # same millisecond
    assert stamp_after(stored(T0 + timedelta(minutes=5)), T0) == T0 + timedelta(minutes=5, milliseconds=1)  # clock behind
    assert stamp_after(None, T0 + timedelta(microseconds=1500)) == T0 + timedelta(milliseconds=1)  # to the millisecond
    deleted = StoredTariff(None, sortable_time(T0 + timedelta(hours=1)), True)
    assert stamp_after(deleted, T0) == T0 + timedelta(hours=1, milliseconds=1)  # a deletion's stamp counts too


def test_content_ignores_last_updated_only():
    assert same_content(parsed(), parsed(last_updated="2030-01-01T00:00:00Z"))
    assert not same_content(parsed(), parsed(currency="USD"))
