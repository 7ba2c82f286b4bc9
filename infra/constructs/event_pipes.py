"""The event pipeline's sources (docs/events.md): one EventBridge Pipe per table that produces domain events.

The source filter keeps only records a converter can turn into events
(``mobie_hub.events.stream.STREAM_FILTERS``: key prefixes; a TX item only in the write of a push
window's first reading), so METER facts and the other TX writes never cost an invocation; the
enrichment (``functions/stream_events``) turns one stream record into the versioned envelopes, which
the Pipe puts on the bus. A record whose enrichment keeps failing goes to a dead-letter queue instead
of blocking its shard.

The Pipe and its role are made in the scope of the ``Events`` construct (``infra/constructs/events.py``),
which owns the enrichment function, the bus and the dead-letter queue they use.
"""

from __future__ import annotations

import json

from aws_cdk import Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constants import STREAM_MAX_RECORD_AGE_SECONDS, STREAM_RETRY_ATTEMPTS
from infra.constructs.acknowledgments import invoke_acknowledgment
from mobie_hub.events.envelope import DETAIL_TYPE, SOURCE
from mobie_hub.events.stream import STREAM_FILTERS


def stream_filters() -> list[dict]:
    """The Pipes source filter (any pattern matches): only the records a converter can turn into
    events (``mobie_hub.events.stream.STREAM_FILTERS``: by key prefix; a TX item only when a reading
    opened a push window)."""
    return [dict(pattern) for pattern in STREAM_FILTERS]


def stream_pipe(
    scope: Construct,
    key: str,
    table: dynamodb.Table,
    *,
    enrichment: lambda_.Function,
    bus: events.EventBus,
    dead_letters: sqs.Queue,
) -> pipes.CfnPipe:
    """``key``'s table stream → ``enrichment`` → ``bus``, with a role that may do exactly that."""
    role = iam.Role(
        scope,
        f"{key.title()}PipeRole",
        assumed_by=iam.ServicePrincipal("pipes.amazonaws.com"),
        description=f"mobie-hub {key} pipe: read its table's stream, enrich, put events on the hub's bus",
    )
    role.add_to_policy(
        iam.PolicyStatement(
            actions=[
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
            ],
            resources=[table.table_stream_arn],
        )
    )
    enrichment.grant_invoke(role)
    bus.grant_put_events_to(role)
    dead_letters.grant_send_messages(role)
    Validations.of(role).acknowledge(invoke_acknowledgment(enrichment))
    return pipes.CfnPipe(
        scope,
        f"{key.title()}Pipe",
        description=f"{key} table stream → domain events → the hub's event bus",
        role_arn=role.role_arn,
        source=table.table_stream_arn,
        source_parameters=pipes.CfnPipe.PipeSourceParametersProperty(
            filter_criteria=pipes.CfnPipe.FilterCriteriaProperty(
                filters=[pipes.CfnPipe.FilterProperty(pattern=json.dumps(p)) for p in stream_filters()]
            ),
            dynamo_db_stream_parameters=pipes.CfnPipe.PipeSourceDynamoDBStreamParametersProperty(
                starting_position="LATEST",
                # One record a batch: a record yields at most 10 events (events.stream), which is
                # what one PutEvents to an event bus target takes.
                batch_size=1,
                maximum_retry_attempts=STREAM_RETRY_ATTEMPTS,
                maximum_record_age_in_seconds=STREAM_MAX_RECORD_AGE_SECONDS,
                dead_letter_config=pipes.CfnPipe.DeadLetterConfigProperty(arn=dead_letters.queue_arn),
            ),
        ),
        enrichment=enrichment.function_arn,
        target=bus.event_bus_arn,
        target_parameters=pipes.CfnPipe.PipeTargetParametersProperty(
            event_bridge_event_bus_parameters=pipes.CfnPipe.PipeTargetEventBridgeEventBusParametersProperty(
                source=SOURCE, detail_type=DETAIL_TYPE
            )
        ),
    )
