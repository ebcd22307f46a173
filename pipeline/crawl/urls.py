"""URL handling shared by the crawler's parts: one spelling per page.

A page is keyed in the store and the frontier by its normalised URL, so the
same release reached from a listing, a feed and a sitemap is fetched once.
Hosts are compared by ``host_key`` (host plus any non-default port), which
treats http and https of one host as one site.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING = re.compile(r"^(utm_[a-z]+|fbclid|gclid)$")


def normalise_url(url: str, base: str | None = None) -> str | None:
    """Absolute http(s) URL without fragment or tracking parameters, else None."""
    url = (url or "").strip()
    if base:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _TRACKING.match(k)])
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


def host_key(url: str) -> str:
    """Host and non-default port: what the allowlist and rate limits key on."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        return f"{host}:{port}"
    return host


def with_query(url: str, name: str, value: str) -> str:
    """The URL with one query parameter set (for ?page=N pagination)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    query.append((name, value))
    return urlunsplit(parts._replace(query=urlencode(query)))


def query_value(url: str, name: str) -> str | None:
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if key == name:
            return value
    return None


class ArticleShape:
    """Does a URL's path look like one release (``/news/<slug>``, ...)?"""

    def __init__(self, patterns: tuple[str, ...]):
        self._patterns = [re.compile(p, re.IGNORECASE) for p in patterns]

    def __call__(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.query and "page=" in parts.query:
            return False
        return any(p.search(parts.path) for p in self._patterns)
