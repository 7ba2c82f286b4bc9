"""Certificate identity and the binding check (profile §2), on synthetic requests (no sockets)."""

from __future__ import annotations

import hashlib
import ssl

import pytest
from starlette.requests import Request

from mobie_hub.core.certificates import der_from_pem, identity_from_pem
from mobie_hub.core.context import Caller
from mobie_hub.core.errors import Forbidden, InvalidRequest
from mobie_hub.core.settings import get_settings
from mobie_hub.ocpi.client_cert import check_client_certificate, presented_certificate
from mobie_hub.parties.exchange import party_role
from mobie_hub.parties.models import Credentials
from mobie_hub.parties.party import PartyRef

DER = bytes(range(256)) * 2
PEM = ssl.DER_cert_to_PEM_cert(DER)
FINGERPRINT = hashlib.sha256(DER).hexdigest()


def caller(*fingerprints: str) -> Caller:
    return Caller("PARTY#EMSP#PT#EDP", "EMSP", "PT", "EDP", "C", frozenset(fingerprints))


def request(aws_cert: dict | None = None, tls_pem: str | None = None, aws: bool = False) -> Request:
    scope: dict = {"type": "http", "headers": []}
    if aws or aws_cert:
        scope["aws.event"] = {"requestContext": {"identity": {"clientCert": aws_cert} if aws_cert else {}}}
    if tls_pem:
        scope["extensions"] = {"tls": {"client_cert_chain": [tls_pem]}}
    return Request(scope)


def test_the_fingerprint_is_the_sha256_of_the_der_and_a_chain_gives_its_leaf():
    assert der_from_pem(PEM + ssl.DER_cert_to_PEM_cert(b"other")) == DER
    assert presented_certificate(request(tls_pem=PEM)).fingerprint == FINGERPRINT


def test_api_gateway_certificates_carry_their_dns():
    cert = presented_certificate(request({"clientCertPem": PEM, "subjectDN": "CN=a", "issuerDN": "CN=ca"}))
    assert (cert.fingerprint, cert.subject, cert.issuer) == (FINGERPRINT, "CN=a", "CN=ca")


@pytest.mark.parametrize("text", ["", "hello", "-----BEGIN CERTIFICATE-----\n***\n-----END CERTIFICATE-----"])
def test_bad_pem_is_a_clear_invalid_request(text):
    with pytest.raises(InvalidRequest, match="client_cert"):
        identity_from_pem(text)


def test_a_bound_certificate_passes_in_both_environments():
    check_client_certificate(request(tls_pem=PEM), caller(FINGERPRINT))
    check_client_certificate(request({"clientCertPem": PEM}), caller("other", FINGERPRINT))


def test_an_unbound_certificate_is_forbidden_even_when_the_party_has_none_bound():
    with pytest.raises(Forbidden, match="not registered for EMSP PT/EDP"):
        check_client_certificate(request(tls_pem=PEM), caller("another-party-fingerprint"))
    with pytest.raises(Forbidden):
        check_client_certificate(request(tls_pem=PEM), caller())


def test_no_certificate_is_forbidden_when_required_or_when_the_party_bound_one(monkeypatch):
    check_client_certificate(request(aws=True), caller())
    check_client_certificate(request(), caller())
    # issue #12: a party with a bound certificate must present it, even with the switch off
    with pytest.raises(Forbidden, match="certificates bound"):
        check_client_certificate(request(aws=True), caller(FINGERPRINT))
    with pytest.raises(Forbidden, match="certificates bound"):
        check_client_certificate(request(), caller(FINGERPRINT))
    monkeypatch.setenv("MOBIE_REQUIRE_CLIENT_CERT", "true")
    get_settings.cache_clear()
    with pytest.raises(Forbidden, match="required"):
        check_client_certificate(request(aws=True), caller())
    with pytest.raises(Forbidden):
        check_client_certificate(request(), caller(FINGERPRINT))


def credentials(*roles: tuple[str, str, str]) -> Credentials:
    return Credentials.model_validate(
        {
            "token": "t",
            "url": "https://e/v",
            "roles": [
                {"role": r, "country_code": cc, "party_id": pid, "business_details": {"name": "x"}}
                for r, cc, pid in roles
            ],
        }
    )


def test_an_exchange_registers_exactly_the_expected_role():
    edp = PartyRef(country_code="PT", party_id="EDP")
    assert party_role(credentials(("EMSP", "pt", "edp")), edp).party_id == "edp"
    with pytest.raises(InvalidRequest, match="must name EMSP PT/EDP"):
        party_role(credentials(("CPO", "PT", "EDP")), edp)
    with pytest.raises(InvalidRequest, match="per role"):
        party_role(credentials(("EMSP", "PT", "EDP"), ("CPO", "PT", "EDP")), edp)
    assert (
        party_role(credentials(("EMSP", "PT", "GLP")), None).party_id == "GLP"
    )  # hub-initiated, no expectation
