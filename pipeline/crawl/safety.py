"""Where the crawler may go: the hosts of its sources, and no private network.

The allowlist is built from the source URLs plus ``extra_hosts``; any link or
redirect to another host is refused with a reason. Addresses in private,
loopback, link-local and other reserved ranges are refused too, so a page
cannot steer the crawler at an internal service, unless a source itself is
on such an address (a test server on 127.0.0.1, an intranet mirror): then
those ranges are what the user asked for. Host names are resolved once and
checked the same way; a name that does not resolve is left for the fetch to
report.
"""

from __future__ import annotations

import ipaddress
import socket
from functools import cache
from urllib.parse import urlsplit

from pipeline.crawl.urls import host_key


def _is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
            or ip.is_multicast or ip.is_unspecified)


def _literal_ip(host: str) -> str | None:
    host = host.strip("[]")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


@cache
def _resolve(host: str) -> tuple[str, ...]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return ()
    return tuple(sorted({info[4][0] for info in infos}))


def private_address(host: str) -> str | None:
    """The private address a host is or resolves to, else None."""
    literal = _literal_ip(host)
    addresses = (literal,) if literal else _resolve(host)
    return next((a for a in addresses if _is_private(a)), None)


class Allowlist:
    def __init__(self, hosts: set[str], allow_private: bool):
        self.hosts = {h.lower() for h in hosts}
        self.allow_private = allow_private

    @classmethod
    def from_sources(cls, sources: list[str], extra_hosts: tuple[str, ...] = ()) -> Allowlist:
        hosts = {host_key(s) for s in sources} | {h.lower() for h in extra_hosts}
        allow_private = any(private_address(urlsplit(s).hostname or "") for s in sources)
        return cls(hosts, allow_private)

    def refusal(self, url: str, what: str = "link") -> str | None:
        """Why the crawler must not fetch this URL, or None when it may."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"{what} to non-web URL {url[:80]} refused"
        key = host_key(url)
        if key not in self.hosts:
            literal = _literal_ip(parts.hostname)
            if literal and _is_private(literal):
                return f"{what} to private address {key} refused"
            return f"{what} to other host {key} refused"
        if not self.allow_private:
            address = private_address(parts.hostname)
            if address:
                return f"{what} to {key} refused: it resolves to private address {address}"
        return None
