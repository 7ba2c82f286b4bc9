"""The deployment's settings, read once and validated before any construct is built.

Each key is looked up in CDK context (cdk.json "context", `cdk synth|deploy -c key=value`, an App's
``context=``), then in the deployment settings ``read_deploy_settings`` gathers for `make deploy`
(environment ``MOBIE_DEPLOY_<KEY>``, then the file deploy.json). docs/deploy.md lists every key.

Without any domain value a synth builds the production shape around a placeholder domain (so `make
synth` works from a fresh clone); with ``deploy=true`` (`make deploy`) every missing value is named in
one error instead. The domains are read and checked in ``infra.config_domains``, flags and whole
numbers in ``infra.config_values``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from constructs import Node

from infra.config_domains import (
    DOMAIN_KEYS,
    CustomDomain,
    Get,
    StationDomain,
    custom_domain,
    placeholder_domain,
    station_domain,
)
from infra.config_values import ConfigError, flag, whole_number, whole_number_between
from infra.constants import (
    ACCOUNT_CONCURRENCY,
    AUDIT_RETENTION,
    DEFAULT_REGION,
    DEPLOY_CONFIG_ENV,
    DEPLOY_CONFIG_FILE,
    DEPLOY_ENV_PREFIX,
    ROOT,
    STACK_NAME,
    STATION_CONCURRENCY_SHARES,
    STATION_RESERVED_CONCURRENCY,
    UNRESERVED_CONCURRENCY_MINIMUM,
    WATCHDOG_RESERVED_CONCURRENCY,
    Context,
)
from mobie_hub.core.settings import Settings

_CLOUDFRONT_WEB_ACL_ARN = re.compile(
    r"^arn:aws[a-z\-]*:wafv2:us-east-1:\d{12}:global/webacl/[\w\-]+/[\w\-]+$"
)
_STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")
# The hub's default (core.settings), and the bounds a deployment may set: at least a second (0, every
# meter value pushed, is the sandbox's, not a deployment's); at most an hour (a push claim's recheck
# and the EMSP's view of a charging session: beyond that the kWh is too old to show a driver).
SESSION_PUSH_INTERVAL_DEFAULT = int(Settings.model_fields["session_push_interval_seconds"].default)
SESSION_PUSH_INTERVAL_BOUNDS = (1, 3600)
# Keys a deployment file or MOBIE_DEPLOY_* variable may set (the context keys, minus the internal ones).
_SETTING_KEYS = tuple(
    value for name, value in vars(Context).items() if name.isupper() and value != Context.DEPLOY
)


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
    placeholder: bool = False  # the domain is PLACEHOLDER_DOMAIN: synth only, `make deploy` refuses it
    station_concurrency: Mapping[str, int] | None = None  # reserved concurrency per OCPP function; None: off
    station_domain: StationDomain | None = None
    # At most one meter PATCH a charging session per this many seconds: the environment of every
    # function that coalesces or throttles session pushes (infra/constructs/events.py).
    session_push_interval_seconds: int = SESSION_PUSH_INTERVAL_DEFAULT
    # Days S3 Object Lock keeps each audit record version (infra/constructs/audit.py); by default the
    # records' retention, 0 on a stack that does not retain its data (it must stay deletable).
    audit_lock_days: int = AUDIT_RETENTION.to_days()

    @property
    def retain_data(self) -> bool:
        """Tables and logs survive `cdk destroy` unless this is a throwaway dev stack."""
        return not self.dev

    @property
    def mtls(self) -> bool:
        return self.domain is not None

    @classmethod
    def from_context(cls, node: Node, settings: Mapping[str, str] | None = None) -> DeployConfig:
        """``settings``: the deployment's values from outside the context (``read_deploy_settings``);
        a context value wins over them."""
        settings = settings or {}

        def raw(key: str) -> object:
            value = node.try_get_context(key)
            return settings.get(key) if value in (None, "") else value

        def get(key: str) -> str | None:
            value = raw(key)
            return None if value in (None, "") else str(value)

        region = get(Context.REGION) or DEFAULT_REGION
        dev = flag(raw(Context.DEV), Context.DEV)
        deploy = flag(raw(Context.DEPLOY), Context.DEPLOY)
        if deploy:
            _require_deployable(get, dev)
        domain = custom_domain(get, region)
        stack_name = get(Context.STACK_NAME) or STACK_NAME
        if not _STACK_NAME.match(stack_name):
            raise ConfigError(
                f"stack_name must start with a letter and hold only letters, digits and '-' (at most 128), "
                f"got {stack_name!r}: every physical name of the stack starts with it"
            )
        return cls(
            region=region,
            account=get(Context.ACCOUNT) or os.environ.get("CDK_DEFAULT_ACCOUNT"),
            stack_name=stack_name,
            dev=dev,
            domain=domain or (None if dev else placeholder_domain(region)),
            dependency_layer_dir=_prebuilt_dir(get(Context.DEPENDENCY_LAYER_DIR)),
            insecure_open_stations=_insecure_open_stations(raw),
            ocpp_web_acl_arn=_web_acl_arn(get(Context.OCPP_WEB_ACL_ARN)),
            placeholder=domain is None and not dev,
            station_concurrency=_station_concurrency(get, dev),
            station_domain=station_domain(get),
            session_push_interval_seconds=_session_push_interval(get(Context.SESSION_PUSH_INTERVAL_SECONDS)),
            audit_lock_days=_audit_lock_days(get(Context.AUDIT_LOCK_DAYS), retain=not dev),
        )


def read_deploy_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """The deployment's values outside the CDK context: the JSON object of context keys in the file
    ``MOBIE_DEPLOY_CONFIG`` names (default deploy.json at the repository root, if it exists), then the
    ``MOBIE_DEPLOY_<KEY>`` variables of ``environ`` over it (``MOBIE_DEPLOY_DOMAIN_NAME``, …)."""
    named = environ.get(DEPLOY_CONFIG_ENV)
    path = Path(named) if named else DEPLOY_CONFIG_FILE
    settings: dict[str, str] = {}
    if named or path.is_file():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{DEPLOY_CONFIG_ENV}={path}: cannot read it ({exc.strerror})") from exc
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path} is not valid JSON: {exc}") from exc
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path} must hold one JSON object of context keys (docs/deploy.md)")
        unknown = sorted(set(loaded) - set(_SETTING_KEYS))
        if unknown:
            raise ConfigError(f"{path}: unknown keys {', '.join(unknown)}; known: {', '.join(_SETTING_KEYS)}")
        settings.update({key: str(value) for key, value in loaded.items() if value not in (None, "")})
    for key in _SETTING_KEYS:
        value = environ.get(env_var(key))
        if value:
            settings[key] = value
    return settings


def env_var(key: str) -> str:
    """The environment variable `make deploy` reads a context key from: MOBIE_DEPLOY_<KEY>."""
    return f"{DEPLOY_ENV_PREFIX}{key.upper()}"


def _require_deployable(get: Get, dev: bool) -> None:
    """``deploy=true``: every value a real deployment needs, all the missing ones named at once."""
    if dev:
        return  # a dev stack deploys without a domain (no mTLS); with one, _domain checks it whole
    missing = [key for key in DOMAIN_KEYS if get(key) is None]
    if missing:
        names = ", ".join(f"{key} ({env_var(key)})" for key in missing)
        raise ConfigError(
            f"cannot deploy: missing {names}. Set them in the environment, in deploy.json (or the file "
            f"{DEPLOY_CONFIG_ENV} names) or with -c key=value; hosted_zone_id and hosted_zone_name are "
            "optional (without them, create the DNS record from the stack outputs). docs/deploy.md has the "
            f"steps; MOBIE_DEPLOY_DEV=true deploys a throwaway stack without domain (no mutual TLS)"
        )



def _station_concurrency(get: Get, dev: bool) -> dict[str, int] | None:
    """Reserved concurrency per OCPP function (by construct id), from the station path's total."""
    total = whole_number(get(Context.STATION_RESERVED_CONCURRENCY), Context.STATION_RESERVED_CONCURRENCY)
    if total is None:
        total = 0 if dev else STATION_RESERVED_CONCURRENCY
    if total == 0:
        return None
    account = whole_number(get(Context.ACCOUNT_CONCURRENCY), Context.ACCOUNT_CONCURRENCY) or ACCOUNT_CONCURRENCY
    shares = {name: max(1, round(total * share)) for name, share in STATION_CONCURRENCY_SHARES.items()}
    shares["Watchdog"] = WATCHDOG_RESERVED_CONCURRENCY
    reserved = sum(shares.values())
    if reserved > account - UNRESERVED_CONCURRENCY_MINIMUM:
        raise ConfigError(
            f"station_reserved_concurrency={total} reserves {reserved} of the account's {account} concurrent "
            f"executions, but Lambda keeps {UNRESERVED_CONCURRENCY_MINIMUM} unreserved: lower it, raise the "
            "account's quota (and set account_concurrency), or set 0 for no reservation (docs/deploy.md)"
        )
    return shares


def _session_push_interval(value: str | None) -> int:
    """The session push interval in whole seconds, within ``SESSION_PUSH_INTERVAL_BOUNDS``."""
    if value is None:
        return SESSION_PUSH_INTERVAL_DEFAULT
    return whole_number_between(
        value, Context.SESSION_PUSH_INTERVAL_SECONDS, *SESSION_PUSH_INTERVAL_BOUNDS, unit="seconds",
        meaning="how often at most an EMSP gets a charging session's kWh: docs/deploy.md",
    )


def _audit_lock_days(value: str | None, retain: bool) -> int:
    """Days Object Lock keeps each audit record version: at most the records' retention (a longer lock
    would keep them from ever expiring). Unset: the retention, or 0 on a stack that does not retain
    its data (a throwaway stack must stay deletable)."""
    retention = AUDIT_RETENTION.to_days()
    if value is None:
        return retention if retain else 0
    return whole_number_between(
        value, Context.AUDIT_LOCK_DAYS, 0, retention, unit="days",
        meaning="how long each audit record stays locked, at most the records' retention: docs/deploy.md",
    )



def _insecure_open_stations(raw) -> bool:
    """Stations authenticate unless ``insecure_open_stations`` is true. The former opt-in
    ``require_station_auth`` is accepted when true (the default now) and refused when false, which
    must not quietly open the stations."""
    legacy = raw(Context.REQUIRE_STATION_AUTH)
    if legacy is not None and not flag(legacy, Context.REQUIRE_STATION_AUTH):
        raise ConfigError(
            "require_station_auth=false no longer opens the OCPP gateway: stations always authenticate; "
            "to let stations without a password in, set insecure_open_stations=true (docs/deploy.md)"
        )
    return flag(raw(Context.INSECURE_OPEN_STATIONS), Context.INSECURE_OPEN_STATIONS)


def _web_acl_arn(value: str | None) -> str | None:
    if value is not None and not _CLOUDFRONT_WEB_ACL_ARN.match(value):
        raise ConfigError(
            f"ocpp_web_acl_arn must be a CLOUDFRONT-scope WAFv2 web ACL ARN "
            f"(arn:aws:wafv2:us-east-1:ACCOUNT:global/webacl/NAME/ID), got {value}"
        )
    return value



def _prebuilt_dir(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value) if Path(value).is_absolute() else ROOT / value
    if not (path / "python").is_dir():
        raise ConfigError(f"dependency_layer_dir must contain python/ (a pip --target tree): {path}")
    return path
