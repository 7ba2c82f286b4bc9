"""Deployment values: context, then MOBIE_DEPLOY_* and deploy.json; a synth without domain builds around
a placeholder, which a deploy refuses, naming every missing value in one message."""

from __future__ import annotations

import json

import pytest
from aws_cdk import App

from infra.app import check_deploy
from infra.config import (
    SESSION_PUSH_INTERVAL_BOUNDS,
    SESSION_PUSH_INTERVAL_DEFAULT,
    ConfigError,
    DeployConfig,
    read_deploy_settings,
)
from infra.constants import AUDIT_RETENTION, PLACEHOLDER_DOMAIN, STATION_RESERVED_CONCURRENCY
from infra.constructs.events import SESSION_PUSH_INTERVAL_ENV

from .conftest import DOMAIN

pytestmark = pytest.mark.infra


def _config(settings=None, **context) -> DeployConfig:
    return DeployConfig.from_context(App(context=context).node, settings)


def test_without_domain_synth_builds_the_production_shape_around_a_placeholder():
    config = _config()
    assert config.placeholder and config.mtls and config.retain_data
    assert config.domain.name == PLACEHOLDER_DOMAIN
    assert config.domain.certificate_arn.startswith("arn:aws:acm:eu-west-1:000000000000:certificate/")


def test_deploy_refuses_the_placeholder_and_names_every_missing_value_at_once():
    with pytest.raises(ConfigError) as refused:
        _config(deploy="true")
    message = str(refused.value)
    for key in ("domain_name", "certificate_arn", "truststore_uri"):
        assert key in message and f"MOBIE_DEPLOY_{key.upper()}" in message
    assert "deploy.json" in message and "docs/deploy.md" in message


def test_deploy_names_only_what_is_missing():
    with pytest.raises(ConfigError, match=r"missing truststore_uri \(MOBIE_DEPLOY_TRUSTSTORE_URI\)\. "):
        _config(deploy="true", domain_name=DOMAIN["domain_name"], certificate_arn=DOMAIN["certificate_arn"])


def test_deploy_takes_its_values_from_the_environment_and_the_file(tmp_path):
    config_file = tmp_path / "deploy.json"
    config_file.write_text(json.dumps({"domain_name": "ocpi.file.example", "truststore_uri": DOMAIN["truststore_uri"]}))
    settings = read_deploy_settings(
        {
            "MOBIE_DEPLOY_CONFIG": str(config_file),
            "MOBIE_DEPLOY_DOMAIN_NAME": "ocpi.env.example",  # the environment wins over the file
            "MOBIE_DEPLOY_CERTIFICATE_ARN": DOMAIN["certificate_arn"],
            "MOBIE_DEPLOY_STACK_NAME": "MobieHubProd",
        }
    )
    config = check_deploy(settings)
    assert not config.placeholder and config.stack_name == "MobieHubProd"
    assert (config.domain.name, config.domain.truststore_uri) == ("ocpi.env.example", DOMAIN["truststore_uri"])
    assert _config(settings, domain_name="ocpi.context.example").domain.name == "ocpi.context.example"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2]", "one JSON object"),
        ("{not json", "not valid JSON"),
        ('{"domain": "x"}', "unknown keys domain"),
    ],
)
def test_a_bad_deploy_file_is_refused(tmp_path, content, message):
    path = tmp_path / "deploy.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message):
        read_deploy_settings({"MOBIE_DEPLOY_CONFIG": str(path)})


def test_a_named_deploy_file_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="cannot read it"):
        read_deploy_settings({"MOBIE_DEPLOY_CONFIG": str(tmp_path / "missing.json")})


def test_a_dev_deploy_needs_no_domain():
    config = _config(deploy="true", dev="true")
    assert config.domain is None and not config.placeholder


def test_the_station_path_reserves_concurrency_within_the_accounts_unreserved_minimum():
    shares = _config().station_concurrency
    assert shares["Watchdog"] == 1
    assert sum(value for name, value in shares.items() if name != "Watchdog") == STATION_RESERVED_CONCURRENCY
    assert _config(dev="true").station_concurrency is None  # new accounts have 10: dev reserves none
    assert _config(station_reserved_concurrency="0").station_concurrency is None
    with pytest.raises(ConfigError, match="keeps 100 unreserved"):
        _config(station_reserved_concurrency="900")
    assert sum(_config(station_reserved_concurrency="900", account_concurrency="2000").station_concurrency.values())
    with pytest.raises(ConfigError, match="whole number"):
        _config(station_reserved_concurrency="lots")


def test_a_station_domain_takes_a_us_east_1_certificate():
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8877-665544332211"
    config = _config(station_domain_name="ocpp.mobie.example", station_certificate_arn=arn)
    assert config.station_domain.name == "ocpp.mobie.example"
    with pytest.raises(ConfigError, match="in us-east-1"):
        _config(station_domain_name="ocpp.mobie.example", station_certificate_arn=DOMAIN["certificate_arn"])
    with pytest.raises(ConfigError, match="both station_domain_name and station_certificate_arn"):
        _config(station_domain_name="ocpp.mobie.example")


def test_a_stack_name_that_cannot_prefix_physical_names_is_refused():
    with pytest.raises(ConfigError, match="stack_name must start with a letter"):
        _config(stack_name="mobie hub")


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


def test_the_session_push_interval_is_one_deploy_setting_with_the_hubs_default(tmp_path):
    assert _config().session_push_interval_seconds == SESSION_PUSH_INTERVAL_DEFAULT == 300
    assert _config(session_push_interval_seconds="600").session_push_interval_seconds == 600
    assert _config(session_push_interval_seconds=900).session_push_interval_seconds == 900  # cdk.json: a number
    config_file = tmp_path / "deploy.json"
    config_file.write_text(json.dumps({"session_push_interval_seconds": 120}))
    from_file = read_deploy_settings({"MOBIE_DEPLOY_CONFIG": str(config_file)})
    assert _config(from_file).session_push_interval_seconds == 120
    from_env = read_deploy_settings(
        {"MOBIE_DEPLOY_CONFIG": str(config_file), "MOBIE_DEPLOY_SESSION_PUSH_INTERVAL_SECONDS": "1800"}
    )
    assert _config(from_env).session_push_interval_seconds == 1800  # the environment wins over the file
    assert _config(from_env, session_push_interval_seconds="60").session_push_interval_seconds == 60


@pytest.mark.parametrize("value", ["0", "-300", "3601", "5m", "300.5", "true"])
def test_a_session_push_interval_that_is_not_a_bounded_number_of_seconds_is_refused(value):
    low, high = SESSION_PUSH_INTERVAL_BOUNDS
    with pytest.raises(ConfigError) as refused:
        _config(session_push_interval_seconds=value)
    message = str(refused.value)
    assert "session_push_interval_seconds" in message and f"from {low} to {high}" in message
    assert repr(value) in message and "docs/deploy.md" in message


def _interval_readers(synth) -> dict:
    """The functions whose code windows session pushes: the converter and the push functions
    coalesce and throttle them, the OCPP messages write the Session once a window."""
    events = synth.stack.events
    return {"converter": events.converter, "push": events.push_function, "owner": events.owner_push_function,
            "ocpp-message": synth.stack.ocpp_gateway.message_function}


def test_the_session_push_interval_sets_every_function_that_windows_session_pushes(tmp_path, prod):
    from .conftest import synthesize

    def variables(synth):
        return {
            name: synth.resources[synth.logical_id(f)]["Properties"]["Environment"]["Variables"]
            for name, f in _interval_readers(synth).items()
        }

    assert {name: v[SESSION_PUSH_INTERVAL_ENV] for name, v in variables(prod).items()} == dict.fromkeys(
        ("converter", "push", "owner", "ocpp-message"), str(SESSION_PUSH_INTERVAL_DEFAULT)
    )
    slower = synthesize({"dev": "true", "session_push_interval_seconds": "900"}, tmp_path)
    assert {name: v[SESSION_PUSH_INTERVAL_ENV] for name, v in variables(slower).items()} == dict.fromkeys(
        ("converter", "push", "owner", "ocpp-message"), "900"
    )
    # No other function reads it: the interval is set where it is used, nowhere else.
    readers = {slower.logical_id(f) for f in _interval_readers(slower).values()}
    others = {
        key for key, resource in slower.of_type("AWS::Lambda::Function").items()
        if SESSION_PUSH_INTERVAL_ENV in resource["Properties"].get("Environment", {}).get("Variables", {})
    }
    assert others == readers


def test_the_audit_lock_defaults_to_the_records_retention_and_none_on_a_throwaway_stack():
    assert _config().audit_lock_days == AUDIT_RETENTION.to_days() == 1825
    assert _config(dev="true").audit_lock_days == 0  # a dev stack must stay deletable


def test_the_audit_lock_is_a_deploy_value_like_the_others(tmp_path):
    # Given the days in deploy.json, in the environment and on the command line (-c)
    config_file = tmp_path / "deploy.json"
    config_file.write_text(json.dumps({"audit_lock_days": 365}))
    from_file = read_deploy_settings({"MOBIE_DEPLOY_CONFIG": str(config_file)})
    from_env = read_deploy_settings(
        {"MOBIE_DEPLOY_CONFIG": str(config_file), "MOBIE_DEPLOY_AUDIT_LOCK_DAYS": "90"}
    )

    # Then each is read, the environment over the file and the context over both, as for every key
    assert _config(from_file).audit_lock_days == 365
    assert _config(from_env).audit_lock_days == 90
    assert _config(from_env, audit_lock_days="30").audit_lock_days == 30
    assert _config(audit_lock_days=0).audit_lock_days == 0  # cdk.json: a number; 0 keeps the bucket's lock
    assert _config(from_file, dev="true").audit_lock_days == 365  # given, a dev stack locks too
    # And `make deploy`'s check reads it the same way
    assert check_deploy({**from_env, **DOMAIN}).audit_lock_days == 90


@pytest.mark.parametrize("value", ["-1", "1826", "thirty", "1.5", "true", "5y"])
def test_audit_lock_days_that_are_not_whole_days_within_the_retention_are_refused(tmp_path, value):
    config_file = tmp_path / "deploy.json"
    config_file.write_text(json.dumps({"audit_lock_days": value}))
    from_file = read_deploy_settings({"MOBIE_DEPLOY_CONFIG": str(config_file)})
    for settings, context in (({}, {"audit_lock_days": value}), (from_file, {})):
        with pytest.raises(ConfigError) as refused:
            _config(settings, **context)
        message = str(refused.value)
        assert "audit_lock_days" in message and "from 0 to 1825" in message
        assert repr(value) in message and "docs/deploy.md" in message


def test_the_audit_lock_from_the_deploy_settings_reaches_the_records_bucket():
    from aws_cdk.assertions import Template

    from infra.app import build_app

    from .conftest import NO_BUNDLING

    # Given audit_lock_days only in the deployment settings (deploy.json or MOBIE_DEPLOY_AUDIT_LOCK_DAYS)
    _, stack = build_app({**NO_BUNDLING, **DOMAIN}, settings={"audit_lock_days": "30"})

    resources = Template.from_stack(stack).to_json()["Resources"]
    bucket = resources[stack.resolve(stack.audit.bucket.node.default_child.logical_id)]
    assert bucket["Properties"]["ObjectLockConfiguration"]["Rule"] == {
        "DefaultRetention": {"Mode": "GOVERNANCE", "Days": 30}
    }
