"""Issue #12 finding 10: a party with a bound client certificate had to present it only while the
global switch (``MOBIE_REQUIRE_CLIENT_CERT``) was on; its token alone worked when it was off."""

from __future__ import annotations

import httpx
import pytest

from mobie_hub.core.certificates import CertificateIdentity
from mobie_hub.core.settings import get_settings
from mobie_hub.parties import registration
from mobie_hub.parties.party import PartyRef
from tests.support.parties import Party

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("hub_store")]


def test_a_party_with_a_bound_certificate_cannot_use_its_token_without_it(hub):
    # Given the hub serving plain HTTP with the global switch off, and a party invited with a bound certificate
    assert not get_settings().require_client_cert
    _, token = registration.invite(
        PartyRef(country_code="PT", party_id="BCA"), cert=CertificateIdentity("ab" * 32)
    )
    # When its token is used without any certificate
    response = httpx.get(f"{hub.base_url}/ocpi/versions", headers=Party("PT", "BCA", token).headers, timeout=10)
    # Then the hub refuses it as a certificate matter, in the OCPI envelope
    assert response.status_code == 403 and response.json()["status_code"] == 2000
    assert "certificate" in response.json()["status_message"]
    # While a party with nothing bound still gets in with its token alone (the local sandbox)
    _, plain = registration.invite(PartyRef(country_code="PT", party_id="BCB"))
    assert httpx.get(f"{hub.base_url}/ocpi/versions", headers=Party("PT", "BCB", plain).headers).status_code == 200
