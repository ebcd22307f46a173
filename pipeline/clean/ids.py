"""Stable release ids for web pages.

A release read from the web is known by its canonical URL, and its id is a
hash of that URL in one normal form, so the same article reached over
http, with a tracking query, with a trailing slash or through the sample
server on 127.0.0.1 gets the same id. The one query parameter kept is the
page number: ``?page=2`` of an aggregator is another page, holding other
releases. Items of a page that holds several releases (aggregator pages,
press briefing notes) add ``#N``.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlsplit, urlunsplit


def page_number(url: str) -> str:
    """The ``page`` query parameter; "" for none and for the first page (Drupal's 0)."""
    for key, value in parse_qsl(urlsplit(url).query):
        if key == "page":
            return "" if value.strip() in ("", "0") else value.strip()
    return ""


def canonical_url(url: str) -> str:
    """https, lower-case host, default port dropped, no fragment or trailing slash,
    no query but the page number."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/")
    page = page_number(url)
    return urlunsplit(("https", host, path, f"page={page}" if page else "", ""))


def release_id_for_url(url: str) -> str:
    """The first 16 hex characters of the sha256 of the canonical URL."""
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:16]


def item_id(page_id: str, index: int) -> str:
    """The id of the ``index``-th release (from 1) on a page that holds several."""
    return f"{page_id}#{index}"
