"""Settings read from the environment as pydantic-settings read them (core.settings.EnvSettings),
without pydantic-settings in the Lambda closure (issue #14, cold starts)."""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import BaseModel, Field, ValidationError

from mobie_hub.commands.config import CommandSettings
from mobie_hub.core.settings import EnvSettings, Settings, SettingsError, get_settings


class Part(BaseModel):
    name: str = "part"
    size: int = 1


class Sample(EnvSettings):
    env_prefix: ClassVar[str] = "SAMPLE_"
    env_nested_delimiter: ClassVar[str | None] = "__"

    flag: bool = False
    count: int = 0
    label: str | None = None
    hosts: list[str] = Field(default_factory=list)
    part: Part = Part()


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    for variable in ("SAMPLE_FLAG", "SAMPLE_COUNT", "SAMPLE_LABEL", "SAMPLE_HOSTS", "SAMPLE_PART", "SAMPLE_PART__SIZE"):
        monkeypatch.delenv(variable, raising=False)
    yield
    get_settings.cache_clear()


def test_scalars_come_from_prefixed_variables_and_the_field_type_converts_them(monkeypatch):
    monkeypatch.setenv("SAMPLE_FLAG", "true")
    monkeypatch.setenv("sample_count", "25")  # names are compared without case
    monkeypatch.setenv("SAMPLE_LABEL", "")
    settings = Sample()
    assert (settings.flag, settings.count, settings.label) == (True, 25, "")


def test_arguments_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("SAMPLE_COUNT", "25")
    assert Sample(count=3).count == 3


def test_lists_and_models_are_json_and_nested_variables_set_one_field(monkeypatch):
    monkeypatch.setenv("SAMPLE_HOSTS", '["a.example", "10.0.0.0/8"]')
    monkeypatch.setenv("SAMPLE_PART", '{"name": "json"}')
    monkeypatch.setenv("SAMPLE_PART__SIZE", "7")
    settings = Sample()
    assert settings.hosts == ["a.example", "10.0.0.0/8"]
    assert settings.part == Part(name="json", size=7)


def test_a_list_that_is_not_json_names_its_variable(monkeypatch):
    monkeypatch.setenv("SAMPLE_HOSTS", "a.example")
    with pytest.raises(SettingsError, match="SAMPLE_HOSTS must be JSON"):
        Sample()


def test_a_value_the_type_refuses_is_a_validation_error(monkeypatch):
    monkeypatch.setenv("SAMPLE_COUNT", "many")
    with pytest.raises(ValidationError, match="count"):
        Sample()


def test_variables_of_no_field_and_other_prefixes_are_ignored(monkeypatch):
    monkeypatch.setenv("SAMPLE_UNKNOWN", "1")
    monkeypatch.setenv("OTHER_COUNT", "9")
    assert Sample().count == 0


def test_the_hub_settings_read_their_variables(monkeypatch):
    monkeypatch.setenv("MOBIE_PUBLIC_URL", "https://hub.example/")
    monkeypatch.setenv("MOBIE_HUB__NAME", "MOBI.E test")
    monkeypatch.setenv("MOBIE_OUTBOUND_ALLOWED_HOSTS", '["emsp.internal"]')
    monkeypatch.setenv("MOBIE_COMMAND_UNLOCK_TIMEOUT_SECONDS", "2")
    settings = get_settings()
    assert settings.public_url == "https://hub.example"
    assert settings.hub.name == "MOBI.E test" and settings.hub.country_code == "PT"
    assert settings.outbound_allowed_hosts == ["emsp.internal"]
    assert CommandSettings().unlock_timeout_seconds == 2
    assert Settings(public_url="http://x").public_url == "http://x"
