"""Crawler tests: the real sample site on 127.0.0.1 (pipeline.sample_site), a real SQLite store.

What the site holds (releases, wild pages, off-site links, redirects, robots rules)
comes from its manifest, so the expectations follow the corpus as it grows.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from pipeline.crawl import CrawlSettings, crawl
from pipeline.crawl.fetcher import Fetcher, FetchError, Response, retry_after_seconds
from pipeline.crawl.listings import parse_listing
from pipeline.crawl.politeness import HostThrottle
from pipeline.crawl.robots import crawl_delay
from pipeline.crawl.safety import Allowlist
from pipeline.crawl.settings import ARTICLE_PATTERNS
from pipeline.crawl.sources import SourceError, detect_kind, parse_date, parse_feed
from pipeline.crawl.urls import ArticleShape
from pipeline.sample_site import FaultPlan, SampleServer, build_site
from pipeline.store import Store

REPO = Path(__file__).resolve().parents[1]


def fast(**changes) -> CrawlSettings:
    """Settings for tests: no pacing of our own, short back-off."""
    base = dict(min_delay=0.0, backoff=0.01, max_backoff=0.05, timeout=5.0, total_timeout=10.0)
    return CrawlSettings(**{**base, **changes})


@pytest.fixture(scope="module")
def quick_site_dir(tmp_path_factory) -> Path:
    """The sample site with no Crawl-delay, for the crawls that fetch all of it."""
    out = tmp_path_factory.mktemp("quick_site")
    build_site(out, crawl_delay=0.0)
    return out


def manifest_of(root: Path) -> dict:
    return json.loads((root / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "crawl.db") as s:
        yield s


def stored_paths(store: Store, server: SampleServer | TinySite) -> set[str]:
    return {r["url"].removeprefix(server.base_url) for r in store.query("SELECT url FROM pages")}


def article_gets(server: SampleServer, paths: set[str]) -> list[str]:
    return [r.path for r in server.requests if r.path in paths and r.status == 200]


# -- small parts -----------------------------------------------------------------
def test_retry_after_reads_seconds_and_http_dates():
    assert retry_after_seconds("3") == 3.0
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True),
                               now=now) == pytest.approx(30)
    assert retry_after_seconds("soon") is None


def test_crawl_delay_accepts_decimals_and_prefers_own_group():
    text = "User-agent: *\nCrawl-delay: 0.5\n\nUser-agent: iom-press-pipeline\nCrawl-delay: 2.5\n"
    assert crawl_delay(text, "iom-press-pipeline") == 2.5
    assert crawl_delay("User-agent: *\nCrawl-delay: 0.25\n", "iom-press-pipeline") == 0.25


def test_crawl_delay_ignores_values_that_would_stall_the_host():
    for value in ("inf", "nan", "-1"):
        assert crawl_delay(f"User-agent: *\nCrawl-delay: {value}\n", "iom-press-pipeline") is None


def test_dates_out_of_range_read_as_no_date():
    huge = "Tue, 02 Jan 99999999999999999999 10:00:00 GMT"
    assert parse_date(huge) is None
    assert retry_after_seconds(huge) is None


def test_latin_1_label_reads_as_windows_1252():
    # Pages that declare ISO-8859-1 use windows-1252's curly quotes (the WHATWG rule).
    page = Response("u", "u", 200, {"content-type": "text/html; charset=ISO-8859-1"},
                    b"<p>\x93Caf\xe9\x94</p>")
    assert page.text() == "<p>\u201cCaf\u00e9\u201d</p>"


def test_throttle_spaces_requests_to_one_host_but_not_across_hosts():
    clock = [0.0]
    waits: list[float] = []

    def sleep(seconds):
        waits.append(seconds)
        clock[0] += seconds

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


def test_parse_date_reads_the_sites_forms():
    assert parse_date("19 September 2018") == date(2018, 9, 19)
    assert parse_date("Wednesday, September 19, 2018 - 10:14") == date(2018, 9, 19)
    assert parse_date("Wed, 09/19/2018 - 11:19") == date(2018, 9, 19)
    assert parse_date("Tue, 02 Jan 2024 10:00:00 GMT") == date(2024, 1, 2)
    assert parse_date("20 mai 2025") == date(2025, 5, 20)
    assert parse_date("no date here") is None


def test_atom_feed_links_and_entity_declarations_refused():
    atom = (b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><link rel='alternate' "
            b"href='/news/a-release'/><updated>2024-01-31T00:00:00Z</updated></entry></feed>")
    links = parse_feed(atom, "http://127.0.0.1:1/rss")
    assert [(link.url, link.date) for link in links] == [
        ("http://127.0.0.1:1/news/a-release", date(2024, 1, 31))]
    bomb = (b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'aaaaaaaa'><!ENTITY b '&a;&a;&a;'>]>"
            b"<rss><channel><item><link>&b;</link></item></channel></rss>")
    with pytest.raises(SourceError, match="XML refused"):
        parse_feed(bomb, "http://127.0.0.1:1/rss")


def test_generic_fallback_takes_release_links_from_main_content_only():
    html = """<html><body><header><a href="/news/header-story">h</a></header>
    <nav><a href="/news/menu-story">m</a></nav>
    <main><ul class="posts">
      <li><a href="/news/first-release">First</a> <time datetime="2024-02-01">1 Feb</time></li>
      <li><a href="/press-release/second-one">Second</a></li>
      <li><a href="/about-us">About</a></li>
      <li><a href="https://elsewhere.example/news/third">Elsewhere</a></li>
    </ul><a href="/news?page=1">2</a></main>
    <footer><a href="/news/footer-story">f</a></footer></body></html>"""
    page = parse_listing(html, "http://127.0.0.1:8000/news", None, ArticleShape(ARTICLE_PATTERNS))
    assert page.profile is None
    assert [link.url for link in page.links] == [
        "http://127.0.0.1:8000/news/first-release", "http://127.0.0.1:8000/press-release/second-one"]
    assert page.links[0].date == date(2024, 2, 1)
    assert page.next_url == "http://127.0.0.1:8000/news?page=1"
    assert page.offsite == ["https://elsewhere.example/news/third"]  # skipped, but counted


def test_a_known_sites_home_page_stands_for_its_listings():
    from pipeline.crawl.crawler import site_listings

    assert site_listings("https://www.iom.int/") == ["https://www.iom.int/news"]
    assert site_listings("https://www.iom.int/news?page=2") == ["https://www.iom.int/news?page=2"]
    assert site_listings("http://127.0.0.1:8000/") == ["http://127.0.0.1:8000/"]


# -- the fetcher against the sample server ------------------------------------------
@pytest.fixture
def make_fetcher() -> Iterator[Callable[..., Fetcher]]:
    """``make_fetcher(server, sleeps, **settings)``: a fetcher whose sleeps are logged, not slept."""
    clients: list[httpx.Client] = []

    def make(server: SampleServer, sleeps: list[float], **changes) -> Fetcher:
        settings = fast(**changes)
        clients.append(httpx.Client(timeout=settings.timeout))
        allowlist = Allowlist.from_sources([server.base_url])
        return Fetcher(clients[-1], settings, allowlist, HostThrottle(), sleep=sleeps.append)

    yield make
    for client in clients:
        client.close()


def first_article(root: Path, layout: str = "global") -> str:
    return next(a["path"] for a in manifest_of(root)["articles"]
                if a["layout"] == layout and not a["wild"] and a["releases"] == 1)


@pytest.mark.parametrize("as_date", [False, True])
def test_fetcher_honours_retry_after(sample_site_dir, make_sample_server, make_fetcher, as_date):
    path = first_article(sample_site_dir)
    server = make_sample_server(FaultPlan().add(path, "429", first=1, seconds=2,
                                                retry_after_date=as_date))
    sleeps: list[float] = []
    response = make_fetcher(server, sleeps).fetch(server.url(path))
    assert response.status == 200 and response.tries == 2
    assert sleeps[0] >= 0.9 if as_date else sleeps[0] >= 2.0  # an HTTP date has 1 s steps


def test_fetcher_does_not_retry_a_404(sample_site_dir, sample_server, make_fetcher):
    path = manifest_of(sample_site_dir)["missing"][0]
    sleeps: list[float] = []
    with pytest.raises(FetchError) as info:
        make_fetcher(sample_server, sleeps).fetch(sample_server.url(path))
    assert info.value.reason == "404 Not Found"
    assert sleeps == [] and sample_server.count(path) == 1


def test_fetcher_backs_off_and_gives_up_with_a_one_line_reason(sample_site_dir,
                                                               make_sample_server, make_fetcher):
    path = first_article(sample_site_dir)
    server = make_sample_server(FaultPlan().add(path, "500"))
    sleeps: list[float] = []
    with pytest.raises(FetchError) as info:
        make_fetcher(server, sleeps, backoff=0.01, max_backoff=10).fetch(server.url(path))
    assert info.value.reason == "500 Internal Server Error after 4 tries"
    assert server.count(path) == 4
    assert len(sleeps) == 3 and sleeps[0] < sleeps[1] < sleeps[2]  # doubling, jitter under 2x


def test_fetcher_retries_resets_and_truncated_bodies(sample_site_dir, make_sample_server,
                                                     make_fetcher):
    path = first_article(sample_site_dir)
    plan = FaultPlan().add(path, "reset", first=1).add(path, "truncate", first=1)
    server = make_sample_server(plan)
    response = make_fetcher(server, []).fetch(server.url(path))
    assert response.tries == 3 and b"</html>" in response.body


def test_fetcher_refuses_off_host_redirects_wrong_types_and_big_bodies(sample_site_dir,
                                                                      sample_server,
                                                                      make_fetcher):
    offhost = next(r for r in manifest_of(sample_site_dir)["redirects"] if r["offsite"])
    fetcher = make_fetcher(sample_server, [], max_bytes=2000)
    reasons = []
    for path in (offhost["path"], "/static/placeholder.gif", first_article(sample_site_dir)):
        with pytest.raises(FetchError) as info:
            fetcher.fetch(sample_server.url(path))
        reasons.append(info.value.reason)
    assert reasons[0] == "redirect to other host www.example.org refused"
    assert reasons[1] == "content type image/gif not crawled"
    assert "over the 2000 byte limit" in reasons[2]


def test_undeclared_windows_1252_page_reads_right(sample_site_dir, sample_server, make_fetcher):
    wild = next(w for w in manifest_of(sample_site_dir)["wild"] if w["name"] == "cp1252")
    text = make_fetcher(sample_server, []).fetch(sample_server.url(wild["path"])).text()
    assert "Joaquín Peña" in text and "Renée Dubé" in text and "\ufffd" not in text


# -- whole crawls ------------------------------------------------------------------
def test_whole_site_crawl_stores_each_release_once_despite_faults(quick_site_dir,
                                                                   make_sample_server, store):
    manifest = manifest_of(quick_site_dir)
    articles = [a for a in manifest["articles"] if a["layout"] != "drupal7" and not a["wild"]]
    plan = FaultPlan(rate=0.05, seed=7, kinds=("500", "reset", "slow", "truncate", "latency"))
    plan.add(articles[0]["path"], "429", first=2, seconds=1)
    plan.add(articles[1]["path"], "429", first=1, seconds=1, retry_after_date=True)
    plan.add(articles[2]["path"], "503", first=1, seconds=1)
    server = make_sample_server(plan, root=quick_site_dir)
    entries = manifest["entries"]
    sources = [server.url(entries["sitemap_index"])] + [server.url(p) for p in entries["listings"]]
    summary = crawl(sources, store, fast(per_host=4))  # one host serves every site here

    expected = {a["path"] for a in manifest["articles"] if not a["disallowed"] and a["releases"]}
    assert stored_paths(store, server) == expected  # the redirect alias is not a second copy
    assert {kind for _, kind in server.faults_applied} >= {"429", "503", "500", "reset",
                                                           "truncate", "slow"}
    missing = manifest["missing"][0]
    offhost = next(r["path"] for r in manifest["redirects"] if r["offsite"])
    empty = next(w["path"] for w in manifest["wild"] if w["name"] == "empty")
    assert {(url.removeprefix(server.base_url), reason) for url, reason in summary.failures} == {
        (missing, "404 Not Found"),
        (offhost, "redirect to other host www.example.org refused"),
        (empty, "empty body"),
    }
    assert server.count(missing) == 1  # a 404 is not retried
    offsite = {o["url"] for o in manifest["offsite"] if o["found_on"] != "redirect"}
    assert {url for url, _ in summary.refused} == offsite
    assert dict(summary.refused)["http://10.0.0.5/news/internal-briefing-note"] == (
        "link to private address 10.0.0.5 refused")
    assert summary.robots and all(
        url.removeprefix(server.base_url) in manifest["disallowed_pages"] for url in summary.robots)
    assert not any(r.path.startswith(tuple(manifest["disallowed"])) for r in server.requests)
    errors = store.errors()
    assert sum(e["stage"] == "crawl" for e in errors) == 3
    assert sum(e["stage"] == "crawl-refused" for e in errors) == len(offsite)


def test_rerun_fetches_nothing_stored_and_a_304_changes_nothing(quick_site_dir,
                                                                make_sample_server, store):
    server = make_sample_server(root=quick_site_dir)
    source = [server.url("/global/news")]
    first = crawl(source, store, fast())
    pages = {r["url"]: (r["content_hash"], r["etag"]) for r in store.query("SELECT * FROM pages")}
    articles = {url.removeprefix(server.base_url) for url in pages}
    assert first.stored_new == len(pages) > 50

    before = len(server.requests)
    again = crawl(source, store, fast())
    assert not [r for r in server.requests[before:] if r.path in articles]
    # Walked to its end last time: paging stops at the first page with nothing new.
    assert again.stored_new == 0 and again.sources_fetched == 1

    before = len(server.requests)
    refreshed = crawl(source, store, fast(refresh=True))
    # An alias that redirects has no validators of its own; every other page is asked
    # conditionally and answered 304.
    redirected = {r["final"] for r in manifest_of(quick_site_dir)["redirects"]}
    statuses = {r.status for r in server.requests[before:] if r.path in articles - redirected}
    assert statuses == {304}
    assert refreshed.unchanged >= len(pages) and refreshed.stored_changed == 0
    after = {r["url"]: (r["content_hash"], r["etag"]) for r in store.query("SELECT * FROM pages")}
    assert after == pages


def test_robots_disallow_honoured_and_crawl_delay_paces_the_host(sample_site_dir,
                                                                 sample_server, store):
    manifest = manifest_of(sample_site_dir)
    private = next(p for p in manifest["disallowed_pages"] if p.endswith("/"))
    start = time.monotonic()
    summary = crawl([sample_server.url(private), sample_server.url("/iran/news")], store, fast())
    elapsed = time.monotonic() - start
    assert summary.robots == [sample_server.url(private)] and summary.skipped_robots == 1
    assert sample_server.count(private) == 0
    assert summary.stored_new >= 5
    # robots.txt says Crawl-delay 0.05 and min_delay is 0: the larger applies.
    assert elapsed >= (len(sample_server.requests) - 1) * manifest["crawl_delay"] * 0.95


def test_min_delay_spaces_requests_to_one_host(quick_site_dir, make_sample_server, store):
    server = make_sample_server(root=quick_site_dir)
    start = time.monotonic()
    crawl([server.url("/iran/news")], store, fast(min_delay=0.1, workers=4, per_host=2))
    elapsed = time.monotonic() - start
    assert len(server.requests) >= 5
    assert elapsed >= (len(server.requests) - 1) * 0.1 * 0.95


def test_since_stops_paging_once_a_page_is_all_older(quick_site_dir, make_sample_server, store):
    listing = next(x for x in manifest_of(quick_site_dir)["listings"]
                   if x["path"] == "/global/news")
    assert listing["pages"] >= 3
    dates = {a["path"]: a["date"] for a in manifest_of(quick_site_dir)["articles"]}
    # Newest first, 12 a page: a date inside page 1 leaves page 2 all older.
    since = date.fromisoformat(dates[listing["hrefs"][5]])
    server = make_sample_server(root=quick_site_dir)
    summary = crawl([server.url("/global/news")], store, fast(since=since))
    pages_read = [r.path for r in server.requests if r.path.startswith("/global/news?page=")]
    assert pages_read == ["/global/news?page=1"]
    kept = {p for p in listing["hrefs"][:24] if dates.get(p) and dates[p] >= since.isoformat()}
    assert summary.stored_new == len(kept) and summary.skipped_old > 0


def test_max_pages_limits_fetches_and_the_next_run_resumes(quick_site_dir, make_sample_server,
                                                           store):
    server = make_sample_server(root=quick_site_dir)
    first = crawl([server.url("/global/news")], store, fast(max_pages=10))
    # Ten release links taken: fetched, failed, skipped by robots or an alias of one fetched.
    assert first.limit_reached
    assert first.fetched + first.failed + first.skipped_robots + first.already_stored == 10
    stored_first = stored_paths(store, server)
    second = crawl([server.url("/global/news")], store, fast())
    assert not second.limit_reached
    refetched = [r.path for r in server.requests if r.path in stored_first and r.status == 200]
    assert sorted(refetched) == sorted(stored_first)  # each stored page was fetched once
    listing = next(x for x in manifest_of(quick_site_dir)["listings"]
                   if x["path"] == "/global/news")
    failed = {url.removeprefix(server.base_url) for url, _ in first.failures + second.failures}
    robots = {url.removeprefix(server.base_url) for url in first.robots + second.robots}
    aliases = {r["path"] for r in manifest_of(quick_site_dir)["redirects"]}
    on_site = {p for p in listing["hrefs"] if p.startswith("/")}
    assert on_site - stored_paths(store, server) <= failed | robots | aliases


def test_crawl_killed_mid_way_resumes_without_refetching(quick_site_dir, make_sample_server,
                                                         tmp_path):
    server = make_sample_server(root=quick_site_dir)
    db = tmp_path / "killed.db"
    script = ("import sys; from pipeline.crawl import crawl, CrawlSettings; "
              "from pipeline.store import Store; "
              "crawl([sys.argv[1]], Store(sys.argv[2]), CrawlSettings(min_delay=0.02))")
    proc = subprocess.Popen([sys.executable, "-c", script, server.url("/global/news"), str(db)],
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    articles = {a["path"] for a in manifest_of(quick_site_dir)["articles"]}
    deadline = time.monotonic() + 30
    while len(article_gets(server, articles)) < 20 and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Store(db) as store:
        stored_at_kill = stored_paths(store, server)
        assert 0 < len(stored_at_kill)
        before = len(server.requests)
        summary = crawl([server.url("/global/news")], store, fast())
        refetched = {r.path for r in server.requests[before:] if r.path in articles}
        failed = {url.removeprefix(server.base_url) for url, _ in summary.failures}
        stored = stored_paths(store, server)
    manifest = manifest_of(quick_site_dir)
    listing = next(x for x in manifest["listings"] if x["path"] == "/global/news")
    assert not refetched & stored_at_kill  # nothing stored before the kill was fetched again
    assert failed <= {r["path"] for r in manifest["redirects"] if r["offsite"]}
    on_site = {p for p in listing["hrefs"] if p.startswith("/")}
    assert on_site - stored <= failed | set(manifest["disallowed_pages"]) | {
        r["path"] for r in manifest["redirects"]}


# -- layouts the sample site does not have, on a few fixed pages ---------------------
class TinySite:
    """Fixed pages on 127.0.0.1: ``pages`` maps a path with its query to (status,
    content type, body), and may be changed between crawls; any other path is a 404.
    ``paths`` logs what was asked for."""

    def __init__(self, pages: dict[str, tuple[int, str, bytes]]):
        self.pages = pages
        self.paths: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                site.paths.append(self.path)
                status, ctype, body = site.pages.get(self.path, (404, "text/plain", b"no"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> TinySite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def url(self, path: str) -> str:
        return self.base_url + path


def html_page(body: str) -> tuple[int, str, bytes]:
    return 200, "text/html; charset=utf-8", f"<html><body>{body}</body></html>".encode()


def release_pages(paths: list[str]) -> dict[str, tuple[int, str, bytes]]:
    return {p: html_page(f"<h1>{p}</h1><p>Text of the release.</p>") for p in paths}


def listing_body(paths: list[str], next_path: str | None = None) -> str:
    items = "".join(f'<li><a href="{p}">{p}</a></li>' for p in paths)
    pager = f'<a rel="next" href="{next_path}">next</a>' if next_path else ""
    return f"<main><ul>{items}</ul>{pager}</main>"


def test_a_feed_read_first_does_not_stop_the_listing_at_its_first_page(store):
    releases = [f"/news/release-{n}" for n in range(5)]
    feed = "".join(f"<item><link>{p}</link></item>" for p in releases[:3])
    pages = {
        "/rss.xml": (200, "application/rss+xml", f"<rss><channel>{feed}</channel></rss>".encode()),
        "/news": html_page(listing_body(releases[:3], "/news?page=1")),
        "/news?page=1": html_page(listing_body(releases[3:])),
        **release_pages(releases),
    }
    with TinySite(pages) as site:
        # One worker: the feed is read before the listing, whose first page it repeats.
        summary = crawl([site.url("/rss.xml"), site.url("/news")], store, fast(workers=1))
    assert "/news?page=1" in site.paths
    assert summary.stored_new == 5


@pytest.mark.parametrize("content_type", ["text/plain", "application/gzip"])
def test_a_source_is_read_by_its_content_whatever_its_type_says(store, content_type):
    if content_type == "text/plain":  # a sitemap
        body = (b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                b"<url><loc>/news/release-a</loc></url></urlset>")
    else:  # a listing sent packed
        body = gzip.compress(f"<html><body>{listing_body(['/news/release-a'])}</body></html>"
                             .encode())
    with TinySite({"/source": (200, content_type, body),
                   **release_pages(["/news/release-a"])}) as site:
        summary = crawl([site.url("/source")], store, fast())
    assert summary.failures == []
    assert summary.stored_new == 1 and "/news/release-a" in site.paths


def aggregator_page(n: int, next_path: str | None) -> tuple[int, str, bytes]:
    """A Drupal 7 aggregator page: whole releases, each linking its original elsewhere."""
    rows = "".join(
        f'<div class="views-row"><h3><a href="https://elsewhere.example/news/item-{n}-{i}">'
        f'Item {n}.{i}</a></h3><span class="date-display-single">Wed, 09/19/2018 - 11:19</span>'
        f'<div class="field-name-body"><p>Whole text of item {n}.{i}.</p></div></div>'
        for i in range(3)
    )
    pager = f'<ul class="pager"><li class="pager-next"><a href="{next_path}">next</a></li></ul>' \
        if next_path else ""
    return html_page(f'<div id="content">{rows}{pager}</div>')


def test_aggregator_pages_are_walked_and_a_failed_page_is_retried_next_run(store):
    first, second = "/en/aggregator/sources/3", "/en/aggregator/sources/3?page=1"
    with TinySite({first: aggregator_page(0, second),
                   second: (500, "text/plain", b"down")}) as site:
        run1 = crawl([site.url(first)], store, fast(retries=0))
        assert [url for url, _ in run1.failures] == [site.url(second)]
        site.pages[second] = aggregator_page(1, None)
        run2 = crawl([site.url(first)], store, fast())
        assert stored_paths(store, site) == {first, second}
        assert run2.stored_new == 1 and run1.refused == run2.refused == []
        # Walked to its end now: the next run stops at the first page it has stored.
        before = len(site.paths)
        crawl([site.url(first)], store, fast())
        assert second not in site.paths[before:]


# -- soak ---------------------------------------------------------------------------
def _rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_soak_ten_runs_through_a_faulty_server_keep_memory_and_file_handles_flat(
        quick_site_dir, tmp_path):
    """Ten whole crawls and cleanings, each into a fresh store, through a server
    that fails one request in ten: the same releases each time, and neither
    memory nor open file handles grow from run to run."""
    import gc
    import tracemalloc

    from pipeline.batch import clean_stored_pages

    manifest = manifest_of(quick_site_dir)
    expected = {a["path"] for a in manifest["articles"] if not a["disallowed"] and a["releases"]}
    entries = manifest["entries"]
    rss, heap, fds, stored = [], [], [], []
    tracemalloc.start()
    for run in range(10):
        plan = FaultPlan(rate=0.10, seed=run, kinds=("500", "reset", "slow", "truncate",
                                                     "latency"))
        # a server of its own each run, dropped after it (the fixture keeps
        # every server it made, with its request log, until the test ends)
        server = SampleServer(quick_site_dir, faults=plan).start()
        try:
            sources = [server.url(entries["sitemap_index"])] + [server.url(p)
                                                               for p in entries["listings"]]
            with Store(tmp_path / f"soak{run}.db") as store:
                crawl(sources, store, fast(per_host=4, retries=6))
                clean_stored_pages(store)
                stored.append(stored_paths(store, server))
                cleaned = store.query("SELECT count(*) AS n FROM releases")[0]["n"]
        finally:
            server.stop()
        del server, store
        assert cleaned > 0
        gc.collect()
        rss.append(_rss_kb())
        heap.append(tracemalloc.get_traced_memory()[0] // 1024)
        fds.append(_open_fds())
    tracemalloc.stop()
    print(f"soak: RSS kB per run {rss}; Python heap kB {heap}; open fds per run {fds}")
    assert all(paths == expected for paths in stored), [len(p) for p in stored]
    # the first runs warm caches (parsers, selectors, connection pools); from
    # the third on, a leak of one response or page per run would show
    assert fds[-1] <= fds[2], fds
    # Python objects kept from run to run (a leaked response, page or store
    # holds hundreds of kB): none
    assert heap[-1] - heap[2] < 1_500, heap
    # the process as a whole: the C allocator's arenas settle slowly, so a
    # looser bound, still far under what keeping the pages (~5 MB a run) gives
    assert rss[-1] - rss[2] < 20_000, rss
