"""The commands module's ports in this process: the installed ones (``use``: the local hub, tests),
else those the composition root provides (``mobie_hub.wiring``: Step Functions and the sessions
repository in AWS), built once per process."""

from __future__ import annotations

from mobie_hub.commands.ports import CommandWorkflow, SessionFacts
from mobie_hub.core import composition

WORKFLOW = "commands.workflow"
SESSIONS = "commands.sessions"

_workflow: CommandWorkflow | None = None
_sessions: SessionFacts | None = None


def workflow() -> CommandWorkflow:
    global _workflow
    if _workflow is None:
        _workflow = composition.build(WORKFLOW)
    return _workflow


def sessions() -> SessionFacts:
    global _sessions
    if _sessions is None:
        _sessions = composition.build(SESSIONS)
    return _sessions


def use(*, workflow: CommandWorkflow | None = None, sessions: SessionFacts | None = None) -> None:
    """Install ports for this process (the local hub, tests); None goes back to the composed ones."""
    global _workflow, _sessions
    _workflow, _sessions = workflow, sessions
