"""The cost report: one JSON-able object (``build``) and its rendering as tables (``render``)."""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import Any

from cost.container import Containers, container_items
from cost.model import Scale, serverless_items, summary, work_per_month

GOAL_PER_SESSION = 0.001  # $ per charging session (issue #18)
GOAL_RATIO = 0.75  # serverless / containers (issue #18)
GOAL_OCPP_LOG_BYTES = 600  # log bytes per OCPP message: audit + logs + metrics (issue #18)
GOAL_METER_CALLS, GOAL_METER_WRU = 2, 4  # DynamoDB calls and write units of one MeterValues (issue #18)
OCPP_FUNCTION = "ocpp-message"
OCPP_WORK = (
    "BootNotification", "CallResult (answer to a hub call)", "StatusNotification (unchanged)", "Heartbeat",
    "StatusNotification (changed)", "Authorize", "StartTransaction", "MeterValues", "StopTransaction",
)


def _dollars_of(profile: dict[str, Any], scale: Scale, prices: dict[str, Any], names: list[str]) -> float:
    only = {**profile, "work": {name: profile["work"][name] for name in names}}
    return sum(item.dollars for item in serverless_items(only, scale, prices))


def _work_rows(profile: dict[str, Any], scale: Scale, prices: dict[str, Any]) -> list[dict[str, Any]]:
    """Per piece of work: what one does, and what all of a month's cost beyond the fixed items (the
    bill of this work alone minus the bill of no work: connection minutes, alarms, stream polling)."""
    rows = []
    fixed = _dollars_of(profile, scale, prices, [])
    for name, per_month in work_per_month(profile, scale).items():
        usage = profile["work"][name]["usage"]
        logged = sum(
            v for k, v in usage.items()
            if k.split("|")[0] in ("logs.bytes", "logs.emf", "logs.audit", "logs.access", "sfn.logs")
        ) + usage.get("firehose.bytes", 0.0)
        rows.append({
            "work": name,
            "per_month": per_month,
            "dollars_per_month": _dollars_of(profile, scale, prices, [name]) - fixed,
            "measured": profile["work"][name]["count"],
            "lambda_invocations": sum(v for k, v in usage.items() if k.startswith("lambda.requests|")),
            "dynamodb_calls": sum(v for k, v in usage.items() if k.startswith("ddb.calls|")),
            "write_units": sum(v for k, v in usage.items() if k.startswith("ddb.wru|")),
            "read_units": sum(v for k, v in usage.items() if k.startswith("ddb.rru|")),
            "log_bytes": logged,
            "events_put": usage.get("events.put", 0.0),
            "executions": sum(v for k, v in usage.items() if k.startswith(("sfn.express.requests|", "sfn.standard.requests|"))),
            "ocpp_function": {
                "dynamodb_calls": usage.get(f"lambda.ddb_calls|{OCPP_FUNCTION}", 0.0),
                "write_units": usage.get(f"lambda.wru|{OCPP_FUNCTION}", 0.0),
                # audit records (as log lines or Firehose records), logs and metrics
                "log_bytes": sum(
                    usage.get(f"{kind}|{OCPP_FUNCTION}", 0.0)
                    for kind in ("logs.bytes", "logs.emf", "logs.audit", "lambda.firehose_bytes")
                ),
            },
        })
    return rows


def build(profile: dict[str, Any], scale: Scale, prices: dict[str, Any], containers: Containers) -> dict[str, Any]:
    serverless = summary(serverless_items(profile, scale, prices), scale)
    alternative = summary(container_items(profile, scale, prices, containers), scale)
    ratio = serverless["total_per_month"] / alternative["total_per_month"]
    rows = _work_rows(profile, scale, prices)
    ocpp = [row for row in rows if row["work"] in OCPP_WORK]
    messages = sum(row["per_month"] for row in ocpp)
    log_bytes = sum(row["per_month"] * row["ocpp_function"]["log_bytes"] for row in ocpp) / messages
    ocpp_function = profile["meta"].get("functions", {}).get(OCPP_FUNCTION, {})
    platform = profile["meta"].get("platform_log_bytes", 0) if ocpp_function.get("platform_logs", True) else 0
    meter = next((row["ocpp_function"] for row in rows if row["work"] == "MeterValues"), None)
    goals = {
        "per_session": {"goal": GOAL_PER_SESSION, "value": serverless["per_session"],
                        "met": serverless["per_session"] <= GOAL_PER_SESSION},
        "ratio_to_containers": {"goal": GOAL_RATIO, "value": ratio, "met": ratio <= GOAL_RATIO},
        "ocpp_log_bytes_per_message": {
            "goal": GOAL_OCPP_LOG_BYTES, "value": log_bytes, "met": log_bytes <= GOAL_OCPP_LOG_BYTES,
            "of_which_lambda_platform_lines": platform,
        },
    }
    if meter is not None:
        goals["meter_values_dynamodb"] = {
            "goal": f"<= {GOAL_METER_CALLS} calls, <= {GOAL_METER_WRU} WRU",
            "value": f"{meter['dynamodb_calls']:.2f} calls, {meter['write_units']:.2f} WRU",
            "met": meter["dynamodb_calls"] <= GOAL_METER_CALLS and meter["write_units"] <= GOAL_METER_WRU,
        }
    return {
        "scale": asdict(scale),
        "prices": {"region": prices["region"], "as_of": prices["as_of"], "note": prices["note"]},
        "measured": profile["meta"],
        "work": rows,
        "serverless": serverless,
        "containers": {**alternative, "shape": asdict(containers)},
        "ratio": ratio,
        "goals": goals,
    }


def _money(value: float) -> str:
    return f"${value:,.2f}" if value >= 0.01 or value == 0 else f"${value:.4f}"


def _quantity(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"


def render(report: dict[str, Any], out: Any = None) -> None:
    """The report as tables: rich when the output is a terminal, plain text otherwise."""
    out = out or sys.stdout
    tables = _tables(report)
    if out.isatty():
        from rich.console import Console
        from rich.table import Table

        console = Console(file=out)
        for title, header, rows in tables:
            table = Table(title=title, title_justify="left")
            for n, column in enumerate(header):
                table.add_column(column, justify="left" if n == 0 else "right")
            for row in rows:
                table.add_row(*row)
            console.print(table)
    else:
        for title, header, rows in tables:
            widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
            print(f"\n{title}", file=out)
            for row in [header, *rows]:
                cells = [str(c).ljust(widths[0]) if i == 0 else str(c).rjust(widths[i]) for i, c in enumerate(row)]
                print("  " + "  ".join(cells), file=out)
    for line in _footer(report):
        print(line, file=out)


def _bill(section: dict[str, Any]) -> list[list[str]]:
    rows = [
        [i["name"], _quantity(i["quantity"]), i["unit"], _money(i["dollars"]), f"{i['share']:.1%}"]
        for i in section["items"]
    ]
    rows.append(["TOTAL", "", "", _money(section["total_per_month"]), "100%"])
    rows.append(["per charging session", "", "", f"${section['per_session']:.5f}", ""])
    return rows


def _tables(report: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    scale = report["scale"]
    title = (
        f"Serverless, per month: {scale['stations']:,} stations, {scale['sessions_per_day']:,} sessions/day, "
        f"{scale['emsps']} EMSPs, Heartbeat {scale['heartbeat_interval']} s, MeterValues {scale['meter_interval']} s, "
        f"{scale['session_minutes']} min sessions"
    )
    items = _bill(report["serverless"])
    shape = report["containers"]["shape"]
    alternative = _bill(report["containers"])
    work = [
        [
            w["work"], _quantity(w["per_month"]), _money(w["dollars_per_month"]), f"{w['lambda_invocations']:.2f}", f"{w['dynamodb_calls']:.2f}",
            f"{w['write_units']:.2f}", f"{w['read_units']:.2f}", f"{w['log_bytes']:,.0f}",
            (f"{w['ocpp_function']['dynamodb_calls']:.2f} / {w['ocpp_function']['write_units']:.2f} / "
            f"{w['ocpp_function']['log_bytes']:,.0f}"),
        ]
        for w in sorted(report["work"], key=lambda w: w["dollars_per_month"], reverse=True)
    ]
    return [
        (("Measured per piece of work (mean of the measured runs, everything downstream included; $/month: all of"
         " it at this scale, without the fixed items)"),
         ["work", "per month", "$/month", "Lambdas", "DDB calls", "WRU", "RRU", "log bytes", "ocpp-message: calls / WRU / log B"],
         work),
        (title, ["item", "quantity", "unit", "$/month", "share"], items),
        ((f"Containers at the same load: {shape['tasks']} Fargate tasks ({shape['vcpu']} vCPU, {shape['memory_gb']} GB, arm64) "
         "+ ALB + the same DynamoDB"), ["item", "quantity", "unit", "$/month", "share"], alternative),
    ]


def _footer(report: dict[str, Any]) -> list[str]:
    measured = report["measured"]
    lines = [
        "",
        (f"Serverless {_money(report['serverless']['total_per_month'])}/month vs containers "
        f"{_money(report['containers']['total_per_month'])}/month: ratio {report['ratio']:.2f}"),
    ]
    for name, goal in report["goals"].items():
        value = goal["value"]
        shown = f"{value:.5f}" if isinstance(value, float) and value < 1 else (f"{value:,.2f}" if isinstance(value, float) else value)
        extra = (
            f" (of which {goal['of_which_lambda_platform_lines']:.0f} B Lambda's START/END/REPORT lines)"
            if "of_which_lambda_platform_lines" in goal else ""
        )
        lines.append(f"  goal {name}: {shown}{extra} (goal {goal['goal']}): {'MET' if goal['met'] else 'NOT MET'}")
    if measured.get("unmodeled_targets"):
        lines.append(f"NOT MODELED (rule or schedule targets the harness cannot run): {measured['unmodeled_targets']}")
    lines.append(
        f"Measured at commit {measured.get('commit')} on {measured.get('measured_at')}; prices "
        f"{report['prices']['region']} as of {report['prices']['as_of']} (list prices: check them)."
    )
    return lines

