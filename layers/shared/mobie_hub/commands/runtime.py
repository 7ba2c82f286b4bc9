"""Where the commands module's ports are composed: the installed ones (local hub, tests), else AWS
(Step Functions; sessions through ``repositories.sessions``), built once per process."""

from __future__ import annotations

from mobie_hub.commands.ports import CommandWorkflow, SessionFacts

_workflow: CommandWorkflow | None = None
_sessions: SessionFacts | None = None


def workflow() -> CommandWorkflow:
    global _workflow
    if _workflow is None:
        from mobie_hub.adapters.command_workflow import StepFunctionsWorkflow
        from mobie_hub.commands.config import command_settings
        from mobie_hub.settings import get_settings

        arn = command_settings().state_machine_arn
        if not arn:
            raise RuntimeError("no command workflow: MOBIE_COMMAND_STATE_MACHINE_ARN is not set")
        _workflow = StepFunctionsWorkflow(arn, get_settings().aws_region)
    return _workflow


def sessions() -> SessionFacts:
    global _sessions
    if _sessions is None:
        from mobie_hub.commands.session_adapter import RepositorySessionFacts

        _sessions = RepositorySessionFacts()
    return _sessions


def use(*, workflow: CommandWorkflow | None = None, sessions: SessionFacts | None = None) -> None:
    """Install ports for this process (the local hub, tests); None goes back to the default."""
    global _workflow, _sessions
    _workflow, _sessions = workflow, sessions
