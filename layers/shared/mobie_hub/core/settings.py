"""Configuration as a validated model, composed of small parts, read once by ``get_settings()``.

Every value comes from ``MOBIE_*`` environment variables (set by the CDK on each Lambda, or by
``mobie-hub serve`` locally). Nothing reads the environment at import time, so tests can set it first.
"""

from __future__ import annotations

import json
import os
import types
from functools import cache
from typing import Any, ClassVar, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mobie_hub.core.tables import ALL_TABLES


class SettingsError(ValueError):
    """An environment variable that cannot be read as its setting (not JSON where JSON is needed)."""


class EnvSettings(BaseModel):
    """A model whose fields not given as arguments come from the environment, as pydantic-settings
    reads them (the hub needs no more, and pydantic-settings cost every cold start ~4 % of the
    ``make bench`` baseline): ``<env_prefix><FIELD>``, names compared without case; a list, dict or
    model field is JSON, and with ``env_nested_delimiter`` ``MOBIE_HUB__NAME`` sets ``hub.name``;
    every other value is the string, which the field's type validates (``"true"``, ``"25"``)."""

    model_config = ConfigDict(extra="ignore", validate_default=True)  # as pydantic-settings
    env_prefix: ClassVar[str] = "MOBIE_"
    env_nested_delimiter: ClassVar[str | None] = None

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**self._environment(), **values})

    @classmethod
    def _environment(cls) -> dict[str, Any]:
        prefix, delimiter = cls.env_prefix.lower(), cls.env_nested_delimiter
        found: dict[str, Any] = {}
        nested: dict[str, dict[str, Any]] = {}
        for variable, raw in os.environ.items():
            key = variable.lower()
            if not key.startswith(prefix):
                continue
            name, _, path = key[len(prefix):].partition(delimiter) if delimiter else (key[len(prefix):], "", "")
            field = cls.model_fields.get(name)
            if field is None:
                continue
            if path:
                _set_path(nested.setdefault(name, {}), path.split(delimiter), raw)
            else:
                found[name] = _decode(variable, raw) if _is_complex(field.annotation) else raw
        for name, values in nested.items():
            found[name] = _merge(found[name], values) if isinstance(found.get(name), dict) else values
        return found


def _is_complex(annotation: Any) -> bool:
    """A type whose environment value is JSON: a model, a collection, or an optional one."""
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return any(_is_complex(arg) for arg in get_args(annotation) if arg is not type(None))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return (origin or annotation) in (list, set, frozenset, tuple, dict)


def _decode(variable: str, raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise SettingsError(f"{variable} must be JSON (a list, object or model): {exc}") from None


def _set_path(target: dict[str, Any], path: list[str], raw: str) -> None:
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = raw


def _merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in update.items():
        merged[key] = _merge(merged[key], value) if isinstance(merged.get(key), dict) and isinstance(value, dict) else value
    return merged


class HubIdentity(BaseModel):
    """Who the hub is in OCPI terms (profile §3: the routing headers name MOBI.E as PT / MOB)."""

    country_code: str = Field(default="PT", min_length=2, max_length=2)
    party_id: str = Field(default="MOB", min_length=3, max_length=3)
    name: str = "MOBI.E"
    website: str = "https://www.mobie.pt"


class TableNames(BaseModel):
    """Deployed table names by table key; defaults are the local names (``mobie-<key>``)."""

    names: dict[str, str] = Field(default_factory=lambda: {t.key: t.default_name for t in ALL_TABLES})

    def __getitem__(self, key: str) -> str:
        return self.names[key]


def _default_client_info_push() -> str:
    return "stream" if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") else "inline"


class Settings(EnvSettings):
    """The hub's settings. ``public_url`` is the base every published URL is built from."""

    env_nested_delimiter: ClassVar[str | None] = "__"

    public_url: str = "http://127.0.0.1:8080"
    hub: HubIdentity = HubIdentity()
    tables: TableNames = TableNames()
    aws_region: str = "eu-west-1"
    dynamodb_endpoint: str | None = None
    max_page_limit: int = Field(default=100, ge=1, le=1000)
    outbound_timeout_seconds: float = Field(default=10.0, gt=0)
    # A Location push batch calls its parties at once, a thread each (events.location_push); 1: one
    # after another (make cost measures so, and overlaps their network time by the deployed value).
    push_threads: int = Field(default=25, ge=1, le=100)
    # The outbound URL policy (mobie_hub.outbound.url_policy; issue #12 finding 4): https only, and no
    # loopback/private/link-local/own address, unless opened here. `mobie-hub serve` sets allow_http
    # when the hub itself is not on TLS; allow_loopback only with --allow-loopback-parties.
    outbound_allow_http: bool = False
    outbound_allow_loopback: bool = False
    outbound_allowed_hosts: list[str] = Field(default_factory=list)  # host names or CIDRs, e.g. 10.1.0.0/16
    require_client_cert: bool = False
    # OCPP gateway (docs/ocpp.md). A heartbeat at most every 300 s keeps a station's connection inside
    # API Gateway's 10-minute idle timeout.
    # Fail closed: every station authenticates (HTTP Basic). Only `mobie-hub serve --insecure-open-stations`
    # or the CDK context insecure_open_stations=true set this to false (docs/ocpp.md "Admission").
    require_station_auth: bool = True
    # Failed station authentications per station id and window before that id is refused for the
    # rest of the window (ocpp.repository "AUTHFAIL#"; the edge's WAF limits per address).
    station_auth_max_failures: int = Field(default=10, ge=1)
    station_auth_failure_window_seconds: int = Field(default=300, ge=10)
    # Message volume (docs/ocpp.md "Message volume", ocpp.configuration): the Heartbeat interval, set
    # once the station accepted WebSocket pings (they keep its connection inside API Gateway's 10-minute
    # idle timeout; until then the boot hands out at most 300 s); the meter sample interval bounds how
    # old a session's kWh can be at its EMSP. Set after the first Heartbeat after a boot; 0: leave the
    # station's own value.
    ocpp_heartbeat_interval: int = Field(default=1800, ge=10, le=86400)
    ocpp_websocket_ping_interval: int = Field(default=240, ge=0, le=540)
    ocpp_meter_sample_interval: int = Field(default=300, ge=0, le=3600)
    # A station not heard (Heartbeat, BootNotification) for longer than this is offline: its EVSEs become
    # UNKNOWN (ocpp.watchdog). More than two heartbeat intervals: API Gateway closes a connection idle
    # for 10 min (no ping), whose $disconnect does the same sooner; the watchdog catches a lost one.
    ocpp_offline_grace_seconds: int = Field(default=3900, ge=60)
    # A station whose connection ended and that has not reconnected for longer than this is offline
    # (issue #18: API Gateway ends every connection after 2 h; a reconnect takes seconds and must not
    # flap every EVSE UNKNOWN at 30 EMSPs). Swept every minute: marked 2-3 min after it left. 0: at once.
    ocpp_disconnect_grace_seconds: int = Field(default=120, ge=0, le=900)
    ocpp_call_timeout_seconds: int = Field(default=60, ge=1, le=3600)
    ocpp_data_transfer_vendors: list[str] = Field(default_factory=list)
    # Meter plausibility (sessions.plausibility, docs/sessions.md): a reading or stop more than this long
    # after its transaction's start makes the session INVALID (never billed) and alarms the operator.
    max_transaction_hours: float = Field(default=48, gt=0)
    # METER items (each MeterValues' facts) expire this many days after their transaction's CDR can
    # exist (sessions.transaction_repository.meter_expiry); the audit trail keeps the frames for years.
    meter_facts_retention_days: int = Field(default=180, ge=1)
    ocpp_management_url: str | None = None  # API Gateway Management API endpoint, https://<api>/<stage>
    # Session pushes (docs/events.md "Coalesced session pushes"): at most one PATCH of a session's
    # meter data per this many seconds; state changes are pushed at once. 0 pushes every update.
    session_push_interval_seconds: int = Field(default=300, ge=0, le=3600)
    event_bus_name: str | None = None  # AWS: the hub's bus, where the push sweep puts SessionResync events
    # Profile §6: one full (unfiltered) Locations list per requesting party per window; list pages cached.
    full_list_interval_seconds: int = Field(default=300, ge=0)
    list_cache_seconds: int = Field(default=60, ge=0)
    # Profile §5: credentials are renewed with every party this many days after their last change;
    # the local hub checks every renewal_interval_seconds (AWS: a daily EventBridge schedule).
    credentials_renewal_days: float = Field(default=7, gt=0)
    renewal_interval_seconds: float = Field(default=86400, gt=0)
    # HubClientInfo pushes: "inline" right after a status change (local hub), or "stream" (AWS: the
    # parties table stream drives functions/hubclientinfo_push). Lambda defaults to "stream".
    client_info_push: Literal["inline", "stream"] = Field(default_factory=_default_client_info_push)

    @model_validator(mode="after")
    def _grace_covers_a_heartbeat(self) -> Settings:
        if self.ocpp_offline_grace_seconds <= self.ocpp_heartbeat_interval:
            raise ValueError(
                "ocpp_offline_grace_seconds must exceed ocpp_heartbeat_interval, or every station "
                "would be marked offline between two heartbeats"
            )
        return self

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def ocpi_url(self, *parts: str) -> str:
        """An absolute URL under ``{public_url}/ocpi``."""
        return "/".join([self.public_url, "ocpi", *(p.strip("/") for p in parts if p)])


def _table_names_from_env() -> dict[str, str]:
    return {t.key: os.environ.get(t.env_var, t.default_name) for t in ALL_TABLES}


@cache
def get_settings() -> Settings:
    """The process-wide settings; ``get_settings.cache_clear()`` after changing the environment."""
    return Settings(tables=TableNames(names=_table_names_from_env()))
