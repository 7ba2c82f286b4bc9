"""DynamoDB table definitions: the single source for the CDK data construct and the local/moto tables.

Every table uses generic string keys ``pk``/``sk`` (and ``gsi<n>pk``/``gsi<n>sk`` for its indexes, but
for two sparse keys-only indexes keyed on attributes their items hold anyway), so item shapes can
evolve without a table migration. The access patterns each key serves are listed in
docs/dynamodb.md; every request path is a GetItem, a Query or a transactional write — never a Scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IndexSpec:
    """A global secondary index: its name is also the prefix of its key attributes (gsi1 → gsi1pk),
    unless ``keys`` names other ones (an index on attributes its items hold anyway: no bytes added)."""

    name: str
    projection: str = "ALL"  # ALL | KEYS_ONLY
    keys: tuple[str, str] | None = None  # (partition, sort) attribute names

    @property
    def partition_key(self) -> str:
        return self.keys[0] if self.keys else f"{self.name}pk"

    @property
    def sort_key(self) -> str:
        return self.keys[1] if self.keys else f"{self.name}sk"


@dataclass(frozen=True)
class TableSpec:
    """One DynamoDB table. ``key`` is the short name used in settings, CDK ids and env variables."""

    key: str
    indexes: tuple[IndexSpec, ...] = ()
    stream: bool = False
    ttl_attribute: str | None = None
    partition_key: str = "pk"
    sort_key: str = "sk"
    description: str = field(default="", compare=False)

    @property
    def env_var(self) -> str:
        """The Lambda environment variable that carries the deployed table name."""
        return f"MOBIE_TABLE_{self.key.upper()}"

    @property
    def default_name(self) -> str:
        """The table name used locally and in tests."""
        return f"mobie-{self.key}"


PARTIES = TableSpec(
    key="parties",
    indexes=(IndexSpec("gsi1"),),
    stream=True,
    description="OCPI parties, their credentials and hashed tokens (token → party lookup).",
)
# List tables have two indexes with the same keys: gsi1 (ALL) serves a page in one Query; gsi2
# (KEYS_ONLY, ~100 bytes an entry) counts X-Total-Count and skips offsets without reading documents.
LOCATIONS = TableSpec(
    key="locations",
    indexes=(IndexSpec("gsi1"), IndexSpec("gsi2", projection="KEYS_ONLY")),
    stream=True,
    description="Charging stations as OCPI Locations (EVSEs and connectors inside), by last_updated.",
)
TARIFFS = TableSpec(
    key="tariffs",
    indexes=(IndexSpec("gsi1"), IndexSpec("gsi2", projection="KEYS_ONLY")),
    stream=True,
    description="OCPI Tariffs, current and historical, by last_updated.",
)
TOKENS = TableSpec(
    key="tokens",
    indexes=(IndexSpec("gsi1"), IndexSpec("gsi2")),
    description="EMSP tokens (the whitelist): by OCPI key, by OCPP idTag, by owning party.",
)
# sessions: every index KEYS_ONLY, as a Session is rewritten while it charges (at most once a push
# window, and on every state change): a keys-only entry costs nothing when its keys stay, 2 WRU when
# they move (an ALL one the Session's KB, twice when it moves). gsi1 lists an EMSP's sessions (one
# Query counts and pages, the page's items read back with one BatchGetItem: core.listing), gsi2 finds
# them by EVSE and start (keys, then the items needed), gsi3 (sparse: only sessions on a CPO's
# stations) lists a CPO's like gsi1, keyed on attributes the item has anyway (``cpo``, gsi1's sort
# key), so it adds no bytes that could push the item past a KB.
SESSIONS = TableSpec(
    key="sessions",
    indexes=(
        IndexSpec("gsi1", projection="KEYS_ONLY"), IndexSpec("gsi2", projection="KEYS_ONLY"),
        IndexSpec("gsi3", projection="KEYS_ONLY", keys=("cpo", "gsi1sk")),
    ),
    stream=True,
    ttl_attribute="expires_at",  # METER facts only (sessions.transaction_repository.meter_expiry)
    description="Charging sessions: by id, by owning EMSP or CPO and last_updated, by EVSE and start.",
)
# cdrs: gsi1/gsi2 an EMSP's CDRs (and the delivery queues on gsi1), gsi3 (KEYS_ONLY, sparse) a CPO's,
# keyed like sessions' gsi3 on attributes the item has anyway.
CDRS = TableSpec(
    key="cdrs",
    indexes=(
        IndexSpec("gsi1"), IndexSpec("gsi2", projection="KEYS_ONLY"),
        IndexSpec("gsi3", projection="KEYS_ONLY", keys=("cpo", "gsi2sk")),
    ),
    stream=True,
    description="Charge detail records: by id, by owning EMSP or CPO and last_updated.",
)
COMMANDS = TableSpec(
    key="commands",
    ttl_attribute="expires_at",
    description="EMSP commands in flight and their outcome (kept 30 days).",
)
STATIONS = TableSpec(
    key="stations",
    ttl_attribute="expires_at",
    description="OCPP runtime: connection per station, pending hub calls, message-id de-duplication.",
)
EPHEMERAL = TableSpec(
    key="ephemeral",
    ttl_attribute="expires_at",
    description="Short-lived shared state across Lambda instances: rate limits, response caches.",
)

ALL_TABLES: tuple[TableSpec, ...] = (
    PARTIES, LOCATIONS, TARIFFS, TOKENS, SESSIONS, CDRS, COMMANDS, STATIONS, EPHEMERAL,
)
TABLES_BY_KEY = {table.key: table for table in ALL_TABLES}


def create_table_kwargs(spec: TableSpec, name: str | None = None) -> dict:
    """boto3 ``create_table`` arguments for a spec (local hub and tests; the CDK reads the same spec)."""
    attributes = {spec.partition_key, spec.sort_key}
    indexes = []
    for index in spec.indexes:
        attributes |= {index.partition_key, index.sort_key}
        indexes.append({
            "IndexName": index.name,
            "KeySchema": [
                {"AttributeName": index.partition_key, "KeyType": "HASH"},
                {"AttributeName": index.sort_key, "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": index.projection},
        })
    kwargs: dict = {
        "TableName": name or spec.default_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
        "KeySchema": [
            {"AttributeName": spec.partition_key, "KeyType": "HASH"},
            {"AttributeName": spec.sort_key, "KeyType": "RANGE"},
        ],
    }
    if indexes:
        kwargs["GlobalSecondaryIndexes"] = indexes
    if spec.stream:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    return kwargs
