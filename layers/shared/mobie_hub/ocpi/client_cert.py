"""Mutual TLS party binding (profile §2): the token, the client certificate and the party must match.

Where the certificate comes from:
- AWS: API Gateway (custom domain with mutual TLS) verified it against the truststore and puts it in
  the event: REST API ``requestContext.identity.clientCert``, HTTP API
  ``requestContext.authentication.clientCert`` (``clientCertPem``, ``subjectDN``, ``issuerDN``, …);
  Mangum exposes the raw event as ``scope["aws.event"]``.
- Locally: ``mobie-hub serve --tls-cert/--tls-key/--client-ca`` verifies it in the TLS handshake and
  passes it in the ASGI TLS extension (``scope["extensions"]["tls"]["client_cert_chain"]``).

Rules: a request that presents a certificate is accepted only if its SHA-256 fingerprint is bound to
the party owning the token (``parties bind-cert``). A request without a certificate is refused when
``MOBIE_REQUIRE_CLIENT_CERT`` is on, and, whatever that switch says, when the token's party has
certificates bound: a party that bound one must present it (issue #12; otherwise its stolen token
would work without the certificate). All answer HTTP 403 in the OCPI envelope.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from mobie_hub.core.certificates import CertificateIdentity, der_from_pem, fingerprint
from mobie_hub.core.context import Caller
from mobie_hub.core.errors import Forbidden, InvalidRequest
from mobie_hub.core.settings import get_settings


def _aws_client_cert(event: dict[str, Any]) -> dict[str, Any] | None:
    context = event.get("requestContext") or {}
    return (context.get("identity") or {}).get("clientCert") or (context.get("authentication") or {}).get(
        "clientCert"
    )


def presented_certificate(request: Request) -> CertificateIdentity | None:
    """The verified client certificate of the request, if it carried one."""
    event = request.scope.get("aws.event")
    if isinstance(event, dict):
        cert = _aws_client_cert(event)
        if cert and cert.get("clientCertPem"):
            return CertificateIdentity(
                fingerprint(der_from_pem(cert["clientCertPem"])), cert.get("subjectDN"), cert.get("issuerDN")
            )
        return None
    tls = (request.scope.get("extensions") or {}).get("tls") or {}
    chain = tls.get("client_cert_chain") or []
    # Only the fingerprint is compared; parsing the DNs would cost an X.509 parse per request.
    return CertificateIdentity(fingerprint(der_from_pem(chain[0]))) if chain else None


def check_client_certificate(request: Request, caller: Caller) -> None:
    """Refuse (403) a certificate not bound to the caller's party, or a missing one when required
    (globally, or because the party has certificates bound)."""
    try:
        presented = presented_certificate(request)
    except InvalidRequest:  # the TLS layer handed over something unreadable: treat as no certificate
        presented = None
    if presented is None:
        if caller.cert_fingerprints:
            raise Forbidden("this party has client certificates bound: present one of them")
        if get_settings().require_client_cert:
            raise Forbidden("a client certificate issued by MOBI.E is required")
        return
    if presented.fingerprint not in caller.cert_fingerprints:
        who = (
            f"{caller.role} {caller.country_code}/{caller.party_id}" if caller.country_code else "this token"
        )
        raise Forbidden(f"the client certificate is not registered for {who}")
