"""The demo's Phase 2 checks hold only for the real effect: a CDR priced with another version of the
CPO's tariff (an earlier run's, the demo data's) fails the step, naming what it found."""

from __future__ import annotations

import asyncio
import io
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from mobie_hub.simulator.cpo import SimulatedCpo
from mobie_hub.simulator.demo_cpo import activation_fee, cdr_carries_the_cpos_tariff
from mobie_hub.simulator.demo_story import DemoOptions, StepFailed, Story
from mobie_hub.simulator.emsp import SimulatedEmsp
from mobie_hub.simulator.party import PartyOptions
from mobie_hub.simulator.timeline import Timeline


class NoAdmin:
    def call(self, name, payload):  # pragma: no cover - these steps never call the admin interface
        raise AssertionError(name)


def story_with(cdr: dict) -> Story:
    timeline = Timeline(io.StringIO())
    story = Story(DemoOptions(), timeline, SimulatedEmsp(PartyOptions("SIM"), timeline, admin=NoAdmin()))
    story.cpo = SimulatedCpo(PartyOptions("GLP"), timeline, admin=NoAdmin())
    story.facts["tariff"] = story.cpo.tariff("GLP-DC-ULTRA", 0.55, 0.42)
    story.facts["cdr"] = {"id": "C1", **cdr}
    return story


def version(flat: float | None, energy: float) -> dict:
    components = [{"type": "ENERGY", "price": energy}]
    if flat is not None:
        components.insert(0, {"type": "FLAT", "price": flat})
    return {"id": "GLP-DC-ULTRA", "elements": [{"price_components": components}]}


def lines(activation: float) -> dict:
    return {
        "lines": [
            {"type": "OPC_ACTIVATION", "amount_excl_vat": activation},
            {"type": "EGME", "amount_excl_vat": 0.17},
        ]
    }


def test_a_cdr_priced_with_the_pushed_version_passes_and_says_so():
    story = story_with({"tariffs": [version(0.42, 0.55)], "mobie_cdr_extension": lines(0.42)})

    asyncio.run(cdr_carries_the_cpos_tariff(story))

    [said] = story.timeline.events
    assert (said.kind, said.figures["activation"]) == ("cdr_priced", 0.42)


@pytest.mark.parametrize(
    ("cdr", "reason"),
    [
        (
            {"tariffs": [version(None, 0.45)], "mobie_cdr_extension": lines(0.42)},
            "its tariffs are",
        ),  # the demo data's
        (
            {"tariffs": [version(0.42, 0.55)], "mobie_cdr_extension": lines(0.3)},
            "OPC_ACTIVATION",
        ),  # priced otherwise
        ({"tariffs": None, "mobie_cdr_extension": lines(0.42)}, "its tariffs are []"),
        ({"tariffs": [version(0.42, 0.55)]}, "OPC_ACTIVATION line is missing"),
    ],
)
def test_a_cdr_priced_with_another_version_fails_the_step_naming_what_it_found(cdr, reason):
    with pytest.raises(StepFailed, match="the CDR carries the CPO's tariff") as failed:
        asyncio.run(cdr_carries_the_cpos_tariff(story_with(cdr)))

    assert reason in failed.value.reason


def test_the_activation_fee_is_new_each_second_within_its_range():
    start = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    fees = [activation_fee(start + timedelta(seconds=s)) for s in range(60)]

    assert all(0.30 <= fee <= 0.79 for fee in fees)
    assert all(a != b for a, b in itertools.pairwise(fees))
