"""The sample site (pipeline/sample_site): what it is built from and how it is served.

Built from the repo's gold corpus (and, where a test needs a known corpus,
from a small or 250-release one made in tmp_path); served by the real
threaded server on 127.0.0.1 and fetched with httpx, faults included.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.robotparser import RobotFileParser

import httpx
import lxml.html
import pytest
from bs4 import BeautifulSoup
from defusedxml import ElementTree

from pipeline.sample_site import FaultPlan, SampleServer, build_site
from pipeline.sample_site.corpus import DEFAULT_CORPUS, load_records
from pipeline.sample_site.paths import BASE_PLACEHOLDER, file_for
from pipeline.sites import profile_for

REPO = Path(__file__).resolve().parents[1]
# The real seed page flattened to text lives in shared/, beside the repo (CI) or
# at /work/shared (sessions).
SEED_TEXTS = [REPO.parent / "shared" / "seed-release.txt", Path("/work/shared/seed-release.txt")]
BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "table", "tr", "td", "th", "ul", "br", "html",
}
SKIP_TAGS = {"script", "style", "head", "title", "meta", "link"}


# -- helpers -----------------------------------------------------------------


def flatten(html: bytes | str) -> list[str]:
    """A page as a browser's copy-paste would give it: one line per block."""
    out: list[str] = []

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in SKIP_TAGS:
            out.append(el.tail or "")
            return
        if tag in BLOCK_TAGS:
            out.append("\n")
        out.append(el.text or "")
        for child in el:
            walk(child)
        if tag in BLOCK_TAGS:
            out.append("\n")
        out.append(el.tail or "")

    walk(lxml.html.fromstring(html))
    lines = (re.sub(r"\s+", " ", line).strip() for line in "".join(out).split("\n"))
    return [line for line in lines if line]


def page_bytes(site_dir: Path, path: str, page: int = 0) -> bytes:
    return (site_dir / "www" / file_for(path, page)).read_bytes()


def soup_of(site_dir: Path, path: str, page: int = 0) -> BeautifulSoup:
    return BeautifulSoup(page_bytes(site_dir, path, page), "lxml")


def manifest_of(site_dir: Path) -> dict:
    return json.loads((site_dir / "manifest.json").read_text(encoding="utf-8"))


def primaries(manifest: dict) -> list[dict]:
    return [a for a in manifest["articles"] if a["gold_ids"] and not a["duplicate_of"]]


def write_corpus(root: Path, count: int, french: int = 0) -> Path:
    """A corpus of ``count`` releases made from the repo's gold ones (ids, titles, dates varied)."""
    records, _ = load_records(DEFAULT_CORPUS)
    english = [r for r in records if (r.get("language") or "en") == "en"]
    (root / "gold").mkdir(parents=True)
    lines = []
    for n in range(count):
        base = dict(english[n % len(english)])
        base.pop("url", None)
        base["id"] = f"t-{n:03d}"
        base["title"] = f"{base['title']} ({n})"
        base["date"] = f"{2015 + n % 11}-{1 + n % 12:02d}-{1 + n % 28:02d}"
        lines.append(json.dumps(base, ensure_ascii=False))
    (root / "gold" / "t.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if french:
        (root / "extra").mkdir()
        fr = [
            {"id": f"fr-{n:02d}", "title": f"L’OIM aide les familles déplacées ({n})",
             "text": "Genève – L’OIM a distribué des abris.\n\nPour plus d'informations, "
                     "veuillez contacter Anne Morel à l’OIM Genève, Email: amorel@iom.int",
             "date": "2024-05-0" + str(1 + n), "site": "www.iom.int", "language": "fr"}
            for n in range(french)
        ]
        (root / "extra" / "fr.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in fr), encoding="utf-8")
    return root


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# -- building ----------------------------------------------------------------


def test_site_builds_250_releases(tmp_path):
    # How long it takes is a benchmark's business, not a unit test's (a loaded CI
    # machine would fail a time limit with nothing wrong).
    corpus = write_corpus(tmp_path / "corpus", 250)
    manifest = build_site(tmp_path / "site", corpus)
    assert manifest["corpus"]["records"] == 250
    assert len(primaries(manifest)) == 250


def test_same_corpus_gives_the_same_bytes(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(DEFAULT_CORPUS, corpus)  # a snapshot: the team may be adding to it
    build_site(tmp_path / "one", corpus)
    build_site(tmp_path / "two", corpus)
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")


def test_every_gold_release_is_on_exactly_one_primary_page(sample_site_dir):
    manifest = manifest_of(sample_site_dir)
    records, _ = load_records()
    held = Counter(gid for a in primaries(manifest) for gid in a["gold_ids"])
    assert set(held) == {r["id"] for r in records}
    assert set(held.values()) == {1}
    by_id = {r["id"]: r for r in records}
    for article in primaries(manifest):
        title = soup_of(sample_site_dir, article["path"]).find("h1").get_text(" ", strip=True)
        assert title == by_id[article["gold_ids"][0]]["title"].strip()


def test_some_country_releases_are_flagged_copies_on_the_global_site(sample_site_dir):
    manifest = manifest_of(sample_site_dir)
    by_path = {a["path"]: a for a in manifest["articles"]}
    copies = [a for a in manifest["articles"] if a["duplicate_of"]]
    assert 1 <= len(copies) <= 5
    for copy in copies:
        original = by_path[copy["duplicate_of"]]
        assert copy["path"].startswith("/global/news/")
        assert original["site"] != "www.iom.int"
        assert copy["gold_ids"] == original["gold_ids"]
        assert copy["canonical"] != original["canonical"]


def test_body_holds_the_gold_text_paragraph_by_paragraph(sample_site_dir):
    manifest = manifest_of(sample_site_dir)
    by_id = {r["id"]: r for r in load_records()[0]}
    for article in primaries(manifest):
        soup = soup_of(sample_site_dir, article["path"])
        body = soup.select_one("div.field--name-body")
        for noise in body.select("figure, div.photo-credit, p.text-align-center"):
            noise.decompose()
        shown = [" ".join(p.get_text().split()) for p in body.find_all("p")]
        gold = [" ".join(p.split()) for p in by_id[article["gold_ids"][0]]["text"].split("\n\n")]
        assert shown == [p for p in gold if p], article["path"]


def test_each_layout_carries_its_markers_and_is_recognised_by_its_profile(sample_site_dir):
    manifest = manifest_of(sample_site_dir)
    expected = {"global": "iom-global", "country": "iom-country", "drupal7": "iom-drupal7"}
    seen = set()
    for article in manifest["articles"]:
        if article["wild"] or article["layout"] in seen:
            continue
        seen.add(article["layout"])
        html = page_bytes(sample_site_dir, article["path"])
        soup = BeautifulSoup(html, "lxml")
        assert profile_for(soup=soup).name == expected[article["layout"]]
        assert soup.find("link", rel="canonical")["href"] == article["canonical"]
        lines = flatten(html)
        if article["layout"] == "global":
            assert soup.select_one("div.narrow-content div.field--type-text-with-summary")
            headline = lines.index(article["title"])
            assert lines[headline - 2:headline] == ["Press Release", "Global"]
            assert "Who we are" in lines and "Take Action" in lines
            if article["date"]:
                ld = json.loads(soup.find("script", type="application/ld+json").string)
                assert ld["datePublished"].startswith(article["date"])
        elif article["layout"] == "country":
            assert soup.select_one("body.country-site")
            assert lines.count("About") == 2 and "-" in lines
        else:
            assert soup.select_one("div.field--name-body")
            assert any(re.fullmatch(
                r"Language English Posted: (\w+day, \w+ \d+, \d{4} - \d\d:\d\d)?Image: "
                r"Region-Country: .*Themes: .*Default: Multimedia:", line) for line in lines)
            assert any(line.startswith("Press Release Type: ") for line in lines)
            assert any(line.startswith("Categories: ") for line in lines)
    assert seen == set(expected)


def test_seed_page_flattens_to_the_real_pages_text(sample_site_dir):
    manifest = manifest_of(sample_site_dir)
    seed = [a for a in manifest["articles"] if a["seed_chrome"]]
    assert len(seed) == 1
    found = [p for p in SEED_TEXTS if p.is_file()]
    if not found:
        pytest.skip("shared/seed-release.txt is not beside the repo")
    real = [line.strip() for line in found[0].read_text(encoding="utf-8").splitlines()]
    lines = flatten(page_bytes(sample_site_dir, seed[0]["path"]))
    assert lines[: len(real)] == real


def test_listings_paginate_by_the_profile_page_size_newest_first(sample_site_dir):
    manifest = manifest_of(sample_site_dir)
    global_listing = next(x for x in manifest["listings"] if x["path"] == "/global/news")
    assert global_listing["per_page"] == 12 and global_listing["pages"] > 1
    for listing in manifest["listings"]:
        per_page, pages = listing["per_page"], listing["pages"]
        item = "div.views-row" if listing["layout"] == "drupal7" else "div.article-detail"
        hrefs, dates = [], []
        for number in range(pages):
            soup = soup_of(sample_site_dir, listing["path"], number)
            cards = soup.select(item)
            assert len(cards) == (per_page if number < pages - 1 else listing["items"]
                                  - per_page * (pages - 1))
            hrefs += [c.select_one("h5.title a, h3 a")["href"] for c in cards]
            if number + 1 < pages:
                assert soup.find("a", rel="next")["href"] == f"{listing['path']}?page={number + 1}"
        assert hrefs == listing["hrefs"]
        assert not (sample_site_dir / "www" / file_for(listing["path"], pages)).exists()
        by_path = {a["path"]: a["date"] for a in manifest["articles"]}
        dates = [by_path[h] for h in hrefs if by_path.get(h)]
        assert dates == sorted(dates, reverse=True)


def test_feeds_and_sitemaps_are_valid_xml_and_cover_every_article(sample_site_dir):
    manifest = manifest_of(sample_site_dir)
    www = sample_site_dir / "www"
    routes = json.loads((sample_site_dir / "routes.json").read_text())
    for feed in manifest["entries"]["feeds"]:
        root = ElementTree.fromstring((www / routes[feed]["file"]).read_bytes())
        assert root.tag == "rss"
        links = [e.text for e in root.iter("link")]
        assert all(link.startswith(BASE_PLACEHOLDER) for link in links)
    index = ElementTree.fromstring((www / "sitemap.xml").read_bytes())
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    listed = [e.text.removeprefix(BASE_PLACEHOLDER) for e in index.iter(f"{ns}loc")]
    assert listed == manifest["entries"]["sitemaps"]
    locs = set()
    for path in listed:
        root = ElementTree.fromstring((www / file_for(path)).read_bytes())
        locs |= {e.text for e in root.iter(f"{ns}loc")}
    for article in manifest["articles"]:
        if article["gold_ids"] or article["wild"] in ("cp1252", "private-draft"):
            assert BASE_PLACEHOLDER + article["path"] in locs
    assert "http://10.0.0.5/news/internal-briefing-note" in locs


def test_robots_has_disallow_on_a_path_with_article_links_and_a_decimal_crawl_delay(
        sample_site_dir, tmp_path):
    robots = (sample_site_dir / "www" / "robots.txt").read_text()
    assert re.search(r"^Crawl-delay: 0\.05$", robots, re.M)
    assert re.search(r"^Disallow: /global/private/$", robots, re.M)
    parser = RobotFileParser()
    parser.parse(robots.splitlines())
    assert not parser.can_fetch("*", "/global/private/news/embargoed-global-displacement-figures-draft")
    assert parser.can_fetch("*", "/global/news")
    private = soup_of(sample_site_dir, "/global/private/index")
    assert private.select("div.article-detail h5.title a[href^='/global/private/news/']")
    corpus = write_corpus(tmp_path / "corpus", 3)
    build_site(tmp_path / "slow", corpus, crawl_delay=1.5)
    assert "Crawl-delay: 1.5\n" in (tmp_path / "slow" / "www" / "robots.txt").read_text()


def test_wild_pages_are_linked_from_listings_and_described(sample_site_dir):
    manifest = manifest_of(sample_site_dir)
    hrefs = {h for listing in manifest["listings"] for h in listing["hrefs"]}
    names = {w["name"] for w in manifest["wild"]}
    assert {"cp1252", "table-body", "cookie-banner", "drupal-token", "aggregator", "truncated",
            "empty", "missing", "redirect-chain", "redirect-offhost"} <= names
    for wild in manifest["wild"]:
        assert wild["expect"]
        if wild["listed"]:
            assert (wild["path"] or wild["href"]) in hrefs
    raw = page_bytes(sample_site_dir, "/germany/en/news/"
                     "resettled-families-welcomed-hanover-humanitarian-admission")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "Renée Dubé" in raw.decode("cp1252") and b"charset" not in raw
    aggregator = soup_of(sample_site_dir, "/germany/en/aggregator/sources/3")
    headers = [s.get_text() for s in aggregator.select("div.views-row span.date-display-single")]
    assert headers[0] == "Wed, 09/19/2018 - 11:19" and len(headers) == 3
    truncated = page_bytes(sample_site_dir, "/iran/news/mobile-clinics-reach-afghan-families-kerman")
    assert not truncated.rstrip().endswith(b"</html>")
    assert page_bytes(sample_site_dir, "/iran/news/iom-iran-hosts-workshop-migration-data") == b""


def test_listings_link_off_site_and_to_private_addresses(sample_site_dir):
    listings = {x["path"]: x["pages"] for x in manifest_of(sample_site_dir)["listings"]}

    def every_page(path: str) -> bytes:
        return b"".join(page_bytes(sample_site_dir, path, n) for n in range(listings[path]))

    global_pages = every_page("/global/news")
    assert b'href="https://www.example.org/news/' in global_pages
    assert b'href="http://10.0.0.5/intranet/"' in global_pages
    assert b'href="http://169.254.169.254/' in every_page("/iran/news")


def test_french_releases_get_french_pages_with_translated_menus(tmp_path):
    manifest = build_site(tmp_path / "site", write_corpus(tmp_path / "corpus", 4, french=2))
    french = [a for a in manifest["articles"] if a["french"]]
    assert len(french) == 2
    for article in french:
        assert article["path"].startswith("/global/fr/news/")
        assert article["canonical"].startswith("https://www.iom.int/fr/news/")
        lines = flatten(page_bytes(tmp_path / "site", article["path"]))
        assert "Qui sommes-nous" in lines and "Communiqué de presse" in lines
        assert "Who we are" not in lines
    assert "/global/fr/news" in manifest["entries"]["listings"]


def test_build_command_writes_the_site(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", 5)
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.sample_site", str(tmp_path / "out"), "--corpus",
         str(corpus)], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "5 records" in done.stdout
    assert (tmp_path / "out" / "manifest.json").is_file()


# -- serving -----------------------------------------------------------------


def test_server_maps_listing_pages_and_feeds_to_their_files(sample_server):
    with httpx.Client(base_url=sample_server.base_url) as client:
        first = client.get("/global/news")
        second = client.get("/global/news?page=1")
        assert first.status_code == second.status_code == 200
        assert first.headers["content-type"] == "text/html; charset=utf-8"
        assert first.text != second.text and "article-detail" in second.text
        assert client.get("/global/news?page=999").status_code == 404
        assert client.get("/global/news?page=abc").status_code == 404
        feed = client.get("/iran/news-rss")
        assert feed.headers["content-type"].startswith("application/rss+xml")
        assert f"<link>{sample_server.base_url}/iran/news" in feed.text
        robots = client.get("/robots.txt")
        assert robots.headers["content-type"] == "text/plain; charset=utf-8"
        assert f"Sitemap: {sample_server.base_url}/sitemap.xml" in robots.text
        legacy = client.get("/germany/en/news/"
                            "resettled-families-welcomed-hanover-humanitarian-admission")
        assert legacy.headers["content-type"] == "text/html"
    assert [r.status for r in sample_server.requests][:2] == [200, 200]
    assert sample_server.requests[1].path == "/global/news?page=1"


def test_etag_and_last_modified_give_304(sample_server):
    with httpx.Client(base_url=sample_server.base_url) as client:
        first = client.get("/global/rss.xml")
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        again = client.get("/global/rss.xml", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        since = client.get("/global/rss.xml", headers={"If-Modified-Since": modified})
        assert since.status_code == 304
        other = client.get("/global/rss.xml", headers={"If-None-Match": '"stale"'})
        assert other.status_code == 200 and other.content == first.content


def test_redirects_404_and_empty_page(sample_server, sample_site_dir):
    manifest = manifest_of(sample_site_dir)
    chain = next(r for r in manifest["redirects"] if not r["offsite"])
    offhost = next(r for r in manifest["redirects"] if r["offsite"])
    with httpx.Client(base_url=sample_server.base_url) as client:
        followed = client.get(chain["path"], follow_redirects=True)
        assert [r.status_code for r in followed.history] == [301, 302, 301]
        assert followed.status_code == 200 and followed.url.path == chain["final"]
        away = client.get(offhost["path"])
        assert away.status_code == 302
        assert away.headers["location"].startswith("http://www.example.org/")
        assert client.get(manifest["missing"][0]).status_code == 404
        empty = client.get("/iran/news/iom-iran-hosts-workshop-migration-data")
        assert empty.status_code == 200 and empty.content == b""


def test_429_and_503_carry_retry_after(make_sample_server):
    plan = (FaultPlan().add("/global/news", "429", seconds=2)
            .add("/iran/news", "503", retry_after_date=True))
    server = make_sample_server(plan)
    with httpx.Client(base_url=server.base_url) as client:
        busy = client.get("/global/news")
        assert busy.status_code == 429 and busy.headers["retry-after"] == "2"
        down = client.get("/iran/news")
        assert down.status_code == 503 and down.headers["retry-after"].endswith("GMT")
        assert client.get("/global/rss.xml").status_code == 200
    assert server.faults_applied == [("/global/news", "429"), ("/iran/news", "503")]


def test_reset_closes_the_connection_without_an_answer(make_sample_server):
    server = make_sample_server(FaultPlan().add("/global/*", "reset"))
    with httpx.Client(base_url=server.base_url) as client, pytest.raises(
            (httpx.ReadError, httpx.RemoteProtocolError)):
        client.get("/global/news")
    assert server.requests[-1].status == 0


def test_truncated_body_is_shorter_than_its_content_length(make_sample_server):
    server = make_sample_server(FaultPlan().add("/global/rss.xml", "truncate"))
    with httpx.Client(base_url=server.base_url) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/global/rss.xml")
        with client.stream("GET", "/global/rss.xml") as response:
            declared = int(response.headers["content-length"])
            received = b""
            with pytest.raises(httpx.RemoteProtocolError):
                for chunk in response.iter_raw():
                    received += chunk
        assert 0 < len(received) < declared


def test_slow_body_and_latency_take_their_time(make_sample_server):
    plan = (FaultPlan().add("/global/rss.xml", "slow", seconds=0.5)
            .add("/iran/news", "latency", seconds=0.3))
    server = make_sample_server(plan)
    with httpx.Client(base_url=server.base_url) as client:
        started = time.perf_counter()
        slow = client.get("/global/rss.xml")
        assert slow.status_code == 200 and slow.text.rstrip().endswith("</rss>")
        assert time.perf_counter() - started >= 0.4
        started = time.perf_counter()
        assert client.get("/iran/news").status_code == 200
        assert time.perf_counter() - started >= 0.3


def test_limited_fault_stops_after_the_first_n_requests_of_each_path(make_sample_server):
    server = make_sample_server(FaultPlan().add("/global/news*", "500", first=2))
    with httpx.Client(base_url=server.base_url) as client:
        statuses = [client.get("/global/news").status_code for _ in range(4)]
        assert statuses == [500, 500, 200, 200]
        assert client.get("/global/news?page=1").status_code == 500
    assert server.count("/global/news") == 4


def test_rate_faults_are_seeded_and_capped_per_path(make_sample_server):
    def run(seed: int) -> list[int]:
        server = make_sample_server(FaultPlan(rate=0.5, seed=seed, kinds=("500", "429")))
        with httpx.Client(base_url=server.base_url) as client:
            return [client.get(f"/global/news?page={n % 3}").status_code for n in range(18)]

    first, again = run(7), run(7)
    assert first == again
    assert {500, 429} & set(first) and 200 in first
    assert sum(s != 200 for s in first) <= 3 * 2  # at most max_per_path=2 for each of 3 paths
    robots_only = make_sample_server(FaultPlan(rate=1.0))
    assert httpx.get(robots_only.url("/robots.txt")).status_code == 200


def test_serve_sample_command_prints_its_url_and_stops_on_ctrl_c(sample_site_dir):
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.sample_site.server", "--port", "0", "--dir",
         str(sample_site_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=REPO)
    try:
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")
        assert httpx.get(base + "/robots.txt", timeout=5).status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_server_stops_cleanly_and_frees_its_port(sample_site_dir):
    server = SampleServer(sample_site_dir).start()
    url = server.url("/robots.txt")
    assert httpx.get(url).status_code == 200
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2)
