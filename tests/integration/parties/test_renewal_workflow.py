"""The AWS renewal workflow, executed: moto runs the real state machine definition
(infra/constructs/credentials_renewal.asl.json) and its lambda:invoke tasks run the real handler
(functions/credentials_renewal) in-process against fake EMSPs on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mobie_hub.parties import repository as parties
from mobie_hub.parties.party import PartyRef
from tests.integration.parties.test_renewal import can_call_hub, registered
from tests.support.fake_emsp import FakeEmsp, garbage, running_emsp
from tests.support.handlers import lambda_module
from tests.support.lambda_runtime import execute, executing_aws, state_machine_of

FUNCTION = "mobie-hub-credentials-renewal"


@pytest.fixture
def aws() -> Iterator[None]:
    """moto with Step Functions really executing state machines (overrides the plain `aws` fixture)."""
    with executing_aws():
        yield


@pytest.fixture
def state_machine(aws) -> str:
    return state_machine_of("credentials_renewal.asl.json", {"RenewalFunctionArn": FUNCTION})


def run(state_machine: str, handler=None) -> tuple[dict, list]:
    return execute(state_machine, {}, {FUNCTION: handler or lambda_module("credentials_renewal").handler})


def test_the_workflow_renews_due_parties_and_reports_failures_without_failing(
    hub, edp: FakeEmsp, glp: FakeEmsp, state_machine, capsys
):
    # Given two parties due for renewal, one of which answers garbage, and one not yet due
    registered(hub, edp)
    glp_before = registered(hub, glp)
    glp_tokens = (glp.hub_token, glp_before.party_token)
    glp.override["credentials"] = garbage
    with running_emsp(party_id="IBD") as ibd:
        registered(hub, ibd, days_ago=1)
        # When the schedule starts the workflow
        output, calls = run(state_machine)
    # Then each due party went through one Renew task, and the run succeeded with both outcomes
    assert [event["action"] for _, event in calls] == ["list_due", "renew", "renew"]
    outcomes = {o["label"]: o for o in output["outcomes"]}
    assert outcomes["EMSP PT/EDP"]["renewed"] is True
    assert (
        outcomes["EMSP PT/GLP"]["renewed"] is False
        and "not an OCPI response" in outcomes["EMSP PT/GLP"]["reason"]
    )
    assert "EMSP PT/IBD" not in outcomes
    # EDP has new credentials both ways; GLP's old ones still work both ways
    assert can_call_hub(hub, edp.hub_token)
    glp_after = parties.get_party(PartyRef(country_code="PT", party_id="GLP"))
    assert glp_after.party_token == glp_tokens[1] and can_call_hub(hub, glp_tokens[0])
    # And each outcome was counted as a metric (Powertools EMF)
    printed = capsys.readouterr().out
    assert '"CredentialsRenewed"' in printed and '"CredentialsRenewalFailed"' in printed


def test_a_crashing_renew_task_is_caught_recorded_and_counted(hub, edp: FakeEmsp, state_machine, capsys):
    registered(hub, edp)
    real = lambda_module("credentials_renewal").handler

    def crashing(event, context):
        if event["action"] == "renew":
            raise RuntimeError("the Lambda ran out of time")
        return real(event, context)

    output, calls = run(state_machine, crashing)
    assert [event["action"] for _, event in calls] == ["list_due", "renew", "record_failure"]
    (outcome,) = output["outcomes"]
    assert outcome["renewed"] is False and "ran out of time" in outcome["reason"]
    assert outcome["label"] == "EMSP PT/EDP"
    assert '"CredentialsRenewalFailed"' in capsys.readouterr().out


def test_nothing_due_is_an_empty_successful_run(aws, state_machine):
    output, calls = run(state_machine)
    assert output["outcomes"] == [] and [e["action"] for _, e in calls] == ["list_due"]
