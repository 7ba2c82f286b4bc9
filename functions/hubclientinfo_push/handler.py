"""HubClientInfo pushes in AWS: the parties table stream (party items only) → every party whose
connection status changed is announced to the other parties (``mobie_hub.parties.client_info``)."""

from mobie_hub.core.observability import logger
from mobie_hub.outbound import get_client
from mobie_hub.parties.client_info import broadcast, changed_parties
from mobie_hub.wiring import aws

aws.install()  # the composition root: which adapter fills which port in AWS


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context) -> list[dict]:
    pushed = []
    for party in changed_parties(event.get("Records", [])):
        result = broadcast(party, get_client())
        pushed.append(
            {
                "party": party.label,
                "status": party.connection_status.value,
                "sent": result.sent,
                "failed": result.failed,
            }
        )
    return pushed
