"""``mobie-hub certs``: a local certificate authority for mutual TLS (profile §2) on a laptop.

``init`` creates the CA (kept if it exists) and a server certificate for the hub; ``issue`` a client
certificate for one party, whose SHA-256 fingerprint is what the hub binds to the party
(``parties invite/register --client-cert``, ``parties bind-cert``). Keys are ECDSA P-256. In AWS the
truststore of the API's custom domain plays the CA's part (README, "Deploying to AWS").
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from mobie_hub.core.certificates import fingerprint

CA_CERT, CA_KEY = "ca.pem", "ca.key"
SERVER_CERT, SERVER_KEY = "server.pem", "server.key"


@dataclass(frozen=True)
class Issued:
    cert_path: Path
    key_path: Path
    fingerprint: str
    subject: str
    not_after: datetime

    def as_dict(self) -> dict:
        return {
            "cert": str(self.cert_path),
            "key": str(self.key_path),
            "fingerprint": self.fingerprint,
            "subject": self.subject,
            "not_after": self.not_after.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


def _name(**parts: str) -> x509.Name:
    oids = {
        "C": NameOID.COUNTRY_NAME,
        "O": NameOID.ORGANIZATION_NAME,
        "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
        "CN": NameOID.COMMON_NAME,
    }
    return x509.Name([x509.NameAttribute(oids[k], v) for k, v in parts.items()])


def _write(directory: Path, cert_name: str, key_name: str, cert: x509.Certificate, key) -> Issued:
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / cert_name, directory / key_name
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Issued(
        cert_path,
        key_path,
        fingerprint(cert.public_bytes(serialization.Encoding.DER)),
        cert.subject.rfc4514_string(),
        cert.not_valid_after_utc,
    )


def _build(
    subject: x509.Name, issuer: x509.Name, public_key, signing_key, not_before: datetime, not_after: datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )


def load_ca(directory: Path):
    cert = x509.load_pem_x509_certificate((directory / CA_CERT).read_bytes())
    key = serialization.load_pem_private_key((directory / CA_KEY).read_bytes(), password=None)
    return cert, key


def init(directory: Path, hosts: list[str], days: int = 825) -> dict:
    """The CA (created once, kept afterwards) and a server certificate for ``hosts``."""
    now = datetime.now(UTC)
    created = not (directory / CA_CERT).exists()
    if created:
        key = ec.generate_private_key(ec.SECP256R1())
        name = _name(C="PT", O="MOBI.E (local)", CN="MOBI.E local client CA")
        cert = (
            _build(name, name, key.public_key(), key, now - timedelta(minutes=5), now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(key, hashes.SHA256())
        )
        ca = _write(directory, CA_CERT, CA_KEY, cert, key)
    ca_cert, ca_key = load_ca(directory)
    names = [x509.IPAddress(ipaddress.ip_address(h)) if _is_ip(h) else x509.DNSName(h) for h in hosts]
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        _build(
            _name(C="PT", O="MOBI.E (local)", CN=hosts[0]),
            ca_cert.subject,
            key.public_key(),
            ca_key,
            now - timedelta(minutes=5),
            now + timedelta(days=days),
        )
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server = _write(directory, SERVER_CERT, SERVER_KEY, cert, key)
    ca_path = directory / CA_CERT
    return {
        "ca": str(ca_path),
        "ca_created": created,
        "server": server.as_dict(),
        **({"ca_fingerprint": ca.fingerprint} if created else {}),
    }


def issue_client(
    directory: Path,
    role: str,
    country_code: str,
    party_id: str,
    *,
    days: int = 365,
    not_before: datetime | None = None,
) -> Issued:
    """A client certificate for one party, signed by the local CA (``init`` first)."""
    if not (directory / CA_CERT).exists():
        raise FileNotFoundError(f"no CA in {directory}: run `mobie-hub certs init --dir {directory}` first")
    ca_cert, ca_key = load_ca(directory)
    start = not_before or datetime.now(UTC) - timedelta(minutes=5)
    key = ec.generate_private_key(ec.SECP256R1())
    cc, pid = country_code.upper(), party_id.upper()
    subject = _name(C=cc, O=f"{cc}/{pid}", OU=role.upper(), CN=f"{role.upper()} {cc}/{pid}")
    cert = (
        _build(subject, ca_cert.subject, key.public_key(), ca_key, start, start + timedelta(days=days))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    stem = f"{role.lower()}-{cc.lower()}-{pid.lower()}"
    return _write(directory, f"{stem}.pem", f"{stem}.key", cert, key)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False
