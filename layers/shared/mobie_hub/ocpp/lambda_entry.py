"""API Gateway WebSocket events → the OCPP gateway (events/ocpp/*.json are real-shaped samples).

CloudFront rewrites ``wss://…/ocpp/{charge_point_id}`` to ``/?station={charge_point_id}`` (API Gateway
cannot route a path after the stage). ``$connect`` has a REQUEST authorizer whose identity source is
that query parameter — always present, so every attempt reaches the authorizer, which answers the
same 401 to a missing credential as to a wrong one (an ``Authorization`` identity source would make
API Gateway answer a missing header itself, and only in the open mode may a station come without
one). The authorizer admits the station and puts its id in the context, which API Gateway hands to
every later event of the connection: ``$default`` knows the station without reading DynamoDB.
``$connect`` (and so the replacement of a station's previous connection) runs only after it allowed.

Authorizer answers: any authentication refusal — unknown, private or password-less id, wrong or
missing credentials, throttled id — → ``Unauthorized`` (HTTP 401, one answer for all); no ``ocpp1.6``
subprotocol (or, in the open mode, an unknown station) → a Deny policy (HTTP 403; API Gateway
authorizers cannot answer 404/400).
"""

from __future__ import annotations

import base64
from typing import Any

from mobie_hub.audit import recorder
from mobie_hub.core.observability import logger
from mobie_hub.core.settings import get_settings
from mobie_hub.ocpp import admission
from mobie_hub.ocpp.ports import ConnectionGone

STATION_PARAMETER = "station"


class Unauthorized(Exception):
    """Raised with the message ``Unauthorized``: API Gateway then answers HTTP 401."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def _headers(event: dict[str, Any]) -> dict[str, str]:
    return {name.lower(): value for name, value in (event.get("headers") or {}).items()}


def _policy(
    principal: str, effect: str, resource: str, context: dict[str, str] | None = None
) -> dict[str, Any]:
    policy: dict[str, Any] = {
        "principalId": principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
    }
    if context:
        policy["context"] = context
    return policy


def authorize(event: dict[str, Any]) -> dict[str, Any]:
    """The ``$connect`` REQUEST authorizer."""
    station_id = (event.get("queryStringParameters") or {}).get(STATION_PARAMETER, "")
    headers = _headers(event)
    try:
        admitted = admission.admit(
            station_id,
            authorization=headers.get("authorization"),
            offered=admission.offered_subprotocols(headers.get("sec-websocket-protocol")),
            policy=admission.AuthPolicy.from_settings(get_settings()),
        )
    except admission.AdmissionRefused as refused:
        logger.info("station refused", station_id=station_id, status=refused.status, reason=refused.reason)
        if refused.status == 401:
            raise Unauthorized() from None
        return _policy(station_id or "unknown", "Deny", event["methodArn"])
    context = {"stationId": admitted.station_id, "subprotocol": admitted.subprotocol}
    return _policy(admitted.station_id, "Allow", event["methodArn"], context)


def _station(event: dict[str, Any]) -> tuple[str, str]:
    context = event["requestContext"]
    authorizer = context.get("authorizer") or {}
    if "stationId" not in authorizer:
        raise RuntimeError("no stationId in the authorizer context: is the $connect authorizer attached?")
    return authorizer["stationId"], context["connectionId"]


def _management_url(event: dict[str, Any]) -> str:
    context = event["requestContext"]
    return f"https://{context['domainName']}/{context['stage']}"


def _gateway(event: dict[str, Any]):
    from mobie_hub.ocpp.runtime import central_system

    return central_system(_management_url(event))


def connect(event: dict[str, Any]) -> dict[str, Any]:
    """``$connect`` (after the authorizer allowed it): map station → connection, echo the subprotocol."""
    station_id, connection_id = _station(event)
    _gateway(event).connected(station_id, connection_id)
    subprotocol = event["requestContext"]["authorizer"].get("subprotocol", admission.SUBPROTOCOL)
    return {"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": subprotocol}}


def disconnect(event: dict[str, Any]) -> dict[str, Any]:
    station_id, connection_id = _station(event)
    _gateway(event).disconnected(station_id, connection_id)
    return {"statusCode": 200}


def default(event: dict[str, Any]) -> dict[str, Any]:
    """``$default`` (a two-way route): the answer frame, if any, is the response body.

    When the hub has calls to send after the answer (a TriggerMessage after BootNotification), the
    response would reach the station after them: API Gateway sends the route's response only when the
    Lambda returns. So then the answer goes through the Management API first, the calls after it, and
    the response carries nothing: the station gets them in that order (one more Management API call,
    no more messages: the answer is one message either way)."""
    with recorder.batched():  # every frame of this invocation (the answer, the calls after it): one delivery
        return _default(event)


def _default(event: dict[str, Any]) -> dict[str, Any]:
    station_id, connection_id = _station(event)
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body)
    gateway = _gateway(event)
    reply = gateway.receive(station_id, body)
    if reply.follow_ups and reply.text is not None:
        try:
            gateway.connections.send(connection_id, reply.text)
        except ConnectionGone:  # the station left meanwhile: $disconnect marks it offline
            logger.info("station gone before its answer", station_id=station_id)
            return {"statusCode": 200}
        gateway.send_follow_ups(station_id, reply.follow_ups)
        return {"statusCode": 200}
    return {"statusCode": 200, "body": reply.text} if reply.text is not None else {"statusCode": 200}
