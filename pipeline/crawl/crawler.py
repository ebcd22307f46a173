"""The crawl itself: from source URLs to stored pages, politely and resumably.

``crawl`` fetches each source (listing page, feed, sitemap or sitemap index,
told apart by content; a known site's home page stands for the listings its
profile names), follows listing pagination, and fetches every
release page it finds into the store. A thread pool works on several hosts
at once with at most ``per_host`` requests in flight to each; the fetcher
paces each host. The main thread alone decides what to fetch next; workers
fetch, parse and store.

Resumability rests on the store, never on memory: every release link is
entered in the frontier before it is fetched, and each page is stored in its
own transaction before its frontier row is marked done. A rerun after a
``kill -9`` refetches the sources (listings change), finds the links again,
skips every page already stored, and also picks up pending links it no longer
reaches (a listing that moved on). A source is marked done once its whole
listing was walked; on the next run such a listing stops paging at the first
page whose releases are all stored already, so a daily crawl reads a page or
two, not the whole archive.

Failures are values: each is stored with ``store.add_error(stage="crawl")``
and returned in the summary with a one-line reason. Links refused by the
allowlist (other hosts, private addresses) are not failures: they are
stored under stage "crawl-refused" and listed in ``summary.refused``. A
redirect refused on the way to a release is a failure, since the release
was not fetched.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin, urlsplit

import httpx

from pipeline.crawl.fetcher import (
    GZIP_TYPES,
    HTML_TYPES,
    TEXT_TYPES,
    XML_TYPES,
    Fetcher,
    FetchError,
    KnownRedirect,
)
from pipeline.crawl.listings import parse_listing
from pipeline.crawl.politeness import HostThrottle
from pipeline.crawl.robots import RobotsRules
from pipeline.crawl.safety import Allowlist
from pipeline.crawl.settings import CrawlSettings, CrawlSummary
from pipeline.crawl.sources import Link, SourceError, detect_kind, gunzip, parse_feed, parse_sitemap
from pipeline.crawl.urls import ArticleShape, host_key, normalise_url
from pipeline.records import Page
from pipeline.sites import get_profile, profile_for
from pipeline.store import Store, now

_KEPT_HEADERS = ("content-type", "content-language", "etag", "last-modified", "date")


@dataclass
class _Task:
    url: str
    kind: str  # "source", "listing" (a further page), "sitemap" (an index's child), "article"
    source: str | None = None  # the document that linked here
    root: str | None = None  # the source URL a discovery task descends from
    page_number: int = 0  # pages of this listing before this one
    guessed: bool = False  # a ?page=N+1 the page did not link to, or a profile's listing


@dataclass
class _Outcome:
    status: str  # new changed same unchanged alias failed robots found end
    reason: str | None = None
    links: list[Link] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    next_url: str | None = None
    next_guessed: bool = False
    robots_failure: str | None = None
    final_url: str | None = None  # where a redirected release was stored
    offsite: int = 0  # release links to other hosts the listing held, not followed


@dataclass
class _Root:
    url: str
    walked_before: bool  # a previous run walked this source to its end
    open: int = 0  # discovery tasks queued or running
    complete: bool = True  # no failure and no limit cut this walk short
    links: set[str] = field(default_factory=set)  # release links its pages listed


def crawl(
    sources: list[str],
    store: Store,
    settings: CrawlSettings | None = None,
    profile_name: str | None = None,
    run_id: int | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> CrawlSummary:
    """Fetch the releases that ``sources`` list into ``store``; see the module doc.

    ``progress(done, known)`` is called as each page is handled, with the
    pages handled so far and those known so far (a crawl finds its work as it goes).

    Raises ValueError (``UnknownProfile`` among them) for a source that is no
    http(s) URL or an unknown profile name; everything that goes wrong with a
    page is in the summary instead.
    """
    settings = settings or CrawlSettings()
    if profile_name:
        get_profile(profile_name)  # an unknown name is the user's to fix, before any fetch
    if settings.workers < 1 or settings.per_host < 1:
        raise ValueError("workers and per_host must be at least 1")
    roots: list[str] = []
    guessed: set[str] = set()  # listings a profile names for a home page: a 404 is no error
    for source in sources:
        url = normalise_url(source)
        if url is None:
            raise ValueError(f"not an http(s) URL: {source!r}")
        listings = site_listings(url, profile_name)
        if listings != [url]:
            guessed.update(listings)
        roots += [u for u in listings if u not in roots]
    allowlist = Allowlist.from_sources(roots, settings.extra_hosts)
    timeout = httpx.Timeout(settings.timeout)
    limits = httpx.Limits(max_connections=settings.workers * 2,
                          max_keepalive_connections=settings.workers * 2)
    with httpx.Client(timeout=timeout, limits=limits, follow_redirects=False) as client:
        fetcher = Fetcher(client, settings, allowlist, HostThrottle())
        robots = RobotsRules(fetcher, settings.user_agent)
        job = _Crawl(store, settings, profile_name, run_id, allowlist, fetcher, robots)
        job.progress = progress
        return job.run(roots, guessed)


def site_listings(url: str, profile_name: str | None = None) -> list[str]:
    """A site's home page stands for its news listings, as its profile names them."""
    if urlsplit(url).path not in ("", "/"):
        return [url]
    profile = profile_for(url, None, profile_name)
    paths = profile.listing.get("paths", []) if profile else []
    return [urljoin(url, path) for path in paths] or [url]


class _Crawl:
    def __init__(self, store: Store, settings: CrawlSettings, profile_name: str | None,
                 run_id: int | None, allowlist: Allowlist, fetcher: Fetcher,
                 robots: RobotsRules):
        self.store = store
        self.settings = settings
        self.profile_name = profile_name
        self.run_id = run_id
        self.allowlist = allowlist
        self.fetcher = fetcher
        self.robots = robots
        self.is_article = ArticleShape(settings.article_patterns)
        self.summary = CrawlSummary()
        self.roots: dict[str, _Root] = {}
        self.discovery: dict[str, deque[_Task]] = {}
        self.articles: dict[str, deque[_Task]] = {}
        self.in_flight: Counter[str] = Counter()
        # Release links found this run, with what their first offer found (see _offer_article).
        self.verdicts: dict[str, str] = {}
        self.queued: set[str] = set()  # release URLs this run fetches (or fetched)
        self.seen_documents: set[str] = set()
        self.refused_urls: set[str] = set()
        self.robots_reported: set[str] = set()
        self.articles_started = 0
        self.progress: Callable[[int, int | None], None] | None = None
        self.handled = 0

    # -- scheduling (main thread) -------------------------------------------
    def run(self, sources: list[str], guessed: set[str]) -> CrawlSummary:
        for url in sources:
            walked = self.store.frontier_state(url) == "done"
            self.store.frontier_add(url, "source")
            # Pending until this walk ends, so a killed walk is redone in full.
            self.store.frontier_set(url, "pending")
            self.roots[url] = _Root(url, walked)
            self._queue_document(_Task(url, "source", root=url, guessed=url in guessed))
        for row in self.store.frontier_pending("article"):
            self._resume(row["url"], row["source"])
        with ThreadPoolExecutor(self.settings.workers, thread_name_prefix="crawl") as pool:
            running: dict[Future[_Outcome], _Task] = {}
            while True:
                self._submit(pool, running)
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    task = running.pop(future)
                    self.in_flight[host_key(task.url)] -= 1
                    self._handle(task, future.result())
                    self.handled += 1
                if self.progress:
                    waiting = sum(map(len, self.discovery.values())) + sum(
                        map(len, self.articles.values()))
                    self.progress(self.handled, self.handled + len(running) + waiting)
        self._close_roots()
        return self.summary

    def _submit(self, pool: ThreadPoolExecutor, running: dict[Future[_Outcome], _Task]) -> None:
        progress = True
        while progress and len(running) < self.settings.workers:
            progress = False
            for host in list(self.discovery.keys() | self.articles.keys()):
                if len(running) >= self.settings.workers:
                    return
                if self.in_flight[host] >= self.settings.per_host:
                    continue
                task = self._next_task(host)
                if task is None:
                    continue
                self.in_flight[host] += 1
                running[pool.submit(self._work, task)] = task
                progress = True

    def _next_task(self, host: str) -> _Task | None:
        if self._limit_reached():
            # Further listing pages would only find releases this run may not fetch.
            if self.discovery.get(host) or self.articles.get(host):
                self.summary.limit_reached = True
            return None
        if self.discovery.get(host):
            return self.discovery[host].popleft()
        if self.articles.get(host):
            self.articles_started += 1
            return self.articles[host].popleft()
        return None

    def _limit_reached(self) -> bool:
        limit = self.settings.max_pages
        return limit is not None and self.articles_started >= limit

    def _queue_document(self, task: _Task) -> None:
        if task.url in self.seen_documents:
            return
        self.seen_documents.add(task.url)
        if task.root:
            self.roots[task.root].open += 1
        self.discovery.setdefault(host_key(task.url), deque()).append(task)

    def _offer_article(self, link: Link, source: str | None) -> str:
        """Queue a release link unless stored, refused or too old; says which.

        "new" means the frontier had never seen the link before this run: what
        tells a listing page with something new on it from one already walked,
        also when a feed or another listing of this run found the link first.
        """
        if link.url not in self.verdicts:
            self.verdicts[link.url] = self._first_offer(link, source)
        return self.verdicts[link.url]

    def _first_offer(self, link: Link, source: str | None) -> str:
        url = link.url
        refusal = self.allowlist.refusal(url)
        if refusal:
            self._refuse(url, refusal)
            return "refused"
        if self.settings.since and link.date and link.date < self.settings.since:
            self.summary.skipped_old += 1
            return "old"
        new = self.store.frontier_add(url, "article", source)
        if self._stored(url, "pending" if new else None):
            return "stored"
        if url not in self.queued:
            self._queue_article(url, source)
        return "new" if new else "queued"

    def _resume(self, url: str, source: str | None) -> None:
        """A link a killed or limited run left pending. Links on hosts outside this
        crawl's allowlist are left for the crawl they belong to."""
        if url in self.queued or self.allowlist.refusal(url) is not None:
            return
        if not self._stored(url, "pending"):
            self._queue_article(url, source)

    def _stored(self, url: str, state: str | None) -> bool:
        """Already stored and not to be refreshed (and then marked done)."""
        if self.settings.refresh:
            return False
        state = state or self.store.frontier_state(url)
        if state != "done" and not self.store.has_page(url):
            return False
        self.summary.already_stored += 1
        if state != "done":
            self.store.frontier_set(url, "done")  # stored, then killed before marking
        return True

    def _queue_article(self, url: str, source: str | None) -> None:
        self.queued.add(url)
        self.articles.setdefault(host_key(url), deque()).append(_Task(url, "article", source))

    def _offer_document(self, url: str, task: _Task, kind: str, guessed: bool = False) -> None:
        refusal = self.allowlist.refusal(url)
        if refusal:
            self._refuse(url, refusal)
            return
        self._queue_document(_Task(url, kind, source=task.url, root=task.root,
                                   page_number=task.page_number + (kind == "listing"),
                                   guessed=guessed))

    # -- results (main thread) ----------------------------------------------
    def _handle(self, task: _Task, outcome: _Outcome) -> None:
        root = self.roots.get(task.root) if task.root else None
        if root is not None:
            root.open -= 1
        if outcome.status == "robots":
            self.summary.skipped_robots += 1
            self.summary.robots.append(task.url)
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(task.url))
            if outcome.robots_failure and origin not in self.robots_reported:
                self.robots_reported.add(origin)
                self._fail(origin + "/robots.txt", outcome.robots_failure)
            self._not_fetched(task, root, "robots")
            return
        if outcome.status == "failed":
            self._fail(task.url, outcome.reason or "failed")
            self._not_fetched(task, root, "failed")
            return
        if task.kind == "article":
            self._count_article(outcome.status)
            if outcome.final_url:
                self.queued.add(outcome.final_url)
            return
        self.summary.sources_fetched += 1
        self.summary.skipped_offsite += outcome.offsite
        if outcome.status == "end" or root is None:
            return
        if outcome.status == "found":
            verdicts = [self._offer_article(link, task.url) for link in outcome.links]
        else:  # the page itself was stored: an aggregator, or a source that is one release
            self._count_article(outcome.status)
            verdicts = [outcome.status]
        for child in outcome.sitemaps:
            self._offer_document(child, task, "sitemap")
        listed = {link.url for link in outcome.links}
        repeated = listed <= root.links  # empty, or a pager that loops back
        root.links |= listed
        if outcome.next_url and not repeated and self._keep_paging(task, outcome, verdicts, root):
            self._offer_document(outcome.next_url, task, "listing", outcome.next_guessed)

    def _keep_paging(self, task: _Task, outcome: _Outcome, verdicts: list[str],
                     root: _Root) -> bool:
        if task.page_number + 1 >= self.settings.max_listing_pages:
            return False
        since = self.settings.since
        if since and all(link.date and link.date < since for link in outcome.links):
            return False
        if root.walked_before and not self.settings.refresh and "new" not in verdicts:
            return False  # nothing new here, and the older pages were walked before
        return True

    def _count_article(self, status: str) -> None:
        if status == "alias":
            self.summary.already_stored += 1
        if status in ("new", "changed", "same"):
            self.summary.fetched += 1
        if status == "new":
            self.summary.stored_new += 1
        elif status == "changed":
            self.summary.stored_changed += 1
        elif status in ("same", "unchanged"):
            self.summary.unchanged += 1

    def _not_fetched(self, task: _Task, root: _Root | None, state: str) -> None:
        """An article keeps why in the frontier; a listing's walk is left unfinished."""
        if task.kind == "article":
            self.store.frontier_set(task.url, state)
        elif root is not None:
            root.complete = False

    def _fail(self, url: str, reason: str) -> None:
        self.summary.failed += 1
        self.summary.failures.append((url, reason))
        self.store.add_error("crawl", url, reason, self.run_id)

    def _refuse(self, url: str, reason: str) -> None:
        if url in self.refused_urls:
            return
        self.refused_urls.add(url)
        self.summary.refused_offsite += 1
        self.summary.refused.append((url, reason))
        self.store.add_error("crawl-refused", url, reason, self.run_id)

    def _close_roots(self) -> None:
        for root in self.roots.values():
            if root.open == 0 and root.complete:
                self.store.frontier_set(root.url, "done")

    # -- work (pool threads) ------------------------------------------------
    def _work(self, task: _Task) -> _Outcome:
        try:
            rules = self.robots.rules(task.url)
            if not rules.parser.can_fetch(self.settings.user_agent, task.url):
                return _Outcome("robots", robots_failure=rules.failure)
            if task.kind == "article":
                return self._fetch_article(task)
            return self._fetch_document(task)
        except FetchError as exc:
            if task.guessed and exc.status == 404:
                return _Outcome("end")  # the guessed page after the last one
            return _Outcome("failed", exc.reason)
        except SourceError as exc:
            return _Outcome("failed", str(exc))
        except Exception as exc:  # noqa: BLE001 - one bad page must not end the crawl
            return _Outcome("failed", f"internal error: {type(exc).__name__}: {exc}")

    def _fetch_article(self, task: _Task) -> _Outcome:
        validators = self.store.page_validators(task.url) if self.settings.refresh else {}
        try:
            # An old alias that redirects to a release this run already has or has queued
            # (the listing links both) is not followed: the release is fetched once.
            response = self.fetcher.fetch(task.url, HTML_TYPES, validators, known=self._known)
        except KnownRedirect:
            self.store.frontier_set(task.url, "done")
            return _Outcome("alias")
        if response.status == 304:
            self.store.touch_page(task.url)
            self.store.frontier_set(task.url, "done")
            return _Outcome("unchanged")
        if not response.body.strip():
            raise FetchError("empty body", 200)
        # A page is kept under the address it lives at, so an old alias that
        # redirects to a release the listing also links directly stores it once.
        url = normalise_url(response.final_url) or task.url
        status = self._store_page(url, task.source, response.headers, response.text())
        if url != task.url:
            self.store.frontier_add(url, "article", task.source)
            self.store.frontier_set(url, "done")
        self.store.frontier_set(task.url, "done")
        return _Outcome(status, final_url=url)

    def _known(self, url: str) -> bool:
        # Read from pool threads: a set lookup is atomic in CPython, and a link the
        # main thread adds a moment later only costs one extra fetch.
        return url in self.queued or url in self.verdicts or self.store.has_page(url)

    def _store_page(self, url: str, source: str | None, headers: dict[str, str],
                    html: str) -> str:
        page = Page(
            url=url,
            fetched_at=now(),
            status=200,
            html=html,
            headers={k: v for k, v in headers.items() if k in _KEPT_HEADERS},
            source=source,
        )
        with self.store.atomic():  # has_page and upsert_page as one step
            existed = self.store.has_page(url)
            changed = self.store.upsert_page(page)
        return "new" if not existed else "changed" if changed else "same"

    def _fetch_document(self, task: _Task) -> _Outcome:
        # Servers send sitemaps as text/plain too; the content tells what it is.
        response = self.fetcher.fetch(task.url, HTML_TYPES + XML_TYPES + GZIP_TYPES + TEXT_TYPES)
        base = response.final_url
        response = replace(response, body=gunzip(response.body, self.settings.max_bytes))
        kind = detect_kind(response.content_type, response.body)
        if task.kind == "sitemap" or kind in ("sitemap", "sitemapindex"):
            pages, children = parse_sitemap(response.body, base)
            # A site's sitemap lists every page; keep the ones shaped like releases.
            return _Outcome("found", links=[p for p in pages if self.is_article(p.url)],
                            sitemaps=children)
        if kind == "feed":
            return _Outcome("found", links=parse_feed(response.body, base))
        if not response.body.strip():
            raise FetchError("empty body", 200)
        html = response.text()
        listing = parse_listing(html, base, self.profile_name, self.is_article)
        outcome = _Outcome("found", links=listing.links, next_url=listing.next_url,
                           next_guessed=listing.next_guessed, offsite=len(listing.offsite))
        if listing.holds_releases or (task.kind == "source" and listing.looks_like_article):
            # An aggregator page holds the releases themselves (its card links lead to the
            # originals, often on other hosts, and are not followed; their dates still
            # stop paging at ``since``); a source may be one release.
            outcome.status = self._store_page(task.url, task.source, response.headers, html)
            if task.kind != "source":  # a source's own row is marked when its walk ends
                self.store.frontier_add(task.url, "article", task.source)
                self.store.frontier_set(task.url, "done")
        return outcome
