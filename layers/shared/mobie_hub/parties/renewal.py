"""Credentials renewal (profile §5): the hub PUTs new credentials to every party whose last credentials
change is older than ``settings.credentials_renewal_days`` (7 by default).

One renewal: a new hub token is stored first (the party may read the hub's versions with it while it
handles the PUT), the PUT goes out with the party's current token, and the party's answer — its new
token — is stored while the old hub token is revoked, in one transaction. If the PUT fails, the old
credentials keep working both ways. The new hub token stays valid beside the old one (as the party's
*pending* token) unless the party clearly refused it: when the answer was lost the party may already
be using it. The next renewal replaces a pending token.

AWS runs this from a daily EventBridge schedule through a Step Functions workflow
(``functions/credentials_renewal``); the local hub on a timer (``mobie_hub.local.renewal``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from mobie_hub.core import credentials_tokens, validation
from mobie_hub.core.errors import HubError, InvalidRequest, UnableToUseClientApi
from mobie_hub.core.observability import logger, metrics_namespace
from mobie_hub.core.settings import get_settings
from mobie_hub.core.types import utcnow
from mobie_hub.outbound import OcpiClient, OutboundCallFailed, correlation_scope
from mobie_hub.parties import credentials_repository, discovery, repository
from mobie_hub.parties.exchange import hub_credentials, party_role, token_item
from mobie_hub.parties.models import Credentials
from mobie_hub.parties.party import Party, Registration


@dataclass(frozen=True)
class RenewalOutcome:
    party: str  # the party key
    label: str
    renewed: bool
    reason: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def is_due(party: Party, now: datetime, days: float) -> bool:
    changed = party.credentials_changed_at or party.registered_at or party.created_at
    return party.registration == Registration.REGISTERED and changed <= now - timedelta(days=days)


def due_parties(now: datetime | None = None, days: float | None = None) -> list[Party]:
    now = now or utcnow()
    days = get_settings().credentials_renewal_days if days is None else days
    return [p for p in repository.list_parties() if is_due(p, now, days)]


def renew(key: str, client: OcpiClient) -> Party:
    """Renew one party's credentials now (``parties renew``, and each item of the scheduled run)."""
    party = repository.require_party(key)
    if party.registration != Registration.REGISTERED:
        raise InvalidRequest(f"{party.label} is not registered (it is {party.registration.value})")
    new_token = credentials_tokens.new_token()
    new_hash = credentials_tokens.hash_token(new_token)
    staged = party.model_copy(update={"pending_hub_token_hash": new_hash})
    staged = credentials_repository.save(
        staged,
        expected_revision=party.revision,
        new_tokens=[token_item(staged, new_hash)],
        deleted_token_hashes=[party.pending_hub_token_hash] if party.pending_hub_token_hash else (),
    )
    accepted = False  # the party answered the PUT with success: it may be using the new token now
    with correlation_scope():
        try:
            reply = client.put(staged, "credentials", "", hub_credentials(new_token))
            accepted = True
            answer = _answer(reply.data, staged)
            peer = None
            if answer.url != staged.versions_url:  # the party moved its API: read it again
                peer = discovery.discover(
                    lambda url: client.send_to(_with_token(staged, answer.token), "GET", url),
                    answer.url,
                    staged.label,
                    version=staged.version,
                )
        except HubError as exc:
            # Lost or garbled answers (unreachable, timeout, 5xx, not OCPI) leave it open whether the
            # party switched to the new token; an OCPI refusal, or no call at all, does not.
            maybe_in_use = accepted or (isinstance(exc, OutboundCallFailed) and not exc.reachable)
            _after_failure(staged, new_hash, exc, keep_new_token=maybe_in_use)
            raise
    now = utcnow()
    renewed = staged.model_copy(
        update={
            "party_token": answer.token,
            "hub_token_hash": new_hash,
            "pending_hub_token_hash": None,
            "business_details": answer.roles[0].business_details,
            "credentials_changed_at": now,
            **({"versions_url": peer.versions_url, "endpoints": peer.endpoints} if peer else {}),
        }
    )
    saved = credentials_repository.save(
        renewed, expected_revision=staged.revision, deleted_token_hashes=[party.hub_token_hash]
    )
    logger.info("credentials renewed", party=saved.label)
    return saved


def _with_token(party: Party, token: str) -> Party:
    return party.model_copy(update={"party_token": token})


def _answer(data: object, party: Party) -> Credentials:
    def refuse(where: str, problem: str) -> UnableToUseClientApi:
        return UnableToUseClientApi(
            f"{party.label} answered the credentials PUT with an invalid Credentials object ({where}: {problem})"
        )

    answer = validation.parse(Credentials, data, whole="data", refuse=refuse)
    try:
        party_role(answer, party)
    except InvalidRequest as exc:
        raise UnableToUseClientApi(f"{party.label} answered the credentials PUT with {exc.message}") from None
    return answer


def _after_failure(staged: Party, new_hash: str, exc: HubError, *, keep_new_token: bool) -> None:
    """Keep the old credentials; keep the new hub token too unless the party cannot be using it."""
    if not keep_new_token:
        current = repository.get_party(staged.key)
        if current is not None and current.pending_hub_token_hash == new_hash:
            credentials_repository.save(
                current.model_copy(update={"pending_hub_token_hash": None}),
                expected_revision=current.revision,
                deleted_token_hashes=[new_hash],
            )
    logger.warning(
        "credentials renewal failed", party=staged.label, reason=exc.message, new_token_kept=keep_new_token
    )


Recorder = Callable[[RenewalOutcome], None]


def renew_one(key: str, client: OcpiClient, record: Recorder) -> RenewalOutcome:
    """Renew one party, turning a failure into an outcome (logged and recorded, never raised)."""
    party = repository.get_party(key)
    label = party.label if party else key
    try:
        renew(key, client)
        outcome = RenewalOutcome(key, label, renewed=True)
    except HubError as exc:
        outcome = RenewalOutcome(key, label, renewed=False, reason=exc.message)
    record(outcome)
    return outcome


def renew_due(client: OcpiClient, record: Recorder, now: datetime | None = None) -> list[RenewalOutcome]:
    """Renew every due party, one after the other (what the local timer runs)."""
    outcomes = [renew_one(p.key, client, record) for p in due_parties(now)]
    logger.info(
        "credentials renewal run",
        due=len(outcomes),
        renewed=sum(o.renewed for o in outcomes),
        failed=sum(not o.renewed for o in outcomes),
    )
    return outcomes


def count_outcome(outcome: RenewalOutcome) -> None:
    """The default recorder: one CloudWatch metric per outcome (Powertools, EMF), CredentialsRenewed
    or CredentialsRenewalFailed, so an alarm can watch failures."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    name = "CredentialsRenewed" if outcome.renewed else "CredentialsRenewalFailed"
    with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=metrics_namespace()):
        pass  # flushed (printed as EMF) when the block ends


def workflow_step(event: dict, client: OcpiClient, record: Recorder = count_outcome) -> dict:
    """One task of the AWS renewal workflow (``functions/credentials_renewal``, state machine
    ``infra/constructs/credentials_renewal.asl.json``):

    - ``{"action": "list_due"}`` → ``{"parties": [{"party": key, "label": …}, …]}``
    - ``{"action": "renew", "party": key}`` → the outcome (a failed renewal is an outcome, not an error)
    - ``{"action": "record_failure", "party": key, "label": …, "error": {"Error", "Cause"}}`` → the
      outcome of a renewal task that crashed or timed out (the workflow's Catch), logged and counted
    """
    action = event.get("action")
    if action == "list_due":
        return {"parties": [{"party": p.key, "label": p.label} for p in due_parties()]}
    if action == "renew":
        return renew_one(str(event["party"]), client, record).as_dict()
    if action == "record_failure":
        error = event.get("error") or {}
        outcome = RenewalOutcome(
            str(event.get("party")),
            str(event.get("label") or event.get("party")),
            renewed=False,
            reason=f"{error.get('Error', 'Error')}: {error.get('Cause', '')}",
        )
        logger.warning("credentials renewal task failed", party=outcome.label, reason=outcome.reason)
        record(outcome)
        return outcome.as_dict()
    raise ValueError(f"unknown renewal workflow action {action!r}")
