"""The deployment's settings, read once from CDK context and validated before any construct is built.

Context comes from cdk.json ("context"), `cdk synth|deploy -c key=value`, or an App's ``context=``.
docs/deploy.md lists every key; the rules for the custom domain are there too.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from constructs import Node

from infra.constants import DEFAULT_REGION, ROOT, STACK_NAME, Context

_S3_URI = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])/(?P<key>.+)$")
_ACM_ARN = re.compile(r"^arn:aws[a-z\-]*:acm:(?P<region>[a-z0-9\-]+):\d{12}:certificate/[\w\-]+$")
_CLOUDFRONT_WEB_ACL_ARN = re.compile(
    r"^arn:aws[a-z\-]*:wafv2:us-east-1:\d{12}:global/webacl/[\w\-]+/[\w\-]+$"
)
_DOMAIN_KEYS = (Context.DOMAIN_NAME, Context.CERTIFICATE_ARN, Context.TRUSTSTORE_URI)


class ConfigError(ValueError):
    """The context is incomplete or inconsistent; the message says which key to set."""


@dataclass(frozen=True)
class CustomDomain:
    """The EMSP-facing regional custom domain: mutual TLS against the truststore in S3."""

    name: str
    certificate_arn: str
    truststore_uri: str
    truststore_version: str | None = None
    hosted_zone_id: str | None = None
    hosted_zone_name: str | None = None

    @property
    def truststore_bucket(self) -> str:
        return _S3_URI.match(self.truststore_uri)["bucket"]

    @property
    def truststore_key(self) -> str:
        return _S3_URI.match(self.truststore_uri)["key"]

    @property
    def has_hosted_zone(self) -> bool:
        return self.hosted_zone_id is not None


@dataclass(frozen=True)
class DeployConfig:
    region: str
    account: str | None
    stack_name: str
    dev: bool
    domain: CustomDomain | None
    dependency_layer_dir: Path | None = None
    insecure_open_stations: bool = False  # OCPP stations without a password connect unauthenticated
    ocpp_web_acl_arn: str | None = None

    @property
    def retain_data(self) -> bool:
        """Tables and logs survive `cdk destroy` unless this is a throwaway dev stack."""
        return not self.dev

    @property
    def mtls(self) -> bool:
        return self.domain is not None

    @classmethod
    def from_context(cls, node: Node) -> DeployConfig:
        def get(key: str) -> str | None:
            value = node.try_get_context(key)
            return None if value in (None, "") else str(value)

        region = get(Context.REGION) or DEFAULT_REGION
        dev = _flag(node.try_get_context(Context.DEV), Context.DEV)
        return cls(
            region=region,
            account=get(Context.ACCOUNT) or os.environ.get("CDK_DEFAULT_ACCOUNT"),
            stack_name=get(Context.STACK_NAME) or STACK_NAME,
            dev=dev,
            domain=_domain(get, region, dev),
            dependency_layer_dir=_prebuilt_dir(get(Context.DEPENDENCY_LAYER_DIR)),
            insecure_open_stations=_insecure_open_stations(node),
            ocpp_web_acl_arn=_web_acl_arn(get(Context.OCPP_WEB_ACL_ARN)),
        )


def _flag(value: object, key: str) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no", ""):
        return False
    raise ConfigError(f"context '{key}' must be true or false, got {value!r}")


def _insecure_open_stations(node: Node) -> bool:
    """Stations authenticate unless ``insecure_open_stations`` is true. The former opt-in
    ``require_station_auth`` is accepted when true (the default now) and refused when false, which
    must not quietly open the stations."""
    legacy = node.try_get_context(Context.REQUIRE_STATION_AUTH)
    if legacy is not None and not _flag(legacy, Context.REQUIRE_STATION_AUTH):
        raise ConfigError(
            "require_station_auth=false no longer opens the OCPP gateway: stations always authenticate; "
            "to let stations without a password in, set insecure_open_stations=true (docs/deploy.md)"
        )
    return _flag(node.try_get_context(Context.INSECURE_OPEN_STATIONS), Context.INSECURE_OPEN_STATIONS)


def _web_acl_arn(value: str | None) -> str | None:
    if value is not None and not _CLOUDFRONT_WEB_ACL_ARN.match(value):
        raise ConfigError(
            f"ocpp_web_acl_arn must be a CLOUDFRONT-scope WAFv2 web ACL ARN "
            f"(arn:aws:wafv2:us-east-1:ACCOUNT:global/webacl/NAME/ID), got {value}"
        )
    return value


def _domain(get, region: str, dev: bool) -> CustomDomain | None:
    given = {key: get(key) for key in _DOMAIN_KEYS}
    missing = [key for key, value in given.items() if value is None]
    if len(missing) == len(_DOMAIN_KEYS):
        if dev:
            return None  # dev stack: no custom domain, the execute-api endpoint stays on (no mTLS)
        raise ConfigError(
            "the OCPI API needs its mTLS custom domain: pass -c domain_name=... -c certificate_arn=... "
            "-c truststore_uri=s3://bucket/key (see docs/deploy.md), or -c dev=true for a stack "
            "without custom domain and without mutual TLS"
        )
    if missing:
        raise ConfigError(f"custom domain context incomplete: also set {', '.join(missing)}")

    certificate_arn = given[Context.CERTIFICATE_ARN]
    arn = _ACM_ARN.match(certificate_arn)
    if arn is None:
        raise ConfigError(f"certificate_arn is not an ACM certificate ARN: {certificate_arn}")
    if arn["region"] != region:
        # A regional custom domain can only use a certificate from its own region.
        raise ConfigError(f"certificate_arn is in {arn['region']}, the stack deploys to {region}")
    if not _S3_URI.match(given[Context.TRUSTSTORE_URI]):
        raise ConfigError(
            f"truststore_uri must look like s3://bucket/key.pem, got {given[Context.TRUSTSTORE_URI]}"
        )

    zone_id, zone_name = get(Context.HOSTED_ZONE_ID), get(Context.HOSTED_ZONE_NAME)
    if (zone_id is None) != (zone_name is None):
        raise ConfigError("set both hosted_zone_id and hosted_zone_name for the Route 53 alias, or neither")
    return CustomDomain(
        name=given[Context.DOMAIN_NAME],
        certificate_arn=certificate_arn,
        truststore_uri=given[Context.TRUSTSTORE_URI],
        truststore_version=get(Context.TRUSTSTORE_VERSION),
        hosted_zone_id=zone_id,
        hosted_zone_name=zone_name,
    )


def _prebuilt_dir(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value) if Path(value).is_absolute() else ROOT / value
    if not (path / "python").is_dir():
        raise ConfigError(f"dependency_layer_dir must contain python/ (a pip --target tree): {path}")
    return path
