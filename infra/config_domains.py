"""The deployment's domains (infra/config.py): the EMSP-facing regional custom domain with mutual TLS,
and the stations' host name on the OCPP CloudFront distribution, each read from the context and
checked whole (an ACM certificate in the right region, a truststore in S3), or the placeholder a
synth without a domain builds around."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from infra.config_values import ConfigError
from infra.constants import (
    CLOUDFRONT_CERTIFICATE_REGION,
    PLACEHOLDER_ACCOUNT,
    PLACEHOLDER_DOMAIN,
    PLACEHOLDER_TRUSTSTORE,
    Context,
)

Get = Callable[[str], str | None]  # a context key's value, None when unset

_S3_URI = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])/(?P<key>.+)$")
_ACM_ARN = re.compile(r"^arn:aws[a-z\-]*:acm:(?P<region>[a-z0-9\-]+):\d{12}:certificate/[\w\-]+$")
DOMAIN_KEYS = (Context.DOMAIN_NAME, Context.CERTIFICATE_ARN, Context.TRUSTSTORE_URI)


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
class StationDomain:
    """The stations' host name on the OCPP CloudFront distribution; its certificate is in us-east-1."""

    name: str
    certificate_arn: str


def custom_domain(get: Get, region: str) -> CustomDomain | None:
    given = {key: get(key) for key in DOMAIN_KEYS}
    missing = [key for key, value in given.items() if value is None]
    if len(missing) == len(DOMAIN_KEYS):
        # dev stack: no custom domain, the execute-api endpoint stays on (no mTLS); else the placeholder
        return None
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

def station_domain(get: Get) -> StationDomain | None:
    name, arn = get(Context.STATION_DOMAIN_NAME), get(Context.STATION_CERTIFICATE_ARN)
    if name is None and arn is None:
        return None
    if name is None or arn is None:
        raise ConfigError("set both station_domain_name and station_certificate_arn, or neither")
    match = _ACM_ARN.match(arn)
    if match is None or match["region"] != CLOUDFRONT_CERTIFICATE_REGION:
        raise ConfigError(
            f"station_certificate_arn must be an ACM certificate ARN in {CLOUDFRONT_CERTIFICATE_REGION} "
            f"(CloudFront takes certificates from there only), got {arn}"
        )
    return StationDomain(name=name, certificate_arn=arn)


def placeholder_domain(region: str) -> CustomDomain:
    """What `make synth` builds around without a domain: the production shape, not deployable."""
    return CustomDomain(
        name=PLACEHOLDER_DOMAIN,
        certificate_arn=f"arn:aws:acm:{region}:{PLACEHOLDER_ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000",
        truststore_uri=PLACEHOLDER_TRUSTSTORE,
    )
