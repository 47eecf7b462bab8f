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


def _global(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
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
        return any(ip in net for net in self.networks if net.version == ip.version)

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
