"""Each function's memory: the functions that mostly wait on an EMSP's answer (the pushes) at their
own smaller size, every other one (the station path included) at the default."""

from __future__ import annotations

from infra.constants import MEMORY_MB, MEMORY_MB_BY_SERVICE, SERVICE_PREFIX


def test_the_push_functions_run_at_their_own_memory_and_the_others_at_the_default(prod):
    memory = {
        properties["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"].removeprefix(f"{SERVICE_PREFIX}-"):
        properties["MemorySize"]
        for resource in prod.resources.values() if resource["Type"] == "AWS::Lambda::Function"
        for properties in [resource["Properties"]]
        if "POWERTOOLS_SERVICE_NAME" in properties.get("Environment", {}).get("Variables", {})
    }
    assert {service: memory[service] for service in MEMORY_MB_BY_SERVICE} == {"owner-push": 256, "push": 256}
    others = {service: size for service, size in memory.items() if service not in MEMORY_MB_BY_SERVICE}
    assert "ocpp-message" in others and set(others.values()) == {MEMORY_MB}
