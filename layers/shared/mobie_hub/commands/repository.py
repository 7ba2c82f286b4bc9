"""EMSP commands in flight and their outcome, in the ``commands`` table (docs/dynamodb.md, docs/commands.md).

| item | pk | sk | TTL |
|---|---|---|---|
| a command: request, promised timeout, task token, facts, result | ``COMMAND#<id>`` | ``COMMAND`` | 30 days |
| a command awaiting a station's transaction event | ``AWAIT#<station id>`` | ``START#<idTag>`` / ``STOP#<transactionId>`` | 1 day |

A command is ``WAITING`` until its result is decided, then ``DECIDED``. Every fact (a call's answer,
a StartTransaction) is written on condition that the command still waits, and bumps ``revision``;
the decision is written on condition that the revision is the one it was decided on, so a fact that
arrives meanwhile is decided on again and a late one is refused (``record_facts`` returns None).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any, NamedTuple

from mobie_hub.core import transact
from mobie_hub.core.dynamodb import table
from mobie_hub.core.types import format_datetime, parse_datetime
from mobie_hub.ocpp.values import TokenRef

TABLE = "commands"
SK = "COMMAND"
WAITING, DECIDED = "WAITING", "DECIDED"
AWAIT_TTL = timedelta(days=1)


class Command(NamedTuple):
    """One command as stored. ``station_id`` is the Location id; ``connector`` the OCPP connectorId.
    A NamedTuple: immutable like a frozen dataclass, and cheaper to define at a cold start."""

    command_id: str
    command_type: str
    party_country_code: str
    party_id: str
    response_url: str
    station_id: str
    timeout_seconds: int
    created_at: datetime
    evse_uid: str | None = None
    connector: int | None = None
    id_tag: str | None = None
    token: TokenRef | None = None
    session_id: str | None = None
    transaction_id: int | None = None
    authorization_reference: str | None = None
    # X-Correlation-ID of the EMSP's command request: the CommandResult POST carries it (delivery.py)
    correlation_id: str | None = None
    state: str = WAITING
    revision: int = 0
    task_token: str | None = None
    facts: Mapping[str, Any] = MappingProxyType({})  # read-only: one default shared by every Command
    result: str | None = None
    result_message: str | None = None


def _key(command_id: str) -> dict[str, str]:
    return {"pk": f"COMMAND#{command_id}", "sk": SK}


def await_key(station_id: str, kind: str, value: str | int) -> dict[str, str]:
    """``kind`` START (by idTag, upper-cased like every idTag key) or STOP (by transactionId)."""
    return {"pk": f"AWAIT#{station_id}", "sk": f"{kind}#{str(value).upper()}"}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _item(command: Command, retention: timedelta) -> dict[str, Any]:
    item = {
        **_key(command.command_id),
        "command_type": command.command_type,
        "party_country_code": command.party_country_code,
        "party_id": command.party_id,
        "response_url": command.response_url,
        "station_id": command.station_id,
        "timeout_seconds": command.timeout_seconds,
        "created_at": format_datetime(command.created_at),
        "evse_uid": command.evse_uid,
        "connector": command.connector,
        "id_tag": command.id_tag,
        "token": json.dumps(command.token.__dict__) if command.token else None,
        "session_id": command.session_id,
        "transaction_id": command.transaction_id,
        "authorization_reference": command.authorization_reference,
        "correlation_id": command.correlation_id,
        "state": WAITING,
        "revision": 0,
        "facts": {},
        "expires_at": int((command.created_at + retention).timestamp()),
    }
    return {name: value for name, value in item.items() if value is not None}


def _command(item: dict[str, Any]) -> Command:
    item = _plain(item)
    token = json.loads(item["token"]) if item.get("token") else None
    return Command(
        command_id=item["pk"].removeprefix("COMMAND#"),
        command_type=item["command_type"],
        party_country_code=item["party_country_code"],
        party_id=item["party_id"],
        response_url=item["response_url"],
        station_id=item["station_id"],
        timeout_seconds=item["timeout_seconds"],
        created_at=parse_datetime(item["created_at"]),
        evse_uid=item.get("evse_uid"),
        connector=item.get("connector"),
        id_tag=item.get("id_tag"),
        token=TokenRef(**token) if token else None,
        session_id=item.get("session_id"),
        transaction_id=item.get("transaction_id"),
        authorization_reference=item.get("authorization_reference"),
        correlation_id=item.get("correlation_id"),
        state=item["state"],
        revision=item["revision"],
        task_token=item.get("task_token"),
        facts=item.get("facts", {}),
        result=item.get("result"),
        result_message=item.get("result_message"),
    )


def put_command(command: Command, *, retention: timedelta = timedelta(days=30)) -> None:
    """Store a new command (its id is fresh: the condition only guards against a reused id)."""
    table(TABLE).put_item(Item=_item(command, retention), ConditionExpression="attribute_not_exists(pk)")


def get_command(command_id: str) -> Command | None:
    item = table(TABLE).get_item(Key=_key(command_id), ConsistentRead=True).get("Item")
    return _command(item) if item else None


def prepare_send(command: Command, task_token: str, awaits: dict[str, str] | None, now: datetime) -> None:
    """Before the call goes out: the task token that resumes the execution and, for START/STOP, the
    pointer from the transaction event to the command. One transaction; it fails (``Cancelled``) if
    the command was decided already."""
    actions = [
        transact.update(
            TABLE,
            _key(command.command_id),
            "SET task_token = :token",
            "#state = :waiting",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={":token": task_token, ":waiting": WAITING},
            name="command",
        )
    ]
    if awaits is not None:
        expires = int((now + AWAIT_TTL).timestamp())
        actions.append(
            transact.put(
                TABLE, {**awaits, "command_id": command.command_id, "expires_at": expires}, name="awaits"
            )
        )
    transact.write(actions)


def find_awaiting(awaits: dict[str, str]) -> str | None:
    """The id of the command waiting for this transaction event, if any (one GetItem)."""
    item = table(TABLE).get_item(Key=awaits, ConsistentRead=True).get("Item")
    return item["command_id"] if item else None


def record_facts(command_id: str, facts: dict[str, Any]) -> Command | None:
    """Add facts to a waiting command; the command after the write, or None when it was decided
    already (or does not exist): the fact came too late."""
    names = {"#state": "state", **{f"#f{i}": name for i, name in enumerate(facts)}}
    values = {":waiting": WAITING, ":one": 1, **{f":f{i}": value for i, value in enumerate(facts.values())}}
    sets = ", ".join(f"facts.#f{i} = :f{i}" for i in range(len(facts)))
    commands = table(TABLE)
    try:
        response = commands.update_item(
            Key=_key(command_id),
            UpdateExpression=f"SET {sets} ADD revision :one",
            ConditionExpression="#state = :waiting",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
    except commands.meta.client.exceptions.ConditionalCheckFailedException:
        return None
    return _command(response["Attributes"])


def record_decision(command: Command, result: str, message: str | None, now: datetime) -> bool:
    """The command's result, if it still waits at the revision it was decided on. False otherwise:
    decided already (a second decision loses), or a new fact arrived (decide again)."""
    commands = table(TABLE)
    try:
        commands.update_item(
            Key=_key(command.command_id),
            UpdateExpression="SET #state = :decided, #result = :result, result_message = :message, decided_at = :now",
            ConditionExpression="#state = :waiting AND revision = :revision",
            ExpressionAttributeNames={"#state": "state", "#result": "result"},
            ExpressionAttributeValues={
                ":decided": DECIDED,
                ":waiting": WAITING,
                ":revision": command.revision,
                ":result": result,
                ":message": message,
                ":now": format_datetime(now),
            },
        )
    except commands.meta.client.exceptions.ConditionalCheckFailedException:
        return False
    return True
