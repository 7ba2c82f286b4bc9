"""HubClientInfo (OCPI 2.2.1 mod_hub_client_info §15): the hub tells parties who is connected.

Sender interface (``GET /ocpi/{version}/hubclientinfo``): every party record as a ClientInfo, filtered
by ``last_updated`` and paginated. Push: a changed ClientInfo is PUT to
``{receiver url}/{country_code}/{party_id}`` of every other registered party exposing the receiver.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mobie_hub.core import stream_images
from mobie_hub.core.errors import MissingEndpoints, UnableToUseClientApi
from mobie_hub.core.observability import logger
from mobie_hub.core.paging import Page, PageRequest
from mobie_hub.outbound.client import RECEIVER, OcpiClient, correlation_scope
from mobie_hub.parties import repository
from mobie_hub.parties.models import ClientInfo
from mobie_hub.parties.party import Party, Registration


def client_info_page(request: PageRequest) -> Page[ClientInfo]:
    """Parties ordered by role, country code and party id; ``date_from``/``date_to`` on last_updated."""
    infos = [p.client_info() for p in repository.list_parties() if request.matches(p.last_updated)]
    return Page(items=infos[request.offset : request.offset + request.limit], total=len(infos))


@dataclass
class BroadcastResult:
    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def recipients(changed: Party) -> list[Party]:
    return [
        p
        for p in repository.list_parties()
        if p.key != changed.key
        and p.registration == Registration.REGISTERED
        and p.endpoint_url("hubclientinfo", RECEIVER) is not None
    ]


def broadcast(changed: Party, client: OcpiClient) -> BroadcastResult:
    """PUT ``changed``'s ClientInfo to every other registered party that receives ClientInfo.

    One push per party, no retries (profile §3); a party that misses one reads the list with GET.
    """
    info: ClientInfo = changed.client_info()
    result = BroadcastResult()
    with correlation_scope():
        for recipient in recipients(changed):
            try:
                client.put(recipient, "hubclientinfo", f"{info.country_code}/{info.party_id}", info)
                result.sent.append(recipient.label)
            except (UnableToUseClientApi, MissingEndpoints) as exc:
                result.failed[recipient.label] = exc.message
    logger.info(
        "client info pushed",
        party=changed.label,
        status=info.status.value,
        sent=len(result.sent),
        failed=len(result.failed),
    )
    return result


def changed_parties(records: list[dict]) -> list[Party]:
    """Parties whose ClientInfo status changed, from DynamoDB stream records of the parties table
    (NEW_AND_OLD_IMAGES): what the AWS hubclientinfo push function broadcasts."""
    changed = []
    for record in records:
        old, new = (found or {} for found in stream_images.images(record))  # {} for a missing side
        if new.get("sk") != repository.SK or "doc" not in new:
            continue  # token items, deletions: nothing to announce
        if old.get("connection_status") != new.get("connection_status"):
            changed.append(Party.model_validate_json(new["doc"]))
    return changed
