"""The sandbox's timeline: one readable line (or JSON object) per event, and waiting for a step."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, datetime

import pytest

from mobie_hub.simulator.timeline import Event, StepTimeout, Timeline

AT = datetime(2026, 12, 3, 14, 43, 55, 529000, tzinfo=UTC)


def test_an_event_reads_as_time_who_to_whom_what_and_its_figures():
    event = Event(
        "hub",
        "EMSP PT/SIM",
        "cdr",
        "POST CDR C1",
        {"kwh": 0.0154, "cost_incl_vat": 0.6, "lines": ["EGME 0.17", "IEC 0"], "gone": None},
        "C1",
        AT,
    )

    line = event.line()

    assert line.startswith("14:43:55.529  ")
    assert "hub -> EMSP PT/SIM" in line
    assert line.endswith("POST CDR C1  0.015 kWh  EUR 0.60 incl. VAT  lines: EGME 0.17, IEC 0")
    assert "gone" not in line


def test_an_event_without_a_target_has_no_arrow_and_its_json_keeps_the_ref_and_figures():
    event = Event("demo", "", "failed", "FAILED at step 2/16", {"reason": "2001", "none": None}, None, AT)

    assert "->" not in event.line()
    assert event.as_json() == {
        "at": "2026-12-03T14:43:55.529Z",
        "source": "demo",
        "target": "",
        "kind": "failed",
        "what": "FAILED at step 2/16",
        "reason": "2001",
    }
    assert Event("hub", "x", "session", "PUT", {}, "S1", AT).as_json()["ref"] == "S1"


def test_emit_prints_one_line_or_one_json_object_per_event():
    text, as_json = io.StringIO(), io.StringIO()

    Timeline(text).say("hub", "EMSP PT/SIM", "session", "PUT Session S1", ref="S1", status="ACTIVE")
    Timeline(as_json, as_json=True).say("hub", "EMSP PT/SIM", "session", "PUT Session S1", ref="S1", kwh=1.5)

    assert text.getvalue().count("\n") == 1 and "status ACTIVE" in text.getvalue()
    assert json.loads(as_json.getvalue()) | {"at": None} == {
        "at": None,
        "source": "hub",
        "target": "EMSP PT/SIM",
        "kind": "session",
        "what": "PUT Session S1",
        "ref": "S1",
        "kwh": 1.5,
    }


def test_wait_for_finds_an_earlier_event_or_one_emitted_later_and_times_out_naming_the_step():
    timeline = Timeline(io.StringIO())
    timeline.say("a", "b", "early", "first")

    async def scenario():
        early = await timeline.wait_for("early step", lambda e: e.kind == "early", 0.1)
        asyncio.get_running_loop().call_later(0.05, timeline.say, "a", "b", "late", "second")
        late = await timeline.wait_for("late step", lambda e: e.kind == "late", 5)
        with pytest.raises(StepTimeout) as never:
            await timeline.wait_for("never step", lambda e: e.kind == "never", 0.05)
        skipped = timeline.find(lambda e: e.kind == "early", since=1)
        return early, late, never.value, skipped

    early, late, never, skipped = asyncio.run(scenario())

    assert (early.what, late.what) == ("first", "second")
    assert never.step == "never step" and "within 0.05 s" in str(never)
    assert skipped is None
