"""Deployment context: a production synth without its mTLS domain fails with a message naming the keys."""

from __future__ import annotations

import pytest
from aws_cdk import App

from infra.config import ConfigError, DeployConfig

from .conftest import DOMAIN

pytestmark = pytest.mark.infra


def _config(**context) -> DeployConfig:
    return DeployConfig.from_context(App(context=context).node)


def test_missing_domain_fails_unless_dev():
    with pytest.raises(ConfigError, match="domain_name.*certificate_arn.*truststore_uri.*dev=true"):
        _config()


def test_dev_without_domain_has_no_mtls_and_does_not_retain_data():
    config = _config(dev="true")
    assert config.domain is None and not config.mtls
    assert not config.retain_data


def test_full_domain_context():
    config = _config(**DOMAIN)
    assert config.region == "eu-west-1"
    assert config.mtls and config.retain_data
    assert (config.domain.truststore_bucket, config.domain.truststore_key) == (
        "mobie-truststore",
        "ocpi/emsp-ca.pem",
    )
    assert config.domain.has_hosted_zone


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"domain_name": DOMAIN["domain_name"]}, "incomplete: also set certificate_arn, truststore_uri"),
        (
            {**DOMAIN, "region": "us-east-1"},
            "certificate_arn is in eu-west-1, the stack deploys to us-east-1",
        ),
        ({**DOMAIN, "truststore_uri": "https://bucket/ca.pem"}, "truststore_uri must look like s3://"),
        ({**DOMAIN, "certificate_arn": "not-an-arn"}, "not an ACM certificate ARN"),
        ({**DOMAIN, "hosted_zone_name": None}, "both hosted_zone_id and hosted_zone_name"),
        ({**DOMAIN, "dev": "maybe"}, "'dev' must be true or false"),
        ({"dev": True, "dependency_layer_dir": "/nonexistent"}, "must contain python/"),
    ],
)
def test_inconsistent_context_is_refused(context, message):
    with pytest.raises(ConfigError, match=message):
        _config(**context)
