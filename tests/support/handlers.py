"""Import a Lambda entry (functions/<name>/handler.py) as Lambda would, once per name."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from types import ModuleType

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


@cache
def lambda_module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"lambda_{name}_handler", FUNCTIONS / name / "handler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeContext:
    """The attributes of a Lambda context that Powertools reads."""

    function_name = "mobie-hub-test"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:mobie-hub-test"
    aws_request_id = "3e1b5f5c-9c3f-4b0e-a7d9-6a1f0f2b9e11"
