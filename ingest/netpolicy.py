"""Where `kb fetch` may connect: public https addresses, checked again after DNS resolution.

    check_url(url)        before any request, and for every redirect hop: scheme (https; plain
                          http only to this machine when configured), known metadata host names,
                          and IP literals
    GuardedBackend        at connect time, in the fetcher's own transport: every address the host
                          name resolves to is checked, and the socket goes to a checked address, so
                          a name that resolves (or re-resolves) to 10.0.0.5 is refused too

Link-local addresses (169.254.0.0/16, fe80::/10, where cloud metadata services answer), multicast,
reserved and unspecified addresses are always refused. Private, loopback and shared (CGNAT)
addresses are refused unless ``KB_FETCH_ALLOW_PRIVATE=1`` (an intranet mirror, the tests' local
server). Behind an HTTP proxy the fetcher cannot see where the proxy connects; only the URL checks
apply then.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import httpcore
import httpx

from ingest.errors import FetchError
from ingest.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolve = Callable[[str, int], list[str]]

LOCAL_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
# Names that only ever lead to a cloud provider's instance metadata (credentials, user data).
METADATA_NAMES = frozenset({
    "metadata", "metadata.google.internal", "metadata.azure.internal", "instance-data",
    "instance-data.ec2.internal",
})
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200"))


@dataclass(frozen=True)
class AddressPolicy:
    allow_private: bool = False  # KB_FETCH_ALLOW_PRIVATE
    allow_http_localhost: bool = False  # KB_FETCH_ALLOW_HTTP_LOCALHOST

    @classmethod
    def from_settings(cls, settings: Settings) -> AddressPolicy:
        return cls(allow_private=settings.fetch_allow_private, allow_http_localhost=settings.fetch_allow_http_localhost)

    def refusal(self, host: str, address: IPAddress) -> str | None:
        """Why ``address`` (what ``host`` resolved to) may not be fetched from, or None."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        shown = host if host == str(address) else f"{host} ({address})"
        if (address in METADATA_ADDRESSES or address.is_link_local or address.is_multicast
                or address.is_unspecified or address.is_reserved):
            return (f"{shown} er ikke en offentlig adresse (link-local, metadata eller reserveret) og hentes "
                    "aldrig, heller ikke med KB_FETCH_ALLOW_PRIVATE")
        if not address.is_global and not self.allow_private:
            return (f"{shown} er ikke en offentlig adresse (privat, loopback eller delt); sæt "
                    "KB_FETCH_ALLOW_PRIVATE=1 for at hente fra et internt spejl")
        return None


def check_url(url: str, policy: AddressPolicy | None = None) -> httpx.URL:
    """Refuse a URL before any connection is made: scheme, metadata names and IP literals."""
    policy = policy or AddressPolicy()
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise FetchError(f"ugyldig adresse {url[:200]!r}: {exc}") from exc
    host = parsed.host.lower().rstrip(".")
    local_http = parsed.scheme == "http" and policy.allow_http_localhost and host in LOCAL_HOSTS
    if not host or (parsed.scheme != "https" and not local_http):
        raise FetchError(f"kun https-adresser må hentes (http kun til denne maskine med "
                         f"KB_FETCH_ALLOW_HTTP_LOCALHOST=1): {url[:200]}")
    if host in METADATA_NAMES:
        raise FetchError(f"{host} er ikke en offentlig adresse (metadata) og hentes aldrig, heller ikke med "
                         "KB_FETCH_ALLOW_PRIVATE")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return parsed  # a name: checked after resolution, at connect time
    reason = policy.refusal(host, literal)
    if reason:
        raise FetchError(reason)
    return parsed


def check_redirect(from_url: str, to_url: str, policy: AddressPolicy | None = None) -> None:
    check_url(to_url, policy)
    # A downgrade would let anyone on the path swap the PDF, even when the target is allowed on its own.
    if httpx.URL(from_url).scheme == "https" and httpx.URL(to_url).scheme != "https":
        raise FetchError(f"omdirigering fra https til http afvist: {from_url[:200]} → {to_url[:200]}")


def system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class Refused(httpcore.ConnectError):
    """A connection the guard would not make (an address the policy refuses, or a name that could
    not be looked up); its message is Danish and is what the operator reads."""


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to addresses the policy allows."""

    def __init__(self, policy: AddressPolicy, resolve: Resolve = system_resolve) -> None:
        self.policy = policy
        self.resolve = resolve

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        try:
            addresses = self.resolve(host, port)
        except OSError as exc:
            # The resolver's own words ("[Errno -2] Name or service not known") stay in the chain,
            # for the log.
            raise Refused(f"{host} kan ikke slås op (navnet findes ikke, eller navneserveren svarer ikke)") from exc
        for address in addresses:
            reason = self.policy.refusal(host, ipaddress.ip_address(address.split("%")[0]))
            if reason:
                raise Refused(reason)
        last: Exception = Refused(f"{host} kan ikke slås op")
        for address in addresses:  # the checked address itself, so a second lookup cannot differ
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        raise last


def guarded_transport(policy: AddressPolicy) -> httpx.HTTPTransport:
    """An httpx transport whose connections go through ``GuardedBackend``."""
    transport = httpx.HTTPTransport()
    # httpx has no public hook for the network backend (httpcore has): swap in an identical pool on
    # the guarded backend. tests/test_fetch_hostile.py proves the guard is in use end to end.
    transport._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(),
                                              network_backend=GuardedBackend(policy))
    return transport
