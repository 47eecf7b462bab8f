"""Errors of outbound calls, and the destination policy: which addresses the tool may call."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit


class OutboundError(Exception):
    """A call that did not give an answer. ``kind``: destination (refused by the policy),
    unreachable, timeout, too_large, redirect, bad_url."""

    def __init__(self, kind: str, host: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.host = host
        self.detail = detail

    @property
    def public(self) -> str:
        """What a person may be shown: the host, nothing about why or how."""
        if self.kind == "too_large":
            return f"{self.host} sent more than the tool accepts"
        return f"could not reach {self.host or 'the address given'}"

    @property
    def retryable(self) -> bool:
        return self.kind in {"unreachable", "timeout"}


class DestinationRefused(OutboundError):
    def __init__(self, host: str, detail: str) -> None:
        super().__init__("destination", host, detail)


# --- the destination policy ------------------------------------------------------------------


# IPv6 forms that carry an IPv4 address in their last 32 bits, and reach it through a
# translator (NAT64 on an IPv6-only host reaches the private IPv4 network of its VPC).
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # well-known NAT64 prefix (RFC 6052)
# Never a destination, whatever IPv4 they carry: local-use NAT64 (RFC 8215: inside one network
# by definition, and where the IPv4 sits is the operator's choice), SIIT IPv4-translated
# (::ffff:0:0:0/96, obsolete), IPv4-compatible (::/96, deprecated by RFC 4291) and Teredo
# (2001::/32: a host tunnel, not a server's address). The allow-list can still name them.
_NEVER = (
    ipaddress.IPv6Network("64:ff9b:1::/48"),
    ipaddress.IPv6Network("::ffff:0:0:0/96"),
    ipaddress.IPv6Network("::/96"),
    ipaddress.IPv6Network("2001::/32"),
)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address reaches: IPv4-mapped (::ffff:0:0/96), 6to4 (2002::/16)
    or NAT64 (64:ff9b::/96); None for other addresses."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _global(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A public unicast address. An IPv6 address that carries an IPv4 one is judged by the IPv4
    rule (Python's ``is_global`` calls 64:ff9b::a00:5, which reaches 10.0.0.5, global)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in net for net in _NEVER):
            return False
        embedded = embedded_ipv4(ip)
        if embedded is not None:
            return _global(embedded)
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class DestinationPolicy:
    """Public addresses are always allowed; others only when allow-listed."""

    hosts: frozenset[str] = frozenset()  # "host" or "host:port", lower case
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def parse(cls, entries: str | Iterable[str]) -> DestinationPolicy:
        """Entries separated by spaces or commas: host names, host:port, IP addresses, CIDR."""
        if isinstance(entries, str):
            entries = entries.replace(",", " ").split()
        hosts: set[str] = set()
        networks = []
        for entry in entries:
            entry = entry.strip().lower()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                hosts.add(entry)
        return cls(frozenset(hosts), tuple(networks))

    def permits(self, host: str, port: int, address: str) -> bool:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if _global(ip):
            return True
        host = host.lower().strip("[]")
        if host in self.hosts or f"{host}:{port}" in self.hosts:
            return True
        # An allow-listed IPv4 network also admits its addresses reached through NAT64 or 6to4.
        forms = [ip]
        if isinstance(ip, ipaddress.IPv6Address) and (embedded := embedded_ipv4(ip)) is not None:
            forms.append(embedded)
        return any(form in net for form in forms for net in self.networks if net.version == form.version)

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses of host this policy allows; DestinationRefused when none."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise OutboundError("unreachable", host, f"cannot resolve {host}: {exc}") from exc
        found = list(dict.fromkeys(str(info[4][0]) for info in infos))
        allowed = [a for a in found if self.permits(host, port, a)]
        if not allowed:
            raise DestinationRefused(
                host,
                f"{host}:{port} resolves to {', '.join(found)}: not a public address, and "
                "not in LTI_TOOL_OUTBOUND_ALLOWLIST",
            )
        return allowed

    def check_url(self, url: str) -> None:
        """Refuse a URL the tool would never be allowed to call (used before storing one)."""
        host, port = host_port(url)
        self.addresses(host, port)


def host_port(url: str) -> tuple[str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise OutboundError("bad_url", "", f"not a URL: {url[:200]!r}") from exc
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise OutboundError("bad_url", parts.hostname or "", f"not an http(s) URL: {url[:200]!r}")
    return parts.hostname, port
