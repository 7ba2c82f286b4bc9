"""Reading IAM out of a synthesized template: the statements of a role's policies, their actions."""

from __future__ import annotations


def role_statements(synth, role_logical_id: str) -> list[dict]:
    """Every statement of every ``AWS::IAM::Policy`` attached to the role."""
    return [
        statement
        for policy in synth.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_logical_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def actions(statement: dict) -> set[str]:
    granted = statement["Action"]
    return set(granted if isinstance(granted, list) else [granted])
