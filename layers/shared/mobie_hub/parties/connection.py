"""Connection status of registered parties (HubClientInfo, OCPI 2.2.1 mod_hub_client_info §15).

Every outbound call to a party reports whether the party answered: a party that stops answering
becomes OFFLINE, one that answers again CONNECTED. A change is written only when the status really
changes (a push to a healthy party costs no extra DynamoDB call), and then told to the other parties
(``notify_status_changed``):

- ``inline`` (the local hub, tests): PUT the ClientInfo to every other party right away. Failures of
  those pushes are recorded too, but do not notify again — so one change costs at most one push per
  party, never a cascade.
- ``stream`` (AWS): nothing here; the parties table stream triggers the hubclientinfo push function,
  which runs the same ``broadcast`` (``functions/hubclientinfo_push``).
"""

from __future__ import annotations

from mobie_hub.core import retry
from mobie_hub.core.errors import ConflictingWrite
from mobie_hub.core.observability import logger
from mobie_hub.core.settings import get_settings
from mobie_hub.core.types import utcnow
from mobie_hub.outbound.client import OcpiClient, Peer
from mobie_hub.parties.models import ConnectionStatus
from mobie_hub.parties.party import Party, Registration


def set_connection_status(key: str, status: ConnectionStatus) -> Party | None:
    """Record a registered party's new status; the updated party, or None when nothing changed."""
    from mobie_hub.parties import repository as parties

    def record(_: retry.Attempt) -> Party | None:
        party = parties.get_party(key)
        if (
            party is None
            or party.registration != Registration.REGISTERED
            or party.connection_status == status
        ):
            return None
        changed = party.model_copy(update={"connection_status": status, "last_updated": utcnow()})
        try:
            return parties.save(changed, expected_revision=party.revision)
        except ConflictingWrite:  # a concurrent writer bumped the revision in between: read again
            raise retry.ReadAgain from None

    try:
        return retry.optimistic(record, gave_up=f"party {key} kept changing")
    except retry.KeptChanging:  # a status is advisory: the next call made or failed records it
        logger.warning("connection status not recorded: the party kept changing", party=key, status=status.value)
        return None


class ConnectionTracker:
    """The outbound client's observer: keeps each party's connection status current."""

    def __init__(self, *, notify: bool = True) -> None:
        self.notify = notify

    def outcome(self, party: Peer, *, reachable: bool) -> None:
        if not isinstance(party, Party) or party.registration != Registration.REGISTERED:
            return
        wanted = ConnectionStatus.CONNECTED if reachable else ConnectionStatus.OFFLINE
        if party.connection_status == wanted:
            return
        changed = set_connection_status(party.key, wanted)
        party.connection_status = wanted  # the caller's copy, so its next call does not write again
        if changed is not None:
            # ... and it may save itself afterwards: keep its revision current.
            party.revision, party.last_updated = changed.revision, changed.last_updated
            logger.info("party connection status changed", party=party.label, status=wanted.value)
            if self.notify:
                notify_status_changed(changed)


def notify_status_changed(party: Party, client: OcpiClient | None = None) -> None:
    """Tell the other parties that ``party``'s ClientInfo changed (see the module docstring).

    ``client`` (tests) must not notify again from its own observer; by default a fresh httpx client
    whose tracker records outcomes without notifying."""
    if get_settings().client_info_push != "inline":
        return
    from mobie_hub.outbound.httpx_adapter import HttpxOcpiClient
    from mobie_hub.parties.client_info import broadcast

    if client is not None:
        broadcast(party, client)
        return
    own = HttpxOcpiClient(observer=ConnectionTracker(notify=False))
    try:
        broadcast(party, own)
    finally:
        own.close()
