"""Mutual TLS party binding (profile §2) over real TLS on loopback: the hub served with the local
TLS setup (uvicorn + TlsH11Protocol), parties calling with httpx and their client certificates."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from mobie_hub.cli.serve import create_local_app
from mobie_hub.core.certificates import identity_from_pem
from mobie_hub.core.settings import get_settings
from mobie_hub.local import certs
from mobie_hub.local.tls import server_context, uvicorn_options
from mobie_hub.outbound import use_client
from mobie_hub.parties import registration
from mobie_hub.parties.party import PartyRef
from tests.integration.parties.conftest import ADMIN_HEADERS, ADMIN_SECRET, Hub
from tests.support.fake_emsp import FakeEmsp
from tests.support.local_hub import free_port
from tests.support.servers import serve_in_thread

EDP = PartyRef(country_code="PT", party_id="EDP")


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Path:
    """A local CA, the hub's server certificate, and client certificates: EDP, GLP, an expired EDP
    one, and one from a CA the hub does not trust."""
    directory = tmp_path_factory.mktemp("pki")
    certs.init(directory, ["127.0.0.1"])
    certs.issue_client(directory, "EMSP", "PT", "EDP")
    certs.issue_client(directory, "EMSP", "PT", "GLP")
    expired = directory / "expired"
    expired.mkdir()
    for name in (certs.CA_CERT, certs.CA_KEY):
        (expired / name).write_bytes((directory / name).read_bytes())
    certs.issue_client(expired, "EMSP", "PT", "EDP", days=1, not_before=datetime.now(UTC) - timedelta(days=3))
    stranger = directory / "stranger"
    certs.init(stranger, ["127.0.0.1"])
    certs.issue_client(stranger, "EMSP", "PT", "EDP")
    return directory


def client_context(pki: Path, cert: Path | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(pki / certs.CA_CERT))
    if cert is not None:
        context.load_cert_chain(str(cert), str(cert.with_suffix(".key")))
    return context


@pytest.fixture
def tls_hub(aws, monkeypatch, pki: Path) -> Iterator[Hub]:
    port = free_port()
    monkeypatch.setenv("MOBIE_PUBLIC_URL", f"https://127.0.0.1:{port}")
    monkeypatch.setenv("MOBIE_REQUIRE_CLIENT_CERT", "true")
    get_settings.cache_clear()
    use_client(None)
    options = uvicorn_options(
        str(pki / certs.SERVER_CERT), str(pki / certs.SERVER_KEY), str(pki / certs.CA_CERT)
    )
    with serve_in_thread(create_local_app(admin_secret=ADMIN_SECRET), port=port, **options) as base_url:
        yield Hub(base_url)
    use_client(None)


@pytest.fixture
def registered_edp(tls_hub: Hub, edp: FakeEmsp, pki: Path) -> FakeEmsp:
    """EDP invited with its certificate bound, then registered over mutual TLS with that certificate."""
    cert = identity_from_pem((pki / "emsp-pt-edp.pem").read_text())
    _, token_a = registration.invite(EDP, cert=cert)
    response = edp.register(
        tls_hub.versions_url, token_a, verify=client_context(pki, pki / "emsp-pt-edp.pem")
    )
    assert response.json()["status_code"] == 1000, response.text
    return edp


def get(hub: Hub, emsp: FakeEmsp, context: ssl.SSLContext) -> httpx.Response:
    return httpx.get(f"{hub.base_url}/ocpi/2.2.1/hubclientinfo", headers=emsp.headers(), verify=context)


def test_the_partys_own_certificate_is_accepted(tls_hub, registered_edp, pki):
    response = get(tls_hub, registered_edp, client_context(pki, pki / "emsp-pt-edp.pem"))
    assert response.status_code == 200
    assert response.json()["status_code"] == 1000


def test_another_partys_certificate_is_refused_even_with_a_valid_token(tls_hub, registered_edp, pki):
    response = get(tls_hub, registered_edp, client_context(pki, pki / "emsp-pt-glp.pem"))
    assert response.status_code == 403
    assert response.json()["status_code"] == 2000
    assert "not registered for EMSP PT/EDP" in response.json()["status_message"]


def test_no_certificate_is_refused(tls_hub, registered_edp, pki):
    response = get(tls_hub, registered_edp, client_context(pki, None))
    assert response.status_code == 403
    assert "client certificate" in response.json()["status_message"]


def test_an_expired_certificate_fails_the_handshake(tls_hub, registered_edp, pki):
    with pytest.raises(httpx.TransportError):
        get(tls_hub, registered_edp, client_context(pki, pki / "expired" / "emsp-pt-edp.pem"))


def test_a_certificate_from_another_ca_fails_the_handshake(tls_hub, registered_edp, pki):
    with pytest.raises(httpx.TransportError):
        get(tls_hub, registered_edp, client_context(pki, pki / "stranger" / "emsp-pt-edp.pem"))


def test_the_server_context_requires_tls_1_2_and_verifies_client_certificates(pki):
    # OpenSSL 3 clients refuse TLS 1.1 themselves, so a handshake test would prove nothing: check the setting.
    context = server_context(
        str(pki / certs.SERVER_CERT), str(pki / certs.SERVER_KEY), str(pki / certs.CA_CERT)
    )
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert context.verify_mode == ssl.CERT_OPTIONAL  # presented → verified; absent → the app refuses (403)


def test_a_certificate_rollover_binds_the_new_one_beside_the_old(tls_hub, registered_edp, pki):
    rollover = pki / f"rollover-{id(registered_edp)}"
    rollover.mkdir()
    for name in (certs.CA_CERT, certs.CA_KEY):
        (rollover / name).write_bytes((pki / name).read_bytes())
    new = certs.issue_client(rollover, "EMSP", "PT", "EDP")  # same CA, a fresh certificate
    assert get(tls_hub, registered_edp, client_context(pki, new.cert_path)).status_code == 403
    registration.bind_certificate(EDP, identity_from_pem(new.cert_path.read_text()), add=True)
    assert get(tls_hub, registered_edp, client_context(pki, new.cert_path)).status_code == 200
    assert get(tls_hub, registered_edp, client_context(pki, pki / "emsp-pt-edp.pem")).status_code == 200
    registration.bind_certificate(EDP, identity_from_pem(new.cert_path.read_text()))  # replace
    assert get(tls_hub, registered_edp, client_context(pki, pki / "emsp-pt-edp.pem")).status_code == 403


def test_the_admin_interface_needs_no_client_certificate_on_loopback(tls_hub, pki):
    response = httpx.post(
        f"{tls_hub.base_url}/admin/status", json={}, verify=client_context(pki, None), headers=ADMIN_HEADERS
    )
    assert response.status_code == 200
