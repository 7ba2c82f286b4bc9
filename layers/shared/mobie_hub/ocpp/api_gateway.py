"""``StationConnections`` over the API Gateway Management API (``post_to_connection``).

The endpoint is the WebSocket API's stage URL, ``https://<api id>.execute-api.<region>.amazonaws.com/<stage>``
(``MOBIE_OCPP_MANAGEMENT_URL``, set by the CDK). Frames are at most 32 KB (API Gateway's frame size)
— OCPP 1.6 calls from the hub are far smaller. Needs ``execute-api:ManageConnections`` on the API.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from mobie_hub.core.errors import StationOffline
from mobie_hub.ocpp.ports import ConnectionGone, StationConnections


class ApiGatewayConnections(StationConnections):
    def __init__(self, endpoint_url: str, region: str | None = None) -> None:
        self.endpoint_url = endpoint_url
        self.region = region

    @cached_property
    def client(self) -> Any:
        import boto3

        return boto3.client(
            "apigatewaymanagementapi", endpoint_url=self.endpoint_url, region_name=self.region
        )

    def send(self, connection_id: str, text: str) -> None:
        try:
            self.client.post_to_connection(ConnectionId=connection_id, Data=text.encode("utf-8"))
        except self.client.exceptions.GoneException:
            raise ConnectionGone(connection_id) from None

    def close(self, connection_id: str) -> None:
        try:
            self.client.delete_connection(ConnectionId=connection_id)
        except self.client.exceptions.GoneException:
            pass


class Unconfigured(StationConnections):
    """No management endpoint: this function cannot reach stations (it was not granted the API)."""

    def send(self, connection_id: str, text: str) -> None:
        raise StationOffline("this function has no OCPP management endpoint (MOBIE_OCPP_MANAGEMENT_URL)")

    def close(self, connection_id: str) -> None:
        pass
