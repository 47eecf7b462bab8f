"""IPv6 addresses that carry an IPv4 address are judged by the IPv4 rule (security review B,
finding 2): on an IPv6-only host with NAT64/DNS64, a platform whose name has the AAAA record
64:ff9b::a00:5 would otherwise reach 10.0.0.5 through the tool. docs/decisions/0031."""

from __future__ import annotations

import pytest

from lti_tool.outbound.policy import DestinationPolicy

# Each prefix with a private (or loopback, or link-local) IPv4 address inside: all refused.
EMBEDDED_PRIVATE = {
    "NAT64 -> 10.0.0.5": "64:ff9b::a00:5",
    "NAT64 -> 169.254.169.254": "64:ff9b::a9fe:a9fe",
    "NAT64 -> 127.0.0.1": "64:ff9b::7f00:1",
    "NAT64 -> 100.64.0.1 (CGNAT)": "64:ff9b::6440:1",
    "6to4 -> 10.0.0.5": "2002:a00:5::1",
    "6to4 -> 192.168.1.1": "2002:c0a8:101::1",
    "IPv4-mapped -> 10.0.0.5": "::ffff:10.0.0.5",
    "SIIT -> 10.0.0.5": "::ffff:0:a00:5",
    "IPv4-compatible -> 10.0.0.5": "::a00:5",
    "local-use NAT64 -> 10.0.0.5": "64:ff9b:1::a00:5",
    "Teredo, client 10.0.0.5": "2001:0:4136:e378:8000:63bf:f5ff:fffa",
}

# Where reaching a public IPv4 address this way is what the host does: permitted.
EMBEDDED_PUBLIC = {
    "NAT64 -> 93.184.216.34": "64:ff9b::5db8:d822",
    "6to4 -> 93.184.216.34": "2002:5db8:d822::1",
    "IPv4-mapped -> 93.184.216.34": "::ffff:93.184.216.34",
}

# Forms that are never a server's address (obsolete, deprecated, local-use or a host tunnel):
# refused even with a public IPv4 address inside.
NEVER = {
    "SIIT -> 93.184.216.34": "::ffff:0:5db8:d822",
    "IPv4-compatible -> 93.184.216.34": "::5db8:d822",
    "local-use NAT64 -> 93.184.216.34": "64:ff9b:1::5db8:d822",
    "Teredo, client 93.184.216.34": "2001:0:4136:e378:8000:63bf:a247:27dd",
}


@pytest.mark.parametrize("address", EMBEDDED_PRIVATE.values(), ids=EMBEDDED_PRIVATE.keys())
def test_an_ipv6_form_of_a_private_ipv4_address_is_refused(address: str) -> None:
    assert not DestinationPolicy.parse("").permits("lms.attacker.example", 443, address)


@pytest.mark.parametrize("address", EMBEDDED_PUBLIC.values(), ids=EMBEDDED_PUBLIC.keys())
def test_an_ipv6_form_of_a_public_ipv4_address_is_permitted(address: str) -> None:
    assert DestinationPolicy.parse("").permits("lms.example", 443, address)


@pytest.mark.parametrize("address", NEVER.values(), ids=NEVER.keys())
def test_obsolete_and_local_forms_are_refused_whatever_they_carry(address: str) -> None:
    assert not DestinationPolicy.parse("").permits("lms.example", 443, address)
    assert DestinationPolicy.parse("lms.example").permits("lms.example", 443, address)  # unless listed


def test_ordinary_ipv6_addresses_are_judged_as_before() -> None:
    policy = DestinationPolicy.parse("")
    assert policy.permits("lms.example", 443, "2606:4700:4700::1111")
    for address in ("::1", "::", "fe80::1", "fd00::5", "ff02::1", "2001:db8::1"):
        assert not policy.permits("lms.example", 443, address), address


def test_an_allowlisted_ipv4_network_admits_its_addresses_through_nat64() -> None:
    policy = DestinationPolicy.parse("10.0.0.0/24")
    assert policy.permits("lms.internal", 443, "64:ff9b::a00:5")
    assert policy.permits("lms.internal", 443, "2002:a00:5::1")
    assert not policy.permits("lms.internal", 443, "64:ff9b::a00:105")  # 10.0.1.5: not listed
