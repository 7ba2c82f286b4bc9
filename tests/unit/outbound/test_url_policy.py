"""The outbound URL policy (issue #12 finding 4): what the hub may call, checked on the URL and again
on every address a host resolves to when the connection opens."""

from __future__ import annotations

import socket

import httpx
import pytest

from mobie_hub.core.settings import Settings
from mobie_hub.outbound import OutboundCallFailed
from mobie_hub.outbound.checked_transport import CheckedBackend
from mobie_hub.outbound.client import Addressee
from mobie_hub.outbound.httpx_adapter import HttpxOcpiClient
from mobie_hub.outbound.url_policy import (
    UrlPolicy,
    UrlRefused,
    register_listener,
    unregister_listener,
)

STRICT = UrlPolicy()
SANDBOX = UrlPolicy(allow_http=True, allow_loopback=True)


@pytest.mark.parametrize(
    "url",
    [
        "http://emsp.example/ocpi/versions",  # http is not https
        "file:///etc/passwd",
        "gopher://emsp.example/",
        "ftp://emsp.example/",
        "https://user:secret@emsp.example/ocpi/versions",  # userinfo
        "https://emsp.example@127.0.0.1/",  # userinfo hiding the real host
        "https://127.0.0.1/ocpi/versions",
        "https://127.1/",  # short IPv4 forms resolvers accept
        "https://2130706433/",  # 127.0.0.1 as a decimal number
        "https://0x7f.0.0.1/",
        "https://localhost:8080/",
        "https://api.localhost/",
        "https://[::1]/",
        "https://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
        "https://[::ffff:169.254.169.254]/",
        "https://169.254.169.254/latest/meta-data/",  # the instance metadata service
        "https://[fe80::1]/",
        "https://[fd00::1]/",
        "https://[2002:7f00:1::1]/",  # 6to4 carrying 127.0.0.1
        "https://10.0.0.1/",
        "https://172.16.5.4/",
        "https://192.168.1.1/",
        "https://100.64.0.1/",  # carrier-grade NAT: not globally routable
        "https://0.0.0.0/",
        "https://[::]/",
        "https://224.0.0.1/",
        "https://240.0.0.1/",
        "not a url",
        "https:///no-host",
    ],
)
def test_the_strict_policy_refuses(url):
    with pytest.raises(UrlRefused):
        STRICT.check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://emsp.example/ocpi/versions",
        "https://emsp.example/ocpi/versions/",  # kept as given, trailing slash and all
        "https://8.8.8.8/ocpi/versions",
        "https://[2001:4860:4860::8888]/ocpi",
        "https://emsp.example:8443/ocpi/2.2.1/commands/START_SESSION/42?x=1",
    ],
)
def test_the_strict_policy_allows_public_https(url):
    assert str(STRICT.check_url(url)) == url


def test_the_default_settings_are_strict(monkeypatch):
    monkeypatch.delenv("MOBIE_OUTBOUND_ALLOW_LOOPBACK")
    monkeypatch.delenv("MOBIE_OUTBOUND_ALLOW_HTTP")
    settings = Settings()
    assert (settings.outbound_allow_http, settings.outbound_allow_loopback) == (False, False)
    assert settings.outbound_allowed_hosts == []
    policy = UrlPolicy.from_settings(settings)
    with pytest.raises(UrlRefused):
        policy.check_url("http://emsp.example/")
    with pytest.raises(UrlRefused):
        policy.check_url("https://127.0.0.1:9999/")


def test_the_sandbox_opens_http_and_loopback_but_nothing_else():
    assert SANDBOX.check_url("http://127.0.0.1:9000/ocpi/versions")
    assert SANDBOX.check_url("http://localhost:9000/ocpi/versions")
    for url in ("file:///etc/passwd", "http://169.254.169.254/", "http://10.0.0.1/", "http://u:p@127.0.0.1/"):
        with pytest.raises(UrlRefused):
            SANDBOX.check_url(url)


def test_the_hubs_own_address_stays_refused_with_loopback_open(monkeypatch):
    settings = Settings(
        public_url="http://127.0.0.1:8080", outbound_allow_http=True, outbound_allow_loopback=True
    )
    policy = UrlPolicy.from_settings(settings)
    with pytest.raises(UrlRefused, match="own address"):
        policy.check_url("http://127.0.0.1:8080/admin/parties.renew_due")
    with pytest.raises(UrlRefused, match="own address"):
        policy.check_url("http://localhost:8080/admin/parties.renew_due")
    assert policy.check_url("http://127.0.0.1:8081/ocpi/versions")


def test_a_registered_listener_is_the_hubs_own_address():
    register_listener("127.0.0.1", 45678)
    try:
        policy = UrlPolicy.from_settings(Settings(outbound_allow_http=True, outbound_allow_loopback=True))
        with pytest.raises(UrlRefused, match="own address"):
            policy.check_url("http://127.0.0.1:45678/admin/status")
        with pytest.raises(UrlRefused, match="own address"):
            policy.resolve("localhost", 45678)
    finally:
        unregister_listener("127.0.0.1", 45678)


def test_the_operator_allow_list_takes_names_and_networks():
    settings = Settings(outbound_allowed_hosts=["emsp.internal", "10.20.0.0/16"])
    policy = UrlPolicy.from_settings(settings)
    assert policy.check_url("https://10.20.3.4/ocpi/versions")
    assert policy.check_url("https://emsp.internal/ocpi/versions")
    with pytest.raises(UrlRefused):
        policy.check_url("https://10.21.3.4/ocpi/versions")


def fake_resolver(monkeypatch, answers: dict[str, list[str]]):
    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_every_resolved_address_must_be_allowed(monkeypatch):
    fake_resolver(monkeypatch, {"good.example": ["8.8.8.8"], "mixed.example": ["8.8.8.8", "10.0.0.5"]})
    assert STRICT.resolve("good.example", 443) == ["8.8.8.8"]
    with pytest.raises(UrlRefused, match="10.0.0.5, a private address"):
        STRICT.resolve("mixed.example", 443)


def test_the_backend_connects_to_the_address_it_checked(monkeypatch):
    """A name that resolves to a public address on the check and to loopback later (DNS rebinding)
    cannot win: the backend resolves once and connects to that very address."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (x, port)) for x in next(answers)
        ],
    )
    connected = []
    monkeypatch.setattr(
        "httpcore.SyncBackend.connect_tcp",
        lambda self, host, port, *a, **k: connected.append(host) or "stream",
    )
    assert CheckedBackend(lambda: STRICT).connect_tcp("rebind.example", 443) == "stream"
    assert connected == ["93.184.216.34"]
    with pytest.raises(UrlRefused, match="loopback"):
        CheckedBackend(lambda: STRICT).connect_tcp("rebind.example", 443)
    assert connected == ["93.184.216.34"]


def test_the_adapter_refuses_before_sending():
    sent = []
    client = HttpxOcpiClient(
        transport=httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(200)),
        policy=STRICT,
    )
    for url in ("file:///etc/passwd", "https://169.254.169.254/latest", "http://emsp.example/"):
        with pytest.raises(OutboundCallFailed, match="refused by the outbound URL policy"):
            client.send("GET", url, token="t", to=Addressee("test"))
    assert sent == []


def test_the_real_transport_refuses_a_name_resolving_to_loopback(monkeypatch):
    """A name the URL check cannot judge is judged by the address it resolves to, at connect time."""
    fake_resolver(monkeypatch, {"innocent.example": ["127.0.0.1"]})
    client = HttpxOcpiClient(policy=UrlPolicy(allow_http=True))
    with pytest.raises(OutboundCallFailed, match="127.0.0.1, a loopback address"):
        client.send("GET", "http://innocent.example:9/ocpi/versions", token="t", to=Addressee("test"))
