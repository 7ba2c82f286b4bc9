"""The identity of a client certificate, as the hub binds it to a party (profile §2).

The binding key is the certificate's **SHA-256 fingerprint** (of its DER bytes, lower-case hex): it is
computed identically from API Gateway's ``clientCertPem`` and from the local TLS server's peer
certificate, it cannot be forged by another certificate from the same CA (a subject DN could be, if
the CA ever reused one), and it needs no DN string normalisation between environments. Subject and
issuer DNs are kept beside it for operators to read. A party may have several fingerprints bound at
once (``parties bind-cert --add``), so a certificate rollover needs no downtime.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from mobie_hub.core.errors import InvalidRequest

_PEM = re.compile(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.DOTALL)


@dataclass(frozen=True)
class CertificateIdentity:
    fingerprint: str
    subject: str | None = None
    issuer: str | None = None


def der_from_pem(pem: str) -> bytes:
    """The DER bytes of the first certificate in ``pem`` (the leaf, when a chain is given)."""
    match = _PEM.search(pem or "")
    if not match:
        raise InvalidRequest("not a PEM certificate (no BEGIN CERTIFICATE block)", field="client_cert")
    try:
        return base64.b64decode("".join(match.group(1).split()), validate=True)
    except binascii.Error:
        raise InvalidRequest("the PEM certificate's body is not valid base64", field="client_cert") from None


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def identity_from_der(der: bytes) -> CertificateIdentity:
    subject = issuer = None
    try:  # DNs are informative; cryptography is there locally, maybe not in every Lambda
        from cryptography import x509

        certificate = x509.load_der_x509_certificate(der)
        subject, issuer = certificate.subject.rfc4514_string(), certificate.issuer.rfc4514_string()
    except ImportError:  # pragma: no cover - depends on the runtime's packages
        pass
    except ValueError:
        raise InvalidRequest("the certificate cannot be parsed as X.509", field="client_cert") from None
    return CertificateIdentity(fingerprint(der), subject, issuer)


def identity_from_pem(pem: str) -> CertificateIdentity:
    return identity_from_der(der_from_pem(pem))
