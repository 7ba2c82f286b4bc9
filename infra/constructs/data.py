"""DynamoDB: one table per ``TableSpec`` in ``mobie_hub.core.tables.ALL_TABLES``.

The specs are the single source for keys, indexes, streams and TTL: the local hub and the moto tests
create their tables from the same objects, so the deployed tables cannot drift from the code.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from mobie_hub.core.tables import ALL_TABLES, TableSpec

_STRING = dynamodb.AttributeType.STRING


class Data(Construct):
    """The hub's tables, by table key (``tables["parties"]``).

    ``retain``: deletion protection on and RETAIN on stack removal (production); off for dev stacks.
    """

    def __init__(self, scope: Construct, construct_id: str, *, retain: bool = True) -> None:
        super().__init__(scope, construct_id)
        self.tables: dict[str, dynamodb.Table] = {spec.key: self._table(spec, retain) for spec in ALL_TABLES}

    def _table(self, spec: TableSpec, retain: bool) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            spec.key.capitalize(),
            partition_key=dynamodb.Attribute(name=spec.partition_key, type=_STRING),
            sort_key=dynamodb.Attribute(name=spec.sort_key, type=_STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES if spec.stream else None,
            time_to_live_attribute=spec.ttl_attribute,
            deletion_protection=retain,
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
        )
        for index in spec.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=dynamodb.Attribute(name=index.partition_key, type=_STRING),
                sort_key=dynamodb.Attribute(name=index.sort_key, type=_STRING),
                projection_type=dynamodb.ProjectionType[index.projection],
            )
        return table
