"""The whole tokens table at once, for the operator: the admin Lambda's ``tokens conflicts`` report.

A Scan, never on a request path. It lives apart from ``tokens.repository`` because a function's DynamoDB
grants follow the modules it can load (infra/grants.py): the Lambdas serving stations and EMSPs, which
load the repository, may not Scan the tokens table.
"""

from __future__ import annotations

from typing import Any

from mobie_hub.core.dynamodb import table
from mobie_hub.tokens.models import Token
from mobie_hub.tokens.repository import SK, decode
from mobie_hub.tokens.rules import owner_of


def shared_id_tags() -> dict[str, list[Token]]:
    """Every idTag that valid tokens of more than one EMSP share, with all its tokens: a Scan of the
    whole table, page by page (the operator's ``tokens conflicts`` report; never on a request path)."""
    by_tag: dict[str, list[Token]] = {}
    scan: dict[str, Any] = {
        "FilterExpression": "sk = :token",
        "ExpressionAttributeValues": {":token": SK},
        "ProjectionExpression": "id_tag, #doc",
        "ExpressionAttributeNames": {"#doc": "doc"},
    }
    while True:
        page = table("tokens").scan(**scan)
        for item in page.get("Items", []):
            by_tag.setdefault(item["id_tag"], []).append(decode(item["doc"]))
        if "LastEvaluatedKey" not in page:
            break
        scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return {
        tag: tokens
        for tag, tokens in by_tag.items()
        if len({owner_of(t) for t in tokens if t.valid}) > 1
    }
