"""The hand-written "wild" pages and links, and what a correct pipeline does with each.

Real sites serve pages a crawler and a cleaner must survive: a
windows-1252 page without a charset, a body inside a table, a cookie banner,
a raw Drupal token, an aggregator page holding three releases, a truncated
page, an empty 200, a dead link, redirect chains, links to other hosts and
to private addresses, a robots.txt-disallowed draft. Their bytes are files
in ``wild/``, written by hand; ``wild/wild.json`` says where each is served,
how it is listed, and (``expect``) what must happen to it. The builder puts
their cards into the listings so a crawler finds them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

WILD_DIR = Path(__file__).with_name("wild")


@dataclass(frozen=True)
class WildPage:
    name: str
    site: str
    kind: str
    title: str
    date: str | None
    expect: str
    releases: int = 0
    path: str | None = None
    href: str | None = None
    file: str | None = None
    content_type: str | None = None
    status: int = 200
    layout: str | None = None
    redirects: tuple[tuple[int, str], ...] = ()
    listed: bool = True
    in_sitemap: bool = False
    sitemap: bool = False
    disallowed: bool = False
    item_titles: tuple[str, ...] = field(default_factory=tuple)

    @property
    def link(self) -> str:
        """Where cards and sitemaps point: a path on the server or an off-site URL."""
        return self.path or self.href or ""

    def body(self) -> bytes:
        return (WILD_DIR / self.file).read_bytes() if self.file else b""


@cache
def load_wild() -> tuple[tuple[WildPage, ...], tuple[str, ...]]:
    """The wild pages, and the robots.txt Disallow paths that cover some of them."""
    raw: dict[str, Any] = json.loads((WILD_DIR / "wild.json").read_text(encoding="utf-8"))
    pages = []
    for entry in raw["pages"]:
        entry = dict(entry)
        entry["redirects"] = tuple((int(s), t) for s, t in entry.get("redirects", ()))
        entry["item_titles"] = tuple(entry.get("item_titles", ()))
        pages.append(WildPage(**entry))
    return tuple(pages), tuple(raw.get("disallow", ()))
