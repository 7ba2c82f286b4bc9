"""Data construct: every TableSpec becomes exactly one table with its keys, indexes, stream and TTL."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match

from mobie_hub.core.tables import ALL_TABLES, TableSpec

pytestmark = pytest.mark.infra


def _key_schema(partition: str, sort: str) -> list[dict]:
    return [{"AttributeName": partition, "KeyType": "HASH"}, {"AttributeName": sort, "KeyType": "RANGE"}]


def test_one_table_per_spec(prod):
    # Given ALL_TABLES, When the stack is synthesized, Then there is one table each and no other
    prod.template.resource_count_is("AWS::DynamoDB::Table", len(ALL_TABLES))
    assert set(prod.stack.data.tables) == {spec.key for spec in ALL_TABLES}


@pytest.mark.parametrize("spec", ALL_TABLES, ids=lambda spec: spec.key)
def test_table_matches_its_spec(prod, spec: TableSpec):
    table = prod.resources[prod.logical_id(prod.stack.data.tables[spec.key])]
    properties = table["Properties"]

    assert properties["KeySchema"] == _key_schema(spec.partition_key, spec.sort_key)
    indexes = {index["IndexName"]: index for index in properties.get("GlobalSecondaryIndexes", [])}
    assert set(indexes) == {index.name for index in spec.indexes}
    for index in spec.indexes:
        assert indexes[index.name]["KeySchema"] == _key_schema(index.partition_key, index.sort_key)
        assert indexes[index.name]["Projection"] == {"ProjectionType": index.projection}
    key_attributes = {spec.partition_key, spec.sort_key} | {
        key for index in spec.indexes for key in (index.partition_key, index.sort_key)
    }
    assert {
        a["AttributeName"]: a["AttributeType"] for a in properties["AttributeDefinitions"]
    } == dict.fromkeys(key_attributes, "S")

    if spec.stream:
        assert properties["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    else:
        assert "StreamSpecification" not in properties
    if spec.ttl_attribute:
        assert properties["TimeToLiveSpecification"] == {"AttributeName": spec.ttl_attribute, "Enabled": True}
    else:
        assert "TimeToLiveSpecification" not in properties


def test_tables_are_on_demand_encrypted_recoverable_and_protected(prod):
    prod.template.all_resources_properties(
        "AWS::DynamoDB::Table",
        {
            "BillingMode": "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            # SSEEnabled without a key: the AWS managed key (aws/dynamodb)
            "SSESpecification": {"SSEEnabled": True, "KMSMasterKeyId": Match.absent()},
            "DeletionProtectionEnabled": True,
        },
    )
    for table in prod.of_type("AWS::DynamoDB::Table").values():
        assert table["DeletionPolicy"] == "Retain"
        assert table["UpdateReplacePolicy"] == "Retain"


def test_dev_stack_tables_can_be_destroyed(dev):
    # Given -c dev=true, Then `cdk destroy` removes the tables
    for table in dev.of_type("AWS::DynamoDB::Table").values():
        assert table["DeletionPolicy"] == "Delete"
        assert table["Properties"]["DeletionProtectionEnabled"] is False
