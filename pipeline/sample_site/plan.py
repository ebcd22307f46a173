"""Where each release goes on the sample site: sites, layouts, slugs, copies.

One server holds every site under its own prefix (``/global/…``,
``/iran/…``, ``/germany/…``); each page still names the real-looking URL it
would have (``<link rel="canonical" href="https://iran.iom.int/news/…">``).
The layout follows the record: the global host gets the current global
layout, a regional or country host the country layout, and older releases
(before 2018, or press briefing notes) the Drupal 7 layout with its glued
metadata, as the agency's sites still serve them. A few country releases are
also copied onto the global site, as the agency does, so near-duplicates
exist. Every choice is a pure function of the corpus, so the same corpus
gives the same site byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pycountry

from pipeline.sites import get_profile

_HERE = Path(__file__).parent
OLD_BEFORE = "2018-01-01"
DUPLICATES = 5
PROFILE_OF_LAYOUT = {"global": "iom-global", "country": "iom-country", "drupal7": "iom-drupal7"}
# Drupal pathauto's default list of words left out of URL aliases.
SLUG_STOP_WORDS = frozenset(
    "a an as at before but by for from is in into like of off on onto per since than the this "
    "that to up via with and or its".split()
)


@cache
def load_data(name: str) -> dict[str, Any]:
    return json.loads((_HERE / name).read_text(encoding="utf-8"))


def digest(*parts: str) -> int:
    """A stable number for deterministic choices (Python's hash() is salted)."""
    text = "\x1f".join(parts)
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:12], 16)


def slugify(title: str, limit: int = 100) -> str:
    """A Drupal-like alias: lower-case ASCII words, no stop-words, no commas in numbers."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    ascii_title = re.sub(r"(?<=\d)[,.](?=\d{3}\b)", "", ascii_title.lower())
    words = [w for w in re.findall(r"[a-z0-9]+", ascii_title) if w not in SLUG_STOP_WORDS]
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or "node"


@dataclass(frozen=True)
class Site:
    key: str
    host: str
    prefix: str
    layout: str
    name: str
    office: str
    scope: str
    language: str = "en"
    news_base: str = "/news"
    listing_path: str = "/news"
    feed_path: str = "/rss.xml"
    sitemap_path: str = "/sitemap.xml"
    local_sentence: str = ""

    @property
    def home(self) -> str:
        """Server path (without slashes) that menus hang their links from."""
        lang = self.news_base.rsplit("/news", 1)[0]
        return f"{self.prefix}{lang}"

    def server_path(self, rel: str) -> str:
        return f"/{self.prefix}{rel}"

    def article_path(self, slug: str) -> str:
        return self.server_path(f"{self.news_base}/{slug}")

    def canonical(self, slug: str) -> str:
        return f"https://{self.host}{self.news_base}/{slug}"

    @property
    def per_page(self) -> int:
        return int(get_profile(PROFILE_OF_LAYOUT[self.layout]).listing.get("per_page", 12))


@dataclass
class Article:
    """One article page: a gold release (or a copy of one) at one path."""

    site: Site
    slug: str
    layout: str
    title: str
    text: str
    date: str | None
    kind: str
    gold_ids: list[str]
    record: dict[str, Any]
    duplicate_of: str | None = None
    node_id: int = 0
    related: list[Article] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.site.article_path(self.slug)

    @property
    def canonical(self) -> str:
        return self.site.canonical(self.slug)

    @property
    def french(self) -> bool:
        return self.site.language == "fr"

    @property
    def seed_chrome(self) -> bool:
        """The seed release: its page must flatten to the real page's chrome."""
        return any(gid.startswith("seed") for gid in self.gold_ids) and self.layout == "country"


@cache
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names[re.sub(r"[^a-z]", "", value.lower())] = getattr(
                    country, "common_name", country.name
                )
    return names


def site_for_host(host: str, language: str = "en") -> Site:
    """The site a host is shown as: known hosts from sites.json, others guessed."""
    host = (host or "www.iom.int").lower()
    known = load_data("sites.json").get(host)
    chrome = load_data("chrome.json")["country"]
    if known is None:
        label = host.split(".")[0]
        name = _country_names().get(label, label.replace("-", " ").title())
        known = {"prefix": label, "name": name, "office": f"IOM {name}", "scope": "country"}
    layout = known.get("layout", "country")
    profile = get_profile(PROFILE_OF_LAYOUT[layout])
    feeds = list(profile.feeds) or ["/rss.xml"]
    feed = known.get("feed", feeds[0] if layout == "global" else feeds[-1])
    sentence = ""
    if known["scope"] != "global":
        generic = chrome[f"local_sentence_{known['scope']}"].format(name=known["name"])
        sentence = known.get("local_sentence") or generic
    site = Site(
        key=known["prefix"],
        host="www.iom.int" if known["scope"] == "global" else host,
        prefix=known["prefix"],
        layout=layout,
        name=known["name"],
        office=known["office"],
        scope=known["scope"],
        news_base=known.get("news_base", "/news"),
        listing_path=known.get("listing_path", known.get("news_base", "/news")),
        feed_path=feed,
        local_sentence=sentence,
    )
    if language != "en" and site.scope == "global":
        lang = f"/{language}"
        site = Site(
            key=f"{site.prefix}-{language}",
            host=site.host,
            prefix=site.prefix,
            layout=site.layout,
            name=site.name,
            office=site.office,
            scope=site.scope,
            language=language,
            news_base=f"{lang}/news",
            listing_path=f"{lang}/news",
            feed_path=f"{lang}{site.feed_path}",
            sitemap_path=f"{lang}/sitemap.xml",
        )
    return site


def is_old(record: dict[str, Any]) -> bool:
    """Shown in the Drupal 7 layout, as the agency's older pages still are."""
    date = record.get("date") or ""
    return record.get("kind") == "pbn" or (bool(date) and date < OLD_BEFORE)


def sort_key(date: str | None, title: str) -> tuple[str, str]:
    """Newest first when sorted in reverse; undated items go last."""
    return (date or "0000-00-00", title)


def _slug_for(record: dict[str, Any]) -> str:
    url = record.get("url")
    if isinstance(url, str) and url:
        last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
        if last:
            return last
    return slugify(record["title"])


def _unique(slug: str, taken: set[str]) -> str:
    # Drupal appends -0, -1, … to an alias that is already in use.
    candidate, n = slug, 0
    while candidate in taken:
        candidate = f"{slug}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def plan_articles(records: list[dict[str, Any]], duplicates: int = DUPLICATES) -> list[Article]:
    """Every article page, primaries first, then the copies on the global site."""
    taken: dict[str, set[str]] = {}
    articles: list[Article] = []
    for record in records:
        language = record.get("language") or "en"
        site = site_for_host(record.get("site") or "www.iom.int", language)
        if site.language != "en":
            layout = "global"
        elif site.layout == "drupal7" or is_old(record):
            layout = "drupal7"
        else:
            layout = site.layout
        slug = _unique(_slug_for(record), taken.setdefault(site.key, set()))
        articles.append(
            Article(
                site=site,
                slug=slug,
                layout=layout,
                title=record["title"],
                text=record["text"],
                date=record.get("date"),
                kind=record.get("kind") or "press_release",
                gold_ids=[record["id"]],
                record=record,
            )
        )
    candidates = [
        a for a in articles if a.site.scope != "global" and a.layout != "drupal7" and not a.french
    ]
    candidates.sort(key=lambda a: digest("duplicate", a.gold_ids[0]))
    global_site = site_for_host("www.iom.int")
    for primary in candidates[:duplicates]:
        slug = _unique(primary.slug, taken.setdefault(global_site.key, set()))
        articles.append(
            Article(
                site=global_site,
                slug=slug,
                layout="global",
                title=primary.title,
                text=primary.text,
                date=primary.date,
                kind=primary.kind,
                gold_ids=list(primary.gold_ids),
                record=primary.record,
                duplicate_of=primary.path,
            )
        )
    _number_nodes(articles)
    _link_related(articles)
    return articles


def _number_nodes(articles: list[Article]) -> None:
    used: set[int] = set()
    for article in articles:
        node = 10000 + digest("node", article.path) % 90000
        while node in used:
            node += 1
        used.add(node)
        article.node_id = node


def _link_related(articles: list[Article], count: int = 3) -> None:
    by_site: dict[str, list[Article]] = {}
    for article in articles:
        by_site.setdefault(article.site.key, []).append(article)
    for group in by_site.values():
        group.sort(key=lambda a: sort_key(a.date, a.title), reverse=True)
        for i, article in enumerate(group):
            others = [group[(i + k) % len(group)] for k in range(1, len(group))]
            article.related = others[:count]
