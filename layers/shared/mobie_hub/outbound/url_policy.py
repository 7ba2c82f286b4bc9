"""Where the hub may send a request: the one outbound URL policy (issue #12, finding 4: SSRF).

Every URL a party gives (its credentials ``url``, the version and endpoint URLs read from it, a
command's ``response_url``, a ``Link`` header) is untrusted input. The policy is applied twice:

- ``check_url`` on the URL itself, before any call and where a party hands a URL over (so it is
  refused with a clear OCPI error at once): scheme ``https`` (``http`` only with
  ``outbound_allow_http``), no userinfo, a host, and a host that is not obviously forbidden (an IP
  literal in a forbidden range, ``localhost``, the hub's own address). No DNS here.
- ``resolve`` when the connection is opened (``checked_transport.CheckedBackend``, below the httpx
  adapter; apart, so that code which only checks URLs loads no httpcore): the host
  is resolved once, *every* address it resolves to must be allowed, and the socket connects to one of
  those checked addresses. Nothing resolves the name again between the check and the connect, so a
  DNS answer that changes in between (rebinding) cannot steer the call. TLS still verifies the
  certificate against the host name (SNI and Host header are the URL's).

Forbidden addresses: loopback, private, link-local (169.254.0.0/16 with the 169.254.169.254 metadata
service, fe80::/10), unspecified, multicast, reserved, anything not globally routable, IPv4 hidden in
IPv6 (mapped, 6to4, Teredo) judged as the IPv4 — and the hub's own listening address. The operator
opens exceptions with ``outbound_allowed_hosts`` (host names or CIDRs); the local sandbox, whose
simulated EMSPs live on loopback, opens loopback with ``outbound_allow_loopback``
(``mobie-hub serve --allow-loopback-parties``). The hub's own address stays refused even then.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import dataclass
from typing import Any

import httpx

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
DEFAULT_PORTS = {"http": 80, "https": 443}


class UrlRefused(ValueError):
    """The policy refuses a URL; ``reason`` says why in words an EMSP can act on."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url!r} is refused: {reason}")
        self.url = url
        self.reason = reason


# The hub's own listeners (host, port) in this process: `mobie-hub serve` and the in-process hub
# register theirs, so a party cannot point the hub at itself (its loopback-only admin interface).
_own_listeners: set[tuple[str, int]] = set()
_own_lock = threading.Lock()


def register_listener(host: str, port: int) -> None:
    with _own_lock:
        _own_listeners.add((host.lower(), port))


def unregister_listener(host: str, port: int) -> None:
    with _own_lock:
        _own_listeners.discard((host.lower(), port))


def _ip(value: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(value.strip("[]").split("%")[0])
    except ValueError:
        return None


def _numeric_ipv4(host: str) -> IpAddress | None:
    """Hosts such as ``2130706433``, ``127.1`` or ``0x7f.1`` that resolvers read as IPv4 addresses."""
    if not host or not all(c in "0123456789abcdefx." for c in host.lower()):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _embedded_ipv4(address: IpAddress) -> IpAddress:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo client), else itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address.teredo is not None:
            return address.teredo[1]
    return address


def _category(address: IpAddress) -> str | None:
    """Why an address is not a public destination, or None when it is one."""
    address = _embedded_ipv4(address)
    for name, test in (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    ):
        if test:
            return name
    return None if address.is_global else "not globally routable"


@dataclass(frozen=True)
class UrlPolicy:
    """One policy, built from the settings at each call (``from_settings``) or given (tests)."""

    allow_http: bool = False
    allow_loopback: bool = False
    allowed_hosts: frozenset[str] = frozenset()
    allowed_networks: tuple[IpNetwork, ...] = ()
    own: frozenset[tuple[str, int]] = frozenset()  # (host, port) the hub itself answers on

    @classmethod
    def from_settings(cls, settings: Any = None) -> UrlPolicy:
        from mobie_hub.core.settings import get_settings

        settings = settings or get_settings()
        names, networks = set(), []
        for entry in settings.outbound_allowed_hosts:
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                names.add(entry.strip().lower().rstrip("."))
        public = httpx.URL(settings.public_url)
        own = {(public.host.lower(), public.port or DEFAULT_PORTS.get(public.scheme, 443))}
        with _own_lock:
            own |= _own_listeners
        return cls(
            allow_http=settings.outbound_allow_http,
            allow_loopback=settings.outbound_allow_loopback,
            allowed_hosts=frozenset(names),
            allowed_networks=tuple(networks),
            own=frozenset(own),
        )

    # --- the URL ---------------------------------------------------------------------------------
    def check_url(self, url: str) -> httpx.URL:
        """The parsed URL if the policy allows it (no DNS); raises ``UrlRefused``."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise UrlRefused(str(url), f"not a valid URL ({exc})") from None
        schemes = ("https", "http") if self.allow_http else ("https",)
        if parsed.scheme not in schemes:
            allowed = " or ".join(schemes)
            raise UrlRefused(url, f"the scheme must be {allowed}, not {parsed.scheme or 'none'!r}")
        if parsed.userinfo:
            raise UrlRefused(url, "credentials in the URL (user:password@) are not accepted")
        host = parsed.host.lower().rstrip(".")
        if not host:
            raise UrlRefused(url, "it has no host")
        port = parsed.port or DEFAULT_PORTS[parsed.scheme]
        self._not_own(url, host, port)
        if host in self.allowed_hosts:
            return parsed
        literal = _ip(host) or _numeric_ipv4(host)
        if host == "localhost" or host.endswith(".localhost"):  # RFC 6761: always loopback
            literal = ipaddress.IPv4Address("127.0.0.1")
        if literal is not None:
            self._check_address(url, literal, port)
        return parsed

    # --- the addresses the host resolves to, when connecting ----------------------------------------
    def resolve(self, host: str, port: int) -> list[str]:
        """Resolve ``host`` once; every address must be allowed. Returns them, in resolver order;
        ``socket.gaierror`` when the name does not resolve."""
        name = host.lower().rstrip(".")
        where = f"{host}:{port}"
        self._not_own(where, name, port)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if name in self.allowed_hosts:
            return addresses
        for address in addresses:
            ip = _ip(address)
            if ip is None:  # pragma: no cover - getaddrinfo returns numeric addresses
                raise UrlRefused(where, f"{host} resolved to {address!r}, not an IP address")
            self._check_address(where, ip, port, resolved_from=host)
        return addresses

    def _check_address(self, url: str, ip: IpAddress, port: int, *, resolved_from: str | None = None) -> None:
        what = f"{resolved_from} resolves to {ip}" if resolved_from else f"{ip}"
        if self._is_own_address(ip, port):  # whatever the allow-list says
            raise UrlRefused(url, f"{what}, the hub's own address")
        if any(_embedded_ipv4(ip) in net or ip in net for net in self.allowed_networks):
            return
        category = _category(ip)
        if category is None or (category == "loopback" and self.allow_loopback):
            return
        raise UrlRefused(url, f"{what}, a {category} address (not allowed for outbound calls)")

    def _not_own(self, url: str, host: str, port: int) -> None:
        if (host.strip("[]"), port) in {(h.strip("[]"), p) for h, p in self.own}:
            raise UrlRefused(url, "it is the hub's own address")

    def _is_own_address(self, ip: IpAddress, port: int) -> bool:
        for host, own_port in self.own:
            if own_port != port:
                continue
            own_ip = _ip(host) if host != "localhost" else ipaddress.ip_address("127.0.0.1")
            if own_ip is None:
                continue
            ip4 = _embedded_ipv4(ip)
            if ip4 == own_ip or own_ip.is_unspecified or (own_ip.is_loopback and ip4.is_loopback):
                return True
        return False


def check_party_url(url: str, *, field: str) -> str:
    """Where a party hands the hub a URL (credentials ``url``, a command's ``response_url``): refuse
    it at once with OCPI 2001 naming the field, rather than fail later when the hub calls it."""
    from mobie_hub.core.errors import InvalidRequest

    try:
        UrlPolicy.from_settings().check_url(url)
    except UrlRefused as exc:
        raise InvalidRequest(str(exc), field=field) from None
    return url
