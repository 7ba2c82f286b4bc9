"""Where the official OCPI 2.2 and 2.2.1 example objects are: ``tests/data/ocpi-examples`` (verbatim
copies from the ``ocpi/ocpi`` repository, its licence and provenance in that folder's README), kept in
this repository so a clone anywhere runs the conformance, pricing and token tests against them."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "ocpi-examples"
