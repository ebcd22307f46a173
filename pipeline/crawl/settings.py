"""The crawler's settings and the summary it returns, as plain data.

Every setting that changes what a crawl fetches or how fast is here with its
default, so the CLI, a config file and the tests all speak one vocabulary.
The summary is what a crawl tells its caller: counts, and every failure and
refusal with a one-line reason.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

USER_AGENT = "iom-press-pipeline/0.1 (+https://github.com/iom-press-pipeline)"

# Paths that look like one press release rather than a listing or a menu
# page; the generic fallback and sitemap filtering use them.
ARTICLE_PATTERNS: tuple[str, ...] = (
    r"/(?:news|press-and-news|statements|speeches|pressemitteilungen|noticias|"
    r"actualites|notizie|akhbar)/[^/?#]+/?$",
    r"/press[-_]?releases?(?:/|-)[^?#]+$",
)


@dataclass
class CrawlSettings:
    user_agent: str = USER_AGENT
    min_delay: float = 1.0  # seconds between two requests to one host
    workers: int = 4
    per_host: int = 2  # requests in flight to one host at once
    timeout: float = 20.0  # connect / read timeout of one request
    total_timeout: float = 60.0  # one response, body included (slow drip)
    retries: int = 3  # extra tries after the first
    backoff: float = 1.0  # first back-off; doubles each try, with jitter
    max_backoff: float = 60.0
    max_retry_after: float = 300.0  # a longer Retry-After is a failure, not a wait
    max_redirects: int = 5
    max_bytes: int = 5 * 1024 * 1024
    max_pages: int | None = None  # article fetches in this run
    max_listing_pages: int = 1000  # pages of one listing, against pager loops
    since: date | None = None
    refresh: bool = False  # refetch stored articles (conditional GET)
    extra_hosts: tuple[str, ...] = ()
    article_patterns: tuple[str, ...] = ARTICLE_PATTERNS


@dataclass
class CrawlSummary:
    fetched: int = 0  # articles downloaded (200)
    unchanged: int = 0  # articles answered 304, or refetched with the same HTML
    stored_new: int = 0
    stored_changed: int = 0
    already_stored: int = 0  # known articles not refetched (no --refresh)
    failed: int = 0
    skipped_robots: int = 0
    skipped_old: int = 0  # listed with a date before `since`
    refused_offsite: int = 0  # links to other hosts or private addresses
    skipped_offsite: int = 0  # release links to other hosts on a listing, never queued
    sources_fetched: int = 0  # listing pages, feeds, sitemaps
    limit_reached: bool = False  # max_pages stopped the crawl
    failures: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    robots: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
