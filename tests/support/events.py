"""The one loader of sample Lambda events (events/<source>/<case>.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parents[2] / "events"


def load_event(relative: str, **values: str) -> dict[str, Any]:
    """Load an event, replacing ``{name}`` placeholders in its text with ``values``."""
    text = (EVENTS / relative).read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return json.loads(text)
