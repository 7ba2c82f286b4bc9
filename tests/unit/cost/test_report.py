"""``make cost --json``: one object with the items, the totals, the container alternative and the goals."""

from __future__ import annotations

import json

from cost.__main__ import main
from tests.unit.cost.profiles import profile


def run(tmp_path, capsys, *flags: str) -> tuple[int, str, str]:
    saved = tmp_path / "profile.json"
    saved.write_text(json.dumps(profile()))
    code = main(["--profile", str(saved), "--meter-interval", "60", *flags])  # the profile's own
    out, err = capsys.readouterr()
    return code, out, err


def test_json_prints_the_whole_report_as_one_object(tmp_path, capsys):
    code, out, _ = run(tmp_path, capsys, "--json", "--stations", "2000")

    report = json.loads(out)
    assert code == 0
    assert set(report) == {"scale", "prices", "measured", "work", "serverless", "containers", "ratio", "goals"}
    assert report["scale"]["stations"] == 2000 and report["scale"]["heartbeat_interval"] == 300
    assert report["prices"]["region"] == "eu-west-1" and report["prices"]["as_of"]
    serverless = report["serverless"]
    assert serverless["total_per_month"] == sum(item["dollars"] for item in serverless["items"])
    assert abs(sum(item["share"] for item in serverless["items"]) - 1) < 1e-9
    assert serverless["per_session"] == serverless["total_per_month"] / (60_000 * 30.4)
    assert report["ratio"] == serverless["total_per_month"] / report["containers"]["total_per_month"]
    assert set(report["goals"]) >= {"per_session", "ratio_to_containers", "ocpp_log_bytes_per_message"}
    assert report["goals"]["per_session"]["met"] == (serverless["per_session"] <= 0.001)
    assert {row["work"] for row in report["work"]} == {"Heartbeat", "MeterValues", "StartTransaction"}


def test_the_tables_name_every_item_the_totals_and_the_goals(tmp_path, capsys):
    code, out, _ = run(tmp_path, capsys)

    assert code == 0
    assert "API Gateway WebSocket: messages" in out and "Fargate: vCPU" in out
    assert "per charging session" in out and "ratio" in out
    assert "goal per_session" in out and ("MET" in out)


def test_a_profile_measured_with_other_emsps_is_refused(tmp_path, capsys):
    code, _, err = run(tmp_path, capsys, "--emsps", "5")

    assert code == 2 and "emsps" in err


def test_without_the_flag_the_stations_meter_as_the_hub_configures_them(tmp_path, capsys, monkeypatch):
    from mobie_hub.core.settings import get_settings

    saved = tmp_path / "profile.json"
    saved.write_text(json.dumps(profile()))  # measured with MeterValues every 60 s
    monkeypatch.setenv("MOBIE_OCPP_METER_SAMPLE_INTERVAL", "300")
    get_settings.cache_clear()
    try:
        assert main(["--profile", str(saved), "--json"]) == 2  # 300 s is not what it measured
        assert "meter_interval" in capsys.readouterr().err
        monkeypatch.setenv("MOBIE_OCPP_METER_SAMPLE_INTERVAL", "60")
        get_settings.cache_clear()
        assert main(["--profile", str(saved), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["scale"]["meter_interval"] == 60
    finally:
        get_settings.cache_clear()
