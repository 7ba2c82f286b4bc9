"""The commands module's ports in this process: the installed ones (``use``: the local hub, tests),
else those the composition root provides (``mobie_hub.wiring``: Step Functions and the sessions
repository in AWS), built once per process."""

from __future__ import annotations

from mobie_hub.commands.ports import CommandWorkflow, SessionFacts
from mobie_hub.core.composition import Port

WORKFLOW: Port[CommandWorkflow] = Port("commands.workflow")
SESSIONS: Port[SessionFacts] = Port("commands.sessions")


def workflow() -> CommandWorkflow:
    return WORKFLOW.get()


def sessions() -> SessionFacts:
    return SESSIONS.get()


def use(*, workflow: CommandWorkflow | None = None, sessions: SessionFacts | None = None) -> None:
    """Install ports for this process (the local hub, tests); None goes back to the composed ones."""
    WORKFLOW.use(workflow)
    SESSIONS.use(sessions)
