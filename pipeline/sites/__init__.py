"""Site profiles: how each of the agency's site layouts is read, as data.

A profile (``profiles.json`` beside this file) names the hosts it serves,
CSS selectors that detect its markup, where its listings, feeds and
sitemaps are, and the selectors of an article. Adding a country site is a
change to the data, not to the code. ``profile_for`` picks one: by explicit
name, else by the markup, else by host; ``None`` means the generic fallback.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

_DATA = Path(__file__).with_name("profiles.json")


@dataclass(frozen=True)
class SiteProfile:
    name: str
    hosts: tuple[str, ...] = ()
    detect: tuple[str, ...] = ()
    language: str = "en"
    listing: dict[str, Any] = field(default_factory=dict)
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    article: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def serves_host(self, host: str) -> bool:
        return any(fnmatch.fnmatch(host, pattern) for pattern in self.hosts)


class UnknownProfile(ValueError):
    pass


@cache
def load_profiles(path: Path = _DATA) -> tuple[SiteProfile, ...]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        SiteProfile(
            name=p["name"],
            hosts=tuple(p.get("hosts", ())),
            detect=tuple(p.get("detect", ())),
            language=p.get("language", "en"),
            listing=p.get("listing", {}),
            feeds=tuple(p.get("feeds", ())),
            sitemaps=tuple(p.get("sitemaps", ())),
            article=p.get("article", {}),
            description=p.get("description", ""),
        )
        for p in raw
    )


def get_profile(name: str) -> SiteProfile:
    for profile in load_profiles():
        if profile.name == name:
            return profile
    names = ", ".join(p.name for p in load_profiles())
    raise UnknownProfile(f"unknown site profile {name!r} (known: {names})")


def profile_for(
    url: str | None = None, soup: Any = None, name: str | None = None
) -> SiteProfile | None:
    """The profile for a page: by name, then by markup, then by host.

    Markup wins over host because one host serves both its current pages and
    older Drupal 7 ones; host is the tie-break when no selector matches.
    """
    if name:
        return get_profile(name)
    profiles = load_profiles()
    if soup is not None:
        for profile in profiles:
            if any(soup.select_one(sel) is not None for sel in profile.detect):
                return profile
    if url:
        host = (urlsplit(url).hostname or "").lower()
        for profile in profiles:
            if profile.serves_host(host):
                return profile
    return None
