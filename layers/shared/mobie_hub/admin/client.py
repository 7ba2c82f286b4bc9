"""How the CLI reaches the admin operations: the local hub over loopback HTTP, or the deployed
admin function through the operator's AWS credentials (``--stack``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from mobie_hub.admin import secret as admin_secret


class AdminError(Exception):
    """The hub refused or failed an admin operation; ``message`` is the hub's explanation."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message


class AdminTransport(Protocol):
    def call(self, name: str, payload: dict[str, Any]) -> dict[str, Any]: ...


@dataclass(frozen=True)
class HttpAdmin:
    """The local hub's ``POST /admin/{operation}`` (answers on loopback only), with the secret the hub
    wrote at start for its port (``mobie_hub.admin.secret``), or the one given."""

    base_url: str = "http://127.0.0.1:8080"
    timeout: float = 120.0
    ca_file: str | None = None  # CA of an https hub (`serve --tls-cert`, e.g. certs/ca.pem)
    secret: str | None = None  # default: read from the hub's secret file

    def headers(self) -> dict[str, str]:
        import httpx

        url = httpx.URL(self.base_url)
        value = self.secret or admin_secret.read_secret(url.port or (443 if url.scheme == "https" else 80))
        return {admin_secret.HEADER: value} if value else {}  # none: the hub answers 401, said below

    def call(self, name: str, payload: dict[str, Any]) -> dict[str, Any]:
        import ssl

        import httpx

        verify = ssl.create_default_context(cafile=self.ca_file) if self.ca_file else True
        try:
            response = httpx.post(
                f"{self.base_url.rstrip('/')}/admin/{name}",
                json=payload,
                timeout=self.timeout,
                verify=verify,
                headers=self.headers(),
            )
        except httpx.HTTPError as exc:
            raise AdminError("Unreachable", f"cannot reach the hub at {self.base_url}: {exc}") from exc
        body = response.json()
        if response.status_code in (401, 403) and not self.secret:
            where = admin_secret.state_dir() / "admin-<port>.secret"
            raise AdminError(
                body.get("error", "Error"),
                f"{body.get('message', response.text)} (the CLI reads the secret from {where}, "
                "written by `mobie-hub serve` for this user)",
            )
        if response.is_error:
            raise AdminError(body.get("error", "Error"), body.get("message", response.text))
        return body


@dataclass(frozen=True)
class LambdaAdmin:
    """The deployed admin function, found from the CloudFormation stack's ``AdminFunctionName`` output."""

    stack: str
    region: str | None = None

    def _function_name(self) -> str:
        import boto3

        stacks = boto3.client("cloudformation", region_name=self.region).describe_stacks(StackName=self.stack)
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks["Stacks"][0].get("Outputs", [])}
        if "AdminFunctionName" not in outputs:
            raise AdminError("NotDeployed", f"stack {self.stack} has no AdminFunctionName output")
        return outputs["AdminFunctionName"]

    def call(self, name: str, payload: dict[str, Any]) -> dict[str, Any]:
        import boto3
        from botocore.config import Config

        # Wait as long as the function may run (infra ADMIN_TIMEOUT, 120 s), not botocore's 60 s, and
        # never retry: an operation such as parties.register must not run twice.
        config = Config(read_timeout=130, retries={"max_attempts": 1, "mode": "standard"})
        response = boto3.client("lambda", region_name=self.region, config=config).invoke(
            FunctionName=self._function_name(),
            Payload=json.dumps({"operation": name, "payload": payload}).encode(),
        )
        body = json.loads(response["Payload"].read() or b"{}")
        if "FunctionError" in response:
            raise AdminError("FunctionError", body.get("errorMessage", "the admin function failed"))
        if not body.get("ok"):
            raise AdminError(body.get("error", "Error"), body.get("message", ""))
        return body["result"]
