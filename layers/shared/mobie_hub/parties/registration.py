"""Operator-started credentials operations (profile §5): invite, register (the hub starts the handshake),
update endpoints, unregister, bind a client certificate.

Each reads and checks everything it needs from the party first and writes once, in one transaction,
at the end: a party that offers no common version, lacks a required module, answers garbage or cannot
be reached leaves the stored state exactly as it was.
"""

from __future__ import annotations

import uuid
from typing import Any

from mobie_hub.core import credentials_tokens, validation
from mobie_hub.core.certificates import CertificateIdentity
from mobie_hub.core.errors import HubError, InvalidRequest, UnableToUseClientApi
from mobie_hub.core.models import Role
from mobie_hub.core.observability import logger
from mobie_hub.core.types import utcnow
from mobie_hub.outbound import Addressee, OcpiClient, correlation_scope
from mobie_hub.outbound.client import dump_body
from mobie_hub.outbound.url_policy import check_party_url
from mobie_hub.parties import credentials_repository, discovery, repository
from mobie_hub.parties.connection import notify_status_changed
from mobie_hub.parties.exchange import hub_credentials, party_role, ref_of, token_item
from mobie_hub.parties.models import ConnectionStatus, Credentials
from mobie_hub.parties.party import STATUS_OF, Party, PartyRef, Registration


def _not_registered(existing: Party | None) -> None:
    if existing is not None and existing.registration == Registration.REGISTERED:
        raise InvalidRequest(
            f"{existing.label} is already registered: renew its credentials (parties renew) "
            "or unregister it first"
        )


def _with_cert(party: Party, cert: CertificateIdentity | None) -> Party:
    if cert is None:
        return party
    return party.model_copy(
        update={
            "cert_fingerprints": [cert.fingerprint],
            "cert_subject": cert.subject,
            "cert_issuer": cert.issuer,
        }
    )


def _notify_if_changed(before: Party | None, after: Party) -> None:
    if before is None or before.connection_status != after.connection_status:
        notify_status_changed(after)


def invite(ref: PartyRef, *, cert: CertificateIdentity | None = None) -> tuple[Party, str]:
    """A token A for the party to register with (it POSTs its credentials). Re-inviting an invited or
    unregistered party replaces its token A; a registered party cannot be invited."""
    existing = repository.get_party(ref)
    _not_registered(existing)
    token = credentials_tokens.new_token()
    now = utcnow()
    base = existing or Party(
        **ref.model_dump(),
        registration=Registration.INVITED,
        connection_status=ConnectionStatus.PLANNED,
        created_at=now,
    )
    party = _with_cert(base, cert).model_copy(
        update={
            "registration": Registration.INVITED,
            "connection_status": ConnectionStatus.PLANNED,
            "hub_token_hash": credentials_tokens.hash_token(token),
            "pending_hub_token_hash": None,
            "party_token": None,
            "last_updated": now,
        }
    )
    saved = credentials_repository.save(
        party,
        expected_revision=existing.revision if existing else None,
        new_tokens=[token_item(party, party.hub_token_hash)],
        deleted_token_hashes=existing.hub_token_hashes() if existing else (),
    )
    logger.info("party invited", party=saved.label)
    _notify_if_changed(existing, saved)
    return saved, token


def register(
    versions_url: str,
    token_a: str,
    client: OcpiClient,
    *,
    expected: PartyRef | None = None,
    cert: CertificateIdentity | None = None,
    role: Role = Role.EMSP,
) -> Party:
    """The MOBI.E-initiated handshake (profile §5): read the party's versions and details with its
    token A, POST the hub's credentials with a fresh token, store the token the party answers with.
    The party registers in ``role`` (``expected``'s when given): its answer must name that role."""
    check_party_url(versions_url, field="versions_url")
    role = expected.role if expected is not None else role
    if expected is not None:
        _not_registered(repository.get_party(expected))
    label = expected.label if expected else versions_url
    to = Addressee(
        label, expected.country_code if expected else None, expected.party_id if expected else None
    )
    with correlation_scope():
        peer = discovery.discover(
            lambda url: client.send("GET", url, token=token_a, to=to), versions_url, label
        )
        hub_token = credentials_tokens.new_token()
        hub_hash = credentials_tokens.hash_token(hub_token)
        # The party may read the hub's versions with the new token while handling the POST, so it must
        # work now; until the party's identity is known it opens versions and credentials only.
        credentials_repository.put_token(
            credentials_tokens.token_item_for_hash(
                hub_hash,
                role=role.value,
                country_code=expected.country_code if expected else "",
                party_id=expected.party_id if expected else "",
                kind="A",
                key=f"PENDING#{uuid.uuid4()}",
                cert_fingerprints=[cert.fingerprint] if cert else (),
            )
        )
        credentials_url = next(e.url for e in peer.endpoints if str(e.identifier) == "credentials")
        accepted = False
        try:
            reply = client.send(
                "POST",
                credentials_url,
                token=token_a,
                to=to,
                body=dump_body(hub_credentials(hub_token), peer.version),
            )
            accepted = True
            answer = _credentials_answer(reply.data, label)
            answered = party_role(answer, expected)
            if answered.role != role:
                raise InvalidRequest(
                    f"the party answered as {answered.role.value}, the registration is for {role.value}: "
                    f"register again with --role {answered.role.value} if that is meant",
                    field="roles",
                )
            saved, existing = _store_registration(ref_of(answered), answer, peer, hub_hash, cert)
        except BaseException:
            credentials_repository.delete_token(hub_hash)
            if accepted:  # the party registered the hub on its side: undo that too
                _best_effort_delete(client, credentials_url, _token_in(reply.data) or token_a, to)
            raise
    logger.info("party registered", party=saved.label, version=saved.version, initiated_by="hub")
    _notify_if_changed(existing, saved)
    return saved


def _token_in(data: Any) -> str | None:
    token = data.get("token") if isinstance(data, dict) else None
    return token if isinstance(token, str) and token else None


def _credentials_answer(data: Any, label: str) -> Credentials:
    def refuse(where: str, problem: str) -> UnableToUseClientApi:
        return UnableToUseClientApi(
            f"{label} answered the credentials POST with an invalid Credentials object ({where}: {problem})"
        )

    return validation.parse(Credentials, data, whole="data", refuse=refuse)


def _store_registration(
    ref: PartyRef,
    answer: Credentials,
    peer: discovery.PeerVersion,
    hub_hash: str,
    cert: CertificateIdentity | None,
) -> tuple[Party, Party | None]:
    existing = repository.get_party(ref)
    _not_registered(existing)
    now = utcnow()
    base = existing or Party(
        **ref.model_dump(),
        registration=Registration.REGISTERED,
        connection_status=ConnectionStatus.CONNECTED,
        created_at=now,
    )
    party = _with_cert(base, cert).model_copy(
        update={
            "registration": Registration.REGISTERED,
            "connection_status": ConnectionStatus.CONNECTED,
            "business_details": answer.roles[0].business_details,
            "versions_url": peer.versions_url,
            "version": peer.version,
            "endpoints": peer.endpoints,
            "party_token": answer.token,
            "hub_token_hash": hub_hash,
            "pending_hub_token_hash": None,
            "registered_at": now,
            "credentials_changed_at": now,
            "last_updated": now,
        }
    )
    saved = credentials_repository.save(
        party,
        expected_revision=existing.revision if existing else None,
        replaced_tokens=[token_item(party, hub_hash)],  # the pending token item, now bound to the party
        deleted_token_hashes=existing.hub_token_hashes() if existing else (),
    )
    return saved, existing


def _best_effort_delete(client: OcpiClient, url: str, token: str, to: Addressee) -> None:
    try:
        client.send("DELETE", url, token=token, to=to)
    except HubError as exc:
        logger.warning("could not undo the registration at the party", party=to.label, reason=exc.message)


def update_endpoints(ref: PartyRef, client: OcpiClient) -> Party:
    """Re-read the party's version details (same version) with its token; store the endpoints."""
    party = _registered(ref)
    with correlation_scope():
        peer = discovery.discover(
            lambda url: client.send_to(party, "GET", url),
            party.versions_url or "",
            party.label,
            version=party.version,
        )
    updated = party.model_copy(update={"endpoints": peer.endpoints})
    saved = credentials_repository.save(updated, expected_revision=party.revision)
    logger.info("party endpoints updated", party=saved.label, endpoints=len(saved.endpoints))
    return saved


def _registered(ref: PartyRef) -> Party:
    party = repository.require_party(ref)
    if party.registration != Registration.REGISTERED:
        raise InvalidRequest(f"{party.label} is not registered (it is {party.registration.value})")
    return party


def unregister(ref: PartyRef, client: OcpiClient) -> tuple[Party, str | None]:
    """Unregister a party (or cancel an invitation). A registered party is told first with DELETE on
    its credentials endpoint; if that fails the hub unregisters it anyway and says why."""
    party = repository.require_party(ref)
    if party.registration == Registration.UNREGISTERED:
        raise InvalidRequest(f"{party.label} is not registered")
    problem = None
    if party.registration == Registration.REGISTERED:
        try:
            with correlation_scope():
                client.delete(party, "credentials")
        except HubError as exc:
            problem = exc.message
    saved = forget(repository.require_party(ref))  # the failed call may have marked it OFFLINE meanwhile
    return saved, problem


def forget(party: Party) -> Party:
    """Mark ``party`` unregistered and revoke every token the hub issued to it (one transaction)."""
    updated = party.model_copy(
        update={
            "registration": Registration.UNREGISTERED,
            "connection_status": STATUS_OF[Registration.UNREGISTERED],
            "party_token": None,
            "hub_token_hash": None,
            "pending_hub_token_hash": None,
            "last_updated": utcnow(),
        }
    )
    saved = credentials_repository.save(
        updated, expected_revision=party.revision, deleted_token_hashes=party.hub_token_hashes()
    )
    logger.info("party unregistered", party=saved.label)
    _notify_if_changed(party, saved)
    return saved


def bind_certificate(ref: PartyRef, cert: CertificateIdentity, *, add: bool = False) -> Party:
    """Bind a client certificate to the party (replacing the bound ones, or beside them with ``add``);
    the party's token items carry the fingerprints too, so requests are checked with one read."""
    party = repository.require_party(ref)
    fingerprints = [*party.cert_fingerprints, cert.fingerprint] if add else [cert.fingerprint]
    updated = party.model_copy(
        update={
            "cert_fingerprints": list(dict.fromkeys(fingerprints)),
            "cert_subject": cert.subject,
            "cert_issuer": cert.issuer,
        }
    )
    saved = credentials_repository.save(
        updated,
        expected_revision=party.revision,
        replaced_tokens=[token_item(updated, h) for h in party.hub_token_hashes()],
    )
    logger.info("client certificate bound", party=saved.label, fingerprint=cert.fingerprint, add=add)
    return saved
