"""Building the sample site: every gold release as the agency's sites would show it.

``build_site(out_dir)`` renders the gold corpus into ``out_dir/www/``
(article pages in three layouts, paginated listings, an RSS feed and a
sitemap per site, a sitemap index, robots.txt), adds the hand-written wild
pages, and writes ``routes.json`` (what the server answers that is not a
plain file) and ``manifest.json`` (what tests need to know: every article
page with the gold ids it holds, the entry URLs to crawl, the disallowed,
off-site, missing and redirecting paths). Same corpus, same bytes.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

from .corpus import load_records
from .paths import BASE_PLACEHOLDER, MANIFEST, ROUTES, RSS_TYPE, WWW, file_for
from .plan import DUPLICATES, Article, Site, load_data, plan_articles, site_for_host, sort_key
from .render import FEED_ITEMS, Renderer
from .wild import WildPage, load_wild

DEFAULT_CRAWL_DELAY = 0.05
# A 1x1 transparent GIF, so image links on the pages resolve.
PLACEHOLDER_GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)
SITE_CSS = b"body{font-family:sans-serif;max-width:60em;margin:auto}.cookie-banner{position:fixed}\n"


def build_site(
    out_dir: Path,
    corpus_dir: Path | None = None,
    *,
    crawl_delay: float = DEFAULT_CRAWL_DELAY,
    duplicates: int = DUPLICATES,
) -> dict[str, Any]:
    """Render the sample site into ``out_dir``; return (and write) its manifest."""
    out_dir = Path(out_dir)
    records, skipped = load_records(corpus_dir)
    articles = plan_articles(records, duplicates)
    wild_pages, disallow = load_wild()
    builder = _Builder(articles, wild_pages, disallow, crawl_delay)
    builder.build()
    manifest = builder.manifest(len(records), skipped)

    www = out_dir / WWW
    if www.exists():
        shutil.rmtree(www)
    for name in sorted(builder.files):
        target = www / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(builder.files[name])
    (out_dir / ROUTES).write_text(_dumps(builder.routes), encoding="utf-8")
    (out_dir / MANIFEST).write_text(_dumps(manifest), encoding="utf-8")
    return manifest


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _format_delay(seconds: float) -> str:
    return f"{seconds:g}"


class _Builder:
    """Accumulates files and routes in memory; build_site writes them."""

    def __init__(
        self,
        articles: list[Article],
        wild_pages: tuple[WildPage, ...],
        disallow: tuple[str, ...],
        crawl_delay: float,
    ) -> None:
        self.articles = articles
        self.wild_pages = wild_pages
        self.disallow = disallow
        self.crawl_delay = crawl_delay
        self.renderer = Renderer()
        self.files: dict[str, bytes] = {}
        self.routes: dict[str, dict[str, Any]] = {}
        self.sites: dict[str, Site] = {}
        for article in articles:
            self.sites.setdefault(article.site.key, article.site)
        for page in wild_pages:
            site = site_for_host(page.site)
            self.sites.setdefault(site.key, site)
        self.listings: list[dict[str, Any]] = []
        self.feeds: list[dict[str, Any]] = []
        self.sitemaps: list[str] = []
        self.redirects: list[dict[str, Any]] = []
        self.targets: dict[str, Article] = {}

    # -- the pieces ---------------------------------------------------------

    def build(self) -> None:
        for article in self.articles:
            self.files[file_for(article.path)] = self.renderer.article(article).encode("utf-8")
        self._resolve_targets()
        self._wild_files()
        for key in sorted(self.sites):
            site = self.sites[key]
            self._listing(site)
            self._feed(site)
            self._sitemap(site)
            self.files[f"{site.home}/index.html"] = self.renderer.render(
                "home.html.j2",
                name=site.office,
                lang=site.language,
                feed_path=site.server_path(site.feed_path),
                listing_path=site.server_path(site.listing_path),
            ).encode("utf-8")
        self.files["sitemap.xml"] = self.renderer.render(
            "sitemap_index.xml.j2", sitemaps=[BASE_PLACEHOLDER + p for p in sorted(self.sitemaps)]
        ).encode("utf-8")
        self.files["robots.txt"] = self.renderer.render(
            "robots.txt.j2",
            crawl_delay=_format_delay(self.crawl_delay),
            disallow=self.disallow,
            base=BASE_PLACEHOLDER,
        ).encode("utf-8")
        self.files["index.html"] = self.renderer.render(
            "index.html.j2",
            sites=[
                {
                    "name": f"{s.office} ({s.language})",
                    "listing": s.server_path(s.listing_path),
                    "feed": s.server_path(s.feed_path),
                    "sitemap": s.server_path(s.sitemap_path),
                }
                for _, s in sorted(self.sites.items())
            ],
        ).encode("utf-8")
        self.files["static/placeholder.gif"] = PLACEHOLDER_GIF
        self.files["static/site.css"] = SITE_CSS

    def _site_articles(self, site: Site) -> list[Article]:
        group = [a for a in self.articles if a.site.key == site.key]
        return sorted(group, key=lambda a: (*sort_key(a.date, a.title), a.path), reverse=True)

    def _resolve_targets(self) -> None:
        """``@newest:HOST``: the newest current-layout primary page of that host."""
        for page in self.wild_pages:
            for _, target in page.redirects:
                if not target.startswith("@newest:"):
                    continue
                site = site_for_host(target.split(":", 1)[1])
                pool = [
                    a for a in self._site_articles(site)
                    if a.layout == site.layout and a.duplicate_of is None
                ] or sorted(self.articles, key=lambda a: sort_key(a.date, a.title), reverse=True)
                if pool:
                    self.targets[target] = pool[0]

    def _target_path(self, target: str) -> str:
        article = self.targets.get(target)
        return article.path if article else target

    def _wild_files(self) -> None:
        for page in self.wild_pages:
            if page.file and page.path:
                name = file_for(page.path)
                if page.path.endswith("/"):
                    name = f"{page.path.strip('/')}/index.html"
                self.files[name] = page.body()
                if page.content_type:
                    self.routes[page.path] = {"file": name, "content_type": page.content_type}
            if page.redirects and page.path:
                source, chain = page.path, []
                for status, target in page.redirects:
                    location = self._target_path(target)
                    self.routes[source] = {"status": status, "location": location}
                    chain.append([status, location])
                    source = location
                self.redirects.append({
                    "path": page.path,
                    "chain": chain,
                    "final": chain[-1][1],
                    "offsite": "://" in chain[-1][1],
                    "gold_ids": self.targets[page.redirects[-1][1]].gold_ids
                    if page.redirects[-1][1] in self.targets else [],
                })

    def _wild_card(self, site: Site, page: WildPage) -> dict[str, Any]:
        title, date = page.title, page.date
        target = self.targets.get(page.redirects[-1][1]) if page.redirects else None
        if target is not None and title == "@target":
            title = target.title
        if target is not None and date == "@target":
            date = target.date
        return self.renderer.card(site, title, page.link, date, _tag(site, "press_release"),
                                  page.name)

    def _listing(self, site: Site) -> None:
        cards = [
            self.renderer.card(site, a.title, a.path, a.date, _tag(site, a.kind, a), a.gold_ids[0],
                               a.text)
            for a in self._site_articles(site)
        ]
        for page in self.wild_pages:
            if page.listed and site_for_host(page.site).key == site.key:
                cards.append(self._wild_card(site, page))
        cards.sort(key=lambda c: (*sort_key(c["date"], c["title"]), c["href"]), reverse=True)
        per_page = site.per_page
        pages = max(1, math.ceil(len(cards) / per_page))
        path = site.server_path(site.listing_path)
        for number in range(pages):
            chunk = cards[number * per_page:(number + 1) * per_page]
            html = self.renderer.listing(site, chunk, number, pages)
            self.files[file_for(path, number)] = html.encode("utf-8")
        self.listings.append({
            "path": path,
            "site": site.host,
            "language": site.language,
            "layout": site.layout,
            "per_page": per_page,
            "pages": pages,
            "items": len(cards),
            "hrefs": [c["href"] for c in cards],
        })

    def _feed(self, site: Site) -> None:
        path = site.server_path(site.feed_path)
        name = file_for(path)
        if not name.endswith(".xml"):
            name = f"{name.removesuffix('.html')}.xml"
        articles = self._site_articles(site)
        self.files[name] = self.renderer.feed(site, articles, BASE_PLACEHOLDER).encode("utf-8")
        self.routes[path] = {"file": name, "content_type": RSS_TYPE}
        self.feeds.append({"path": path, "site": site.host, "language": site.language,
                           "items": [a.path for a in articles[:FEED_ITEMS]]})

    def _sitemap(self, site: Site) -> None:
        urls = [
            {"loc": BASE_PLACEHOLDER + a.path, "lastmod": a.date or "", "changefreq": "monthly"}
            for a in self._site_articles(site)
        ]
        for page in self.wild_pages:
            if site_for_host(page.site).key != site.key:
                continue
            if page.in_sitemap and page.path:
                urls.append({"loc": BASE_PLACEHOLDER + page.path, "lastmod": page.date or "",
                             "changefreq": "yearly"})
            elif page.sitemap and page.href:
                urls.append({"loc": page.href, "lastmod": page.date or "", "changefreq": "yearly"})
        path = site.server_path(site.sitemap_path)
        self.files[file_for(path)] = self.renderer.render("sitemap.xml.j2", urls=urls).encode(
            "utf-8"
        )
        self.sitemaps.append(path)

    # -- the manifest -------------------------------------------------------

    def manifest(self, record_count: int, skipped: list[str]) -> dict[str, Any]:
        articles = [_article_entry(a) for a in self.articles]
        wild = []
        for page in self.wild_pages:
            site = site_for_host(page.site)
            entry = {
                "name": page.name,
                "kind": page.kind,
                "site": site.host,
                "path": page.path,
                "href": page.href,
                "status": 200 if page.file else (page.status if not page.redirects else
                                                 page.redirects[0][0]),
                "title": page.title,
                "releases": page.releases,
                "listed": page.listed,
                "disallowed": page.disallowed,
                "expect": page.expect,
            }
            if page.item_titles:
                entry["item_titles"] = list(page.item_titles)
            wild.append(entry)
            if page.file and page.path and page.kind in ("article", "aggregator"):
                articles.append({
                    "path": page.path,
                    "canonical": f"https://{site.host}{page.path[len(site.prefix) + 1:]}",
                    "site": site.host,
                    "layout": page.layout,
                    "language": "en",
                    "title": page.title,
                    "date": page.date,
                    "gold_ids": [],
                    "duplicate_of": None,
                    "french": False,
                    "seed_chrome": False,
                    "wild": page.name,
                    "releases": page.releases,
                    "disallowed": page.disallowed,
                })
        offsite = [
            {"url": p.href, "found_on": "sitemap" if p.sitemap else "listing", "wild": p.name}
            for p in self.wild_pages if p.href
        ] + [
            {"url": r["final"], "found_on": "redirect", "wild": r["path"]}
            for r in self.redirects if r["offsite"]
        ]
        return {
            "format": 1,
            "base_placeholder": BASE_PLACEHOLDER,
            "crawl_delay": self.crawl_delay,
            "corpus": {"records": record_count, "skipped": skipped},
            "entries": {
                "robots": "/robots.txt",
                "sitemap_index": "/sitemap.xml",
                "sitemaps": sorted(self.sitemaps),
                "feeds": sorted(f["path"] for f in self.feeds),
                "listings": sorted(x["path"] for x in self.listings),
            },
            "listings": sorted(self.listings, key=lambda x: x["path"]),
            "feeds": sorted(self.feeds, key=lambda x: x["path"]),
            "articles": articles,
            "wild": wild,
            "redirects": self.redirects,
            "disallowed": list(self.disallow),
            "disallowed_pages": sorted(p.path for p in self.wild_pages if p.disallowed and p.path),
            "missing": sorted(p.path for p in self.wild_pages if p.status == 404 and p.path),
            "offsite": offsite,
            "offsite_notes": (
                "Never fetched by a correct crawler: the URLs above, canonical URLs "
                "(https://*.iom.int/…) in <link rel=canonical> and feed guids, footer links "
                "to https://www.example.org/… and http://10.0.0.5/intranet/, share links."
            ),
        }


def _tag(site: Site, kind: str, article: Article | None = None) -> str:
    if site.layout == "global":
        return site_label(site, kind)
    tags = (article.record.get("site_tags") if article else None) or []
    return tags[0] if tags else "News"


def site_label(site: Site, kind: str) -> str:
    labels = load_data("chrome.json")["global"][site.language]["type_labels"]
    return labels.get(kind, labels["press_release"])


def _article_entry(article: Article) -> dict[str, Any]:
    return {
        "path": article.path,
        "canonical": article.canonical,
        "site": article.site.host,
        "layout": article.layout,
        "language": article.site.language,
        "title": article.title,
        "date": article.date,
        "gold_ids": list(article.gold_ids),
        "duplicate_of": article.duplicate_of,
        "french": article.french,
        "seed_chrome": article.seed_chrome,
        "wild": None,
        "releases": len(article.gold_ids),
        "disallowed": False,
    }
