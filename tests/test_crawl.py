"""Crawler tests against a real HTTP server on 127.0.0.1 and a real SQLite store."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from pipeline.crawl import CrawlSettings, crawl
from pipeline.crawl.fetcher import Fetcher, FetchError, retry_after_seconds
from pipeline.crawl.politeness import HostThrottle
from pipeline.crawl.robots import crawl_delay
from pipeline.crawl.safety import Allowlist
from pipeline.crawl.sources import detect_kind, parse_date
from pipeline.store import Store


# -- a small local site ------------------------------------------------------
class LocalSite:
    """Serves a dict of path -> (status, headers, body); faults are served first.

    ``faults[path]`` is a list of "429", "500", "reset", "truncate", "slow"
    consumed one per request. ``log`` holds (method, path, status, time).
    """

    def __init__(self, pages: dict[str, tuple[int, dict[str, str], bytes]]):
        self.pages = pages
        self.faults: dict[str, list[str]] = {}
        self.log: list[tuple[str, str, int, float]] = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                site.handle(self)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def handle(self, req):
        path = req.path
        pending = self.faults.get(path)
        fault = pending.pop(0) if pending else None
        status, headers, body = self.pages.get(path, (404, {"Content-Type": "text/html"},
                                                       b"<h1>Not found</h1>"))
        if fault == "429":
            status, headers, body = 429, {"Retry-After": "1"}, b"slow down"
        elif fault == "500":
            status, headers, body = 500, {}, b"oops"
        elif callable(body):
            status, headers, body = body(req)
        self.log.append(("GET", path, 0 if fault in ("reset", "truncate") else status,
                         time.monotonic()))
        if fault == "reset":
            req.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                      b"\x01\x00\x00\x00\x00\x00\x00\x00")
            req.connection.close()
            req.close_connection = True
            return
        req.send_response(status)
        for key, value in headers.items():
            req.send_header(key, value)
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        if fault == "truncate":
            req.wfile.write(body[: len(body) // 2])
            req.wfile.flush()
            req.close_connection = True
            return
        if fault == "slow":
            for i in range(0, len(body), 200):
                req.wfile.write(body[i:i + 200])
                req.wfile.flush()
                time.sleep(0.05)
            return
        req.wfile.write(body)

    def gets(self, prefix: str) -> list[str]:
        return [path for _, path, status, _ in self.log if path.startswith(prefix) and status == 200]


HTML = {"Content-Type": "text/html; charset=utf-8"}


def article(slug: str, day: date) -> bytes:
    return (f"<html><head><title>{slug}</title></head><body><nav><a href='/about'>About</a>"
            f"</nav><main><article><h1>{slug}</h1><div class='date'>{day:%d %B %Y}</div>"
            f"<div class='field--type-text-with-summary'><p>Geneva – Text of {slug}.</p>"
            f"</div></article></main><footer><a href='/news/footer-link'>x</a></footer>"
            f"</body></html>").encode()


def listing(items: list[tuple[str, date]], next_page: str | None, extra: str = "") -> bytes:
    cards = "".join(
        f"<div class='card'><h3><a href='{href}'>{href}</a></h3>"
        f"<time datetime='{day.isoformat()}'>{day}</time></div>" for href, day in items
    )
    pager = f"<ul class='pager'><li><a rel='next' href='{next_page}'>next</a></li></ul>" \
        if next_page else ""
    return (f"<html><body><nav><a href='/news/menu-item'>menu</a></nav><main>{cards}{extra}"
            f"</main>{pager}</body></html>").encode()


def make_site(n: int = 12, per_page: int = 5, robots: str = "User-agent: *\nDisallow: /news/secret\n",
              extra: str = "") -> dict:
    start = date(2024, 1, 31)
    slugs = [(f"/news/release-{i:02d}", start - timedelta(days=i)) for i in range(n)]
    pages: dict = {"/robots.txt": (200, {"Content-Type": "text/plain"}, robots.encode())}
    for slug, day in slugs:
        pages[slug] = (200, {**HTML, "ETag": f'"{slug}"'}, article(slug, day))
    chunks = [slugs[i:i + per_page] for i in range(0, n, per_page)]
    for number, chunk in enumerate(chunks):
        path = "/news" if number == 0 else f"/news?page={number}"
        nxt = f"/news?page={number + 1}" if number + 1 < len(chunks) else None
        pages[path] = (200, HTML, listing(chunk, nxt, extra if number == 0 else ""))
    return pages


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "crawl.db") as s:
        yield s


def fast(**kw) -> CrawlSettings:
    base = dict(min_delay=0.0, backoff=0.01, max_backoff=0.05, timeout=2.0, total_timeout=5.0)
    base.update(kw)
    return CrawlSettings(**base)


# -- unit tests ------------------------------------------------------------------
def test_retry_after_reads_seconds_and_http_dates():
    assert retry_after_seconds("3") == 3.0
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert retry_after_seconds(later, now=now) == pytest.approx(30)
    assert retry_after_seconds("soon") is None


def test_crawl_delay_accepts_decimals_and_prefers_own_group():
    text = "User-agent: *\nCrawl-delay: 0.5\n\nUser-agent: iom-press-pipeline\nCrawl-delay: 2.5\n"
    assert crawl_delay(text, "iom-press-pipeline") == 2.5
    assert crawl_delay("User-agent: *\nCrawl-delay: 0.25\n", "iom-press-pipeline") == 0.25


def test_throttle_spaces_requests_to_one_host_but_not_across_hosts():
    clock = [0.0]
    waits: list[float] = []

    def sleep(s):
        waits.append(s)
        clock[0] += s

    throttle = HostThrottle(clock=lambda: clock[0], sleep=sleep)
    for _ in range(3):
        throttle.wait("a", 1.0)
    throttle.wait("b", 1.0)
    assert waits == [1.0, 1.0]


def test_detect_kind_by_root_element_not_content_type():
    assert detect_kind("text/html", b"<?xml version='1.0'?><rss version='2.0'>") == "feed"
    assert detect_kind("text/plain", b"<urlset xmlns='x'>") == "sitemap"
    assert detect_kind("application/xml", b"<sitemapindex>") == "sitemapindex"
    assert detect_kind("text/html", b"<!DOCTYPE html><html>") == "html"


def test_parse_date_reads_site_forms():
    assert parse_date("19 September 2018") == date(2018, 9, 19)
    assert parse_date("Wed, 09/19/2018 - 11:19") == date(2018, 9, 19)
    assert parse_date("Tue, 02 Jan 2024 10:00:00 GMT") == date(2024, 1, 2)
    assert parse_date("2024-01-02T10:00:00Z") == date(2024, 1, 2)


# -- fetcher against the local server -----------------------------------------------
def make_fetcher(site: LocalSite, sleeps: list[float], **kw) -> Fetcher:
    settings = fast(**kw)
    allow = Allowlist.from_sources([site.base_url])
    return Fetcher(httpx.Client(timeout=settings.timeout), settings, allow, HostThrottle(),
                   sleep=sleeps.append)


def test_fetcher_honours_retry_after_on_429():
    with LocalSite(make_site()) as site:
        site.faults["/news/release-00"] = ["429"]
        sleeps: list[float] = []
        response = make_fetcher(site, sleeps).fetch(site.base_url + "/news/release-00")
    assert response.status == 200 and response.tries == 2
    assert sleeps and sleeps[0] >= 1.0


def test_fetcher_does_not_retry_404():
    with LocalSite(make_site()) as site:
        sleeps: list[float] = []
        with pytest.raises(FetchError) as info:
            make_fetcher(site, sleeps).fetch(site.base_url + "/news/missing")
    assert info.value.reason == "404 Not Found"
    assert sleeps == [] and len(site.log) == 1


def test_fetcher_gives_up_after_retries_with_one_line_reason():
    with LocalSite(make_site()) as site:
        site.faults["/news/release-00"] = ["500"] * 10
        sleeps: list[float] = []
        with pytest.raises(FetchError) as info:
            make_fetcher(site, sleeps).fetch(site.base_url + "/news/release-00")
    assert info.value.reason == "500 Internal Server Error after 4 tries"
    assert len(sleeps) == 3 and sleeps[0] < sleeps[2]  # exponential back-off


def test_fetcher_retries_resets_and_truncated_bodies():
    with LocalSite(make_site()) as site:
        site.faults["/news/release-00"] = ["reset", "truncate"]
        sleeps: list[float] = []
        response = make_fetcher(site, sleeps).fetch(site.base_url + "/news/release-00")
    assert response.tries == 3 and b"Text of /news/release-00" in response.body


def test_fetcher_refuses_redirect_to_other_host_and_wrong_types():
    pages = make_site()
    pages["/go"] = (302, {"Location": "https://www.example.org/news/x"}, b"")
    pages["/pdf"] = (200, {"Content-Type": "application/pdf"}, b"%PDF")
    pages["/big"] = (200, HTML, b"x" * 5000)
    with LocalSite(pages) as site:
        fetcher = make_fetcher(site, [], max_bytes=1000)
        reasons = []
        for path in ("/go", "/pdf", "/big"):
            with pytest.raises(FetchError) as info:
                fetcher.fetch(site.base_url + path)
            reasons.append(info.value.reason)
    assert reasons[0] == "redirect to other host www.example.org refused"
    assert reasons[1] == "content type application/pdf not crawled"
    assert "over the 1000 byte limit" in reasons[2]


# -- whole crawls ---------------------------------------------------------------
def test_crawl_stores_every_listed_release_following_pagination(store):
    with LocalSite(make_site(n=12, per_page=5)) as site:
        summary = crawl([site.base_url + "/news"], store, fast())
    assert summary.stored_new == 12 and summary.failed == 0
    assert store.count("pages") == 12
    assert summary.sources_fetched == 3


def test_crawl_survives_faults_and_stores_each_release_once(store):
    with LocalSite(make_site(n=10)) as site:
        for i, faults in enumerate([["429"], ["500", "500"], ["reset"], ["truncate"], ["slow"]]):
            site.faults[f"/news/release-{i:02d}"] = faults
        site.faults["/news"] = ["500"]
        summary = crawl([site.base_url + "/news"], store, fast(min_delay=0.0))
        gets = site.gets("/news/release-")
    assert summary.failed == 0, summary.failures
    assert store.count("pages") == 10
    assert sorted(gets) == sorted(set(gets)) and len(gets) == 10


def test_crawl_honours_robots_disallow(store):
    extra = "<div class='card'><a href='/news/secret-plan'>secret</a></div>"
    pages = make_site(n=3, extra=extra)
    pages["/news/secret-plan"] = (200, HTML, article("secret", date(2024, 1, 1)))
    with LocalSite(pages) as site:
        summary = crawl([site.base_url + "/news"], store, fast())
        assert site.gets("/news/secret") == []
    assert summary.skipped_robots == 1 and summary.robots[0].endswith("/news/secret-plan")
    assert store.count("pages") == 3


def test_crawl_refuses_offsite_and_private_links(store):
    extra = ("<div class='card'><a href='http://www.example.org/news/elsewhere'>x</a></div>"
             "<div class='card'><a href='http://10.1.2.3/news/internal'>y</a></div>")
    pages = make_site(n=3, extra=extra)
    # A feed may list any URL: the allowlist, not the link finder, refuses these.
    pages["/rss.xml"] = (200, {"Content-Type": "application/rss+xml"}, (
        "<rss version='2.0'><channel><item><link>http://169.254.169.254/news/meta</link></item>"
        "<item><link>https://www.example.org/news/other</link></item>"
        "<item><link>/news/release-00</link></item></channel></rss>").encode())
    with LocalSite(pages) as site:
        summary = crawl([site.base_url + "/rss.xml", site.base_url + "/news"], store, fast())
    reasons = dict(summary.refused)
    assert reasons["http://169.254.169.254/news/meta"] == "link to private address 169.254.169.254 refused"
    assert reasons["https://www.example.org/news/other"] == "link to other host www.example.org refused"
    assert summary.failed == 0 and store.count("pages") == 3
    assert {r["stage"] for r in store.errors()} == {"crawl-refused"}


def test_rerun_fetches_nothing_stored_and_304_changes_nothing(store):
    with LocalSite(make_site(n=6)) as site:
        crawl([site.base_url + "/news"], store, fast())
        before = {r["url"]: r["content_hash"] for r in store.query("SELECT * FROM pages")}
        site.log.clear()
        again = crawl([site.base_url + "/news"], store, fast())
        assert site.gets("/news/release-") == [] and again.already_stored == 6

        def not_modified(req):
            if req.headers.get("If-None-Match"):
                return 304, {"ETag": req.headers["If-None-Match"]}, b""
            return 200, HTML, b"<html>changed</html>"

        for path in [p for p in site.pages if p.startswith("/news/release-")]:
            site.pages[path] = (200, HTML, not_modified)
        refreshed = crawl([site.base_url + "/news"], store, fast(refresh=True))
    after = {r["url"]: r["content_hash"] for r in store.query("SELECT * FROM pages")}
    assert refreshed.unchanged == 6 and refreshed.stored_changed == 0
    assert after == before
