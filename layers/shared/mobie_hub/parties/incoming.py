"""The credentials module as a party calls it (OCPI 2.2.1 credentials §7.2): GET, POST, PUT, DELETE.

- POST (register; token A only, else 405): read the party's versions and the details of this
  endpoint's version with the party's token, check the required modules, answer with token C. Token A
  is consumed in the same transaction that registers the party, so a replay is refused (401). After
  ``MAX_FAILED_REGISTRATIONS`` failed POSTs token A is revoked (the operator invites again): its
  holder cannot keep using the hub's read-back as a probe.
- PUT (update; registered only, else 405): the same reading, a new token C, the old one revoked.
- DELETE (unregister; registered only, else 405): every token the hub issued to the party revoked.
A party that cannot be read back gets 3001, one without a common version 3002, one without a
required module 3003; nothing is written then.
"""

from __future__ import annotations

from mobie_hub.core import credentials_tokens
from mobie_hub.core.context import Caller
from mobie_hub.core.errors import HubError, MethodNotAllowed
from mobie_hub.core.observability import logger
from mobie_hub.core.types import utcnow
from mobie_hub.outbound import Addressee, OcpiClient, correlation_scope
from mobie_hub.outbound.url_policy import check_party_url
from mobie_hub.parties import credentials_repository, discovery, repository
from mobie_hub.parties.exchange import hub_credentials, party_role, token_item
from mobie_hub.parties.models import ConnectionStatus, Credentials
from mobie_hub.parties.party import Party, Registration
from mobie_hub.parties.registration import forget


def current_credentials(caller: Caller) -> Credentials:
    """GET: the hub's credentials as the caller uses them (with the token it authenticated with)."""
    return hub_credentials(caller.token)


def _party_of(caller: Caller) -> Party | None:
    return repository.get_party(caller.party_key) if caller.party_key.startswith("PARTY#") else None


def _read_peer(credentials: Credentials, version: str, label: str, client: OcpiClient, party: Party):
    check_party_url(credentials.url, field="url")  # 2001 at once for a URL the hub may not call
    to = Addressee(label, party.country_code, party.party_id)
    fetch = lambda url: client.send("GET", url, token=credentials.token, to=to)
    return discovery.discover(fetch, credentials.url, label, version=version)


def _connected(party: Party, credentials: Credentials, peer: discovery.PeerVersion, hub_hash: str) -> Party:
    now = utcnow()
    return party.model_copy(
        update={
            "registration": Registration.REGISTERED,
            "connection_status": ConnectionStatus.CONNECTED,
            "business_details": credentials.roles[0].business_details,
            "versions_url": peer.versions_url,
            "version": peer.version,
            "endpoints": peer.endpoints,
            "party_token": credentials.token,
            "hub_token_hash": hub_hash,
            "pending_hub_token_hash": None,
            "credentials_changed_at": now,
            "last_updated": now
            if party.connection_status != ConnectionStatus.CONNECTED
            else party.last_updated,
        }
    )


def accept_registration(
    caller: Caller, credentials: Credentials, version: str, client: OcpiClient
) -> Credentials:
    """POST: the party-initiated handshake, with the token A the operator gave it (``parties invite``)."""
    if caller.registered:
        raise MethodNotAllowed("already registered: use PUT to update the credentials, DELETE to unregister")
    party = _party_of(caller)
    if party is None or party.registration != Registration.INVITED:
        raise MethodNotAllowed(
            "this token A belongs to a registration the hub started; it cannot POST credentials"
        )
    try:
        party_role(credentials, party)
        with correlation_scope():
            peer = _read_peer(credentials, version, party.label, client, party)
        token_c = credentials_tokens.new_token()
        registered = _connected(party, credentials, peer, credentials_tokens.hash_token(token_c))
        registered.registered_at = registered.credentials_changed_at
        saved = credentials_repository.save(
            registered,
            expected_revision=party.revision,
            new_tokens=[token_item(registered, registered.hub_token_hash)],
            consumed_token_hashes=[credentials_tokens.hash_token(caller.token)],
        )
    except HubError as exc:
        _count_failure(caller, party, exc)
        raise
    logger.info("party registered", party=saved.label, version=saved.version, initiated_by="party")
    _notify(party, saved)
    return hub_credentials(token_c)


def _count_failure(caller: Caller, party: Party, error: HubError) -> None:
    failures = credentials_repository.record_failed_registration(caller.token)
    if failures is None:
        return
    revoked = failures >= credentials_tokens.MAX_FAILED_REGISTRATIONS
    logger.warning(
        "token A revoked after failed registrations: invite the party again"
        if revoked
        else "registration with token A failed",
        party=party.label,
        failures=failures,
        limit=credentials_tokens.MAX_FAILED_REGISTRATIONS,
        reason=error.message,
    )


def accept_update(caller: Caller, credentials: Credentials, version: str, client: OcpiClient) -> Credentials:
    """PUT: new credentials from a registered party (its new token, maybe a new version or endpoints)."""
    party = _party_of(caller)
    if not caller.registered or party is None or party.registration != Registration.REGISTERED:
        raise MethodNotAllowed("not registered: POST the credentials to register first")
    party_role(credentials, party)
    with correlation_scope():
        peer = _read_peer(credentials, version, party.label, client, party)
    token_c = credentials_tokens.new_token()
    updated = _connected(party, credentials, peer, credentials_tokens.hash_token(token_c))
    saved = credentials_repository.save(
        updated,
        expected_revision=party.revision,
        new_tokens=[token_item(updated, updated.hub_token_hash)],
        deleted_token_hashes=party.hub_token_hashes(),
    )
    logger.info("party credentials updated", party=saved.label, version=saved.version, initiated_by="party")
    _notify(party, saved)
    return hub_credentials(token_c)


def accept_unregister(caller: Caller) -> None:
    """DELETE: the party ends the connection; its tokens stop working at once."""
    party = _party_of(caller)
    if not caller.registered or party is None or party.registration != Registration.REGISTERED:
        raise MethodNotAllowed("not registered: there are no credentials to delete")
    forget(party)


def _notify(before: Party, after: Party) -> None:
    from mobie_hub.parties.connection import notify_status_changed

    if before.connection_status != after.connection_status:
        notify_status_changed(after)
