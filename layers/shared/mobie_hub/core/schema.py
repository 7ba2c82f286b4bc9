"""Create the hub's tables from the same specs the CDK deploys (local hub, tests, benchmarks)."""

from __future__ import annotations

from typing import Any

from mobie_hub.core.settings import get_settings
from mobie_hub.core.tables import ALL_TABLES, create_table_kwargs


def ensure_tables(client: Any) -> list[str]:
    """Create every missing table (with TTL where the spec has one). Returns the names created."""
    names = get_settings().tables
    existing = set(client.list_tables().get("TableNames", []))
    created = []
    for spec in ALL_TABLES:
        name = names[spec.key]
        if name in existing:
            continue
        client.create_table(**create_table_kwargs(spec, name))
        if spec.ttl_attribute:
            client.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute}
            )
        created.append(name)
    return created
