"""``mobie-hub parties …``: the operator's side of registration (profile §5) and certificate binding.

Payloads carry certificates as PEM text (``client_cert``), not file names: the admin operations may
run in the deployed admin function, where the operator's files are not.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from mobie_hub.admin.registry import operation
from mobie_hub.core.certificates import identity_from_pem
from mobie_hub.core.models import Role
from mobie_hub.core.settings import get_settings
from mobie_hub.outbound import get_client
from mobie_hub.parties import registration, renewal, repository
from mobie_hub.parties.party import PartyRef


class Selected(BaseModel):
    """Names a party: ``role`` (default EMSP), ``country_code``, ``party_id``."""

    role: Role = Role.EMSP
    country_code: str
    party_id: str

    def ref(self) -> PartyRef:
        return PartyRef(role=self.role, country_code=self.country_code, party_id=self.party_id)


class Invite(Selected):
    client_cert: str | None = None


class Register(BaseModel):
    versions_url: str
    token_a: str
    role: Role = Role.EMSP
    country_code: str | None = None  # the party expected at the other end (optional)
    party_id: str | None = None
    client_cert: str | None = None

    def expected(self) -> PartyRef | None:
        if self.country_code and self.party_id:
            return PartyRef(role=self.role, country_code=self.country_code, party_id=self.party_id)
        return None


class BindCert(Selected):
    client_cert: str
    add: bool = False


def _cert(pem: str | None):
    return identity_from_pem(pem) if pem else None


@operation("parties.invite")
def invite(payload: dict[str, Any]) -> dict[str, Any]:
    request = Invite.model_validate(payload)
    party, token = registration.invite(request.ref(), cert=_cert(request.client_cert))
    return {
        "token_a": token,
        "versions_url": get_settings().ocpi_url("versions"),
        "party": party.public_view(),
    }


@operation("parties.register")
def register(payload: dict[str, Any]) -> dict[str, Any]:
    request = Register.model_validate(payload)
    party = registration.register(
        request.versions_url,
        request.token_a,
        get_client(),
        expected=request.expected(),
        cert=_cert(request.client_cert),
        role=request.role,
    )
    return {"party": party.public_view()}


@operation("parties.list")
def list_parties(payload: dict[str, Any]) -> dict[str, Any]:
    return {"parties": [p.public_view() for p in repository.list_parties()]}


@operation("parties.show")
def show(payload: dict[str, Any]) -> dict[str, Any]:
    return {"party": repository.require_party(Selected.model_validate(payload).ref()).public_view()}


@operation("parties.update_endpoints")
def update_endpoints(payload: dict[str, Any]) -> dict[str, Any]:
    party = registration.update_endpoints(Selected.model_validate(payload).ref(), get_client())
    return {"party": party.public_view()}


@operation("parties.renew")
def renew(payload: dict[str, Any]) -> dict[str, Any]:
    """Renew one party now; a failure is an error (the old credentials keep working)."""
    party = renewal.renew(Selected.model_validate(payload).ref().key, get_client())
    return {"party": party.public_view()}


@operation("parties.renew_due")
def renew_due(payload: dict[str, Any]) -> dict[str, Any]:
    """What the schedule runs: renew every party due (failures are reported, not raised)."""
    outcomes = renewal.renew_due(get_client(), renewal.count_outcome)
    return {
        "renewed": sum(o.renewed for o in outcomes),
        "failed": sum(not o.renewed for o in outcomes),
        "outcomes": [o.as_dict() for o in outcomes],
    }


@operation("parties.unregister")
def unregister(payload: dict[str, Any]) -> dict[str, Any]:
    party, problem = registration.unregister(Selected.model_validate(payload).ref(), get_client())
    return {"party": party.public_view(), "party_notified": problem is None, "problem": problem}


@operation("parties.bind_cert")
def bind_cert(payload: dict[str, Any]) -> dict[str, Any]:
    request = BindCert.model_validate(payload)
    party = registration.bind_certificate(
        request.ref(), identity_from_pem(request.client_cert), add=request.add
    )
    return {"party": party.public_view()}
