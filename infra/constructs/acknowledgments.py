"""cdk-nag acknowledgments that several of the event pipeline's constructs share."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Stack
from aws_cdk import aws_lambda as lambda_


def invoke_acknowledgment(function: lambda_.Function) -> Acknowledgment:
    """The IAM5 finding of ``grant_invoke``: the function's ARN + ``:*`` (its versions and aliases)."""
    logical_id = Stack.of(function).resolve(function.node.default_child.logical_id)
    return Acknowledgment(
        id=f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>:*]",
        reason="grant_invoke allows the function's versions and aliases (ARN + ':*') beside the function "
        "itself; it is still this one function.",
    )
