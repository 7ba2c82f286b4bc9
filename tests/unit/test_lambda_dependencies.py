"""The Lambda code runs without what the dependency layer leaves out (infra/layer_build.py
LEFT_OUT_OF_DEPENDENCIES: pydantic.v1) and without pydantic-settings, which is not in it: every
handler imports, and every model of the hub builds its validator, in a fresh interpreter where
importing them fails."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from infra.constants import FUNCTIONS_DIR, SHARED_LAYER_SOURCE
from infra.layer_build import LEFT_OUT_OF_DEPENDENCIES

ABSENT = [path.replace("/", ".") for path in LEFT_OUT_OF_DEPENDENCIES] + ["pydantic_settings"]

PROBE = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    for name in {absent!r}:
        sys.modules[name] = None  # `import name` raises ImportError, as on Lambda
    import pydantic
    import mobie_hub
    handlers = {handlers!r}
    for handler in handlers:  # each OCPI handler builds its FastAPI app at import
        sys.path.insert(0, str(handler))
        importlib.import_module("handler")
        del sys.modules["handler"]
        sys.path.pop(0)
    skipped = ("mobie_hub.local", "mobie_hub.simulator", "mobie_hub.cli", "mobie_hub.wiring.local")
    for module in pkgutil.walk_packages(mobie_hub.__path__, "mobie_hub."):
        if not module.name.startswith(skipped):
            importlib.import_module(module.name)
    models = set()
    pending = [pydantic.BaseModel]
    while pending:
        for sub in pending.pop().__subclasses__():
            if sub.__module__.startswith("mobie_hub.") and sub not in models:
                models.add(sub)
                pending.append(sub)
            elif sub.__module__.startswith("pydantic"):
                pending.append(sub)
    for model in sorted(models, key=lambda m: (m.__module__, m.__qualname__)):
        if not model.__pydantic_generic_metadata__["parameters"]:  # a generic is built when parametrised
            model.model_rebuild(force=True)
    print(len(handlers), len(models))
    """
)


def test_every_handler_and_model_builds_without_what_the_layer_leaves_out():
    handlers = sorted(str(path.parent) for path in FUNCTIONS_DIR.glob("*/handler.py"))
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(absent=ABSENT, handlers=handlers)],
        check=False, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(SHARED_LAYER_SOURCE), "AWS_DEFAULT_REGION": "eu-west-1",
             "POWERTOOLS_SERVICE_NAME": "test"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    built_handlers, built_models = map(int, result.stdout.split()[-2:])
    assert built_handlers == len(handlers) and built_models > 50
