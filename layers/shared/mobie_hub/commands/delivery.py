"""POST the CommandResult to the EMSP's ``response_url`` (OCPI mod_commands §13.2.2, sender → receiver).

A ``response_url`` is a full URL the EMSP gave in its request; the call carries the EMSP's
credentials token like every call to it (``OcpiClient.send_to``) and the X-Correlation-ID of the EMSP's
command request (stored with the command; OCPI transport_and_format "Unique message IDs": the messages of
one exchange share it), with a fresh X-Request-ID. A command stored before the id was kept falls back to
its command id. A failed POST is not retried (profile §3): it is logged, and nothing is lost — the
command keeps its result, the session stays readable through GET.
"""

from __future__ import annotations

from mobie_hub.commands.repository import Command
from mobie_hub.commands.results import CommandResult
from mobie_hub.commands.tables import Decision
from mobie_hub.core.errors import HubError
from mobie_hub.core.models import DisplayText
from mobie_hub.core.observability import logger
from mobie_hub.outbound import OcpiClient, correlation_scope
from mobie_hub.parties import api as parties
from mobie_hub.parties.party import PartyRef


def command_result(decision: Decision) -> CommandResult:
    message = [DisplayText(language="en", text=decision.message)] if decision.message else None
    return CommandResult(result=decision.result, message=message)


class ResultPoster:
    """The ``deliver`` step of ``lifecycle.decide``."""

    def __init__(self, client: OcpiClient | None = None) -> None:
        self._client = client

    @property
    def client(self) -> OcpiClient:
        if self._client is None:
            from mobie_hub.outbound import get_client

            self._client = get_client()
        return self._client

    def __call__(self, command: Command, decision: Decision) -> bool:
        party = parties.get_party(
            PartyRef(country_code=command.party_country_code, party_id=command.party_id)
        )
        if party is None:
            logger.warning("command result not delivered: unknown party", command_id=command.command_id)
            return False
        try:
            with correlation_scope(command.correlation_id or command.command_id):
                self.client.send_to(party, "POST", command.response_url, body=command_result(decision))
        except HubError as error:
            logger.warning(
                "command result not delivered",
                command_id=command.command_id,
                response_url=command.response_url,
                reason=error.message,
            )
            return False
        logger.info("command result delivered", command_id=command.command_id, result=str(decision.result))
        return True
