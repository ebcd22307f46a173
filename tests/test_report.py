"""The HTML report: scraped values are text, and only http(s) URLs become links."""

import re

import pytest

from pipeline.records import Record, Release
from pipeline.report import build_report, web_url
from pipeline.store import Store


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(1)",
                                 "java\tscript:alert(1)", "data:text/html,<script>x</script>",
                                 "vbscript:msgbox", "file:///etc/passwd", "https:no-host", ""])
def test_a_url_that_is_not_http_is_no_link(url):
    assert web_url(url) is None


def test_http_and_https_urls_are_links():
    assert web_url("https://www.iom.int/news/a") == "https://www.iom.int/news/a"
    assert web_url("HTTP://iom.int/x") == "HTTP://iom.int/x"


def test_the_report_links_only_web_addresses(tmp_path):
    with Store(tmp_path / "p.db") as store:
        for rid, url in (("good", "https://www.iom.int/news/good"), ("evil", "javascript:alert(1)")):
            rel = Release(id=rid, title=f"Title {rid}", body="Body.", url=url)
            store.upsert_release(rel)
            store.save_record(Record.assemble(rel, None, None, [], {}), rel.content_hash)
        html = build_report(store)
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert "https://www.iom.int/news/good" in hrefs
    assert not [h for h in hrefs if "javascript" in h.lower()]
    assert "Title evil" in html  # the release is still listed, as text


def _record(store, rid, date, themes, countries=(), title=None):
    rel = Release(id=rid, title=title or f"Title {rid}", body="Body.", date=date)
    store.upsert_release(rel)
    rec = Record.assemble(rel, None, None, [], {})
    rec.themes = [{"id": t, "score": 0.9, "evidence": []} for t in themes]
    rec.primary_theme = themes[0]
    rec.countries = [{"iso3": iso3, "name": name, "mentions": 1} for iso3, name in countries]
    store.save_record(rec, rel.content_hash)


def test_the_report_counts_themes_per_year(tmp_path):
    with Store(tmp_path / "p.db") as store:
        _record(store, "a", "2019-03-01", ["migration_health", "counter_trafficking"])
        _record(store, "b", "2019-08-01", ["migration_health"])
        _record(store, "c", "2021-01-01", ["migration_health"])
        _record(store, "d", "2023-01-01", ["donor_relations"])
        html = build_report(store)
    cells = dict(re.findall(r'data-key="([^"]+)" style="--v: [0-9.]+">(\d*)<', html))
    assert cells["migration_health|2019"] == "2"
    assert cells["migration_health|2021"] == "1"
    assert cells["counter_trafficking|2019"] == "1"
    assert cells["migration_health|2023"] == "" and cells["donor_relations|2023"] == "1"
    assert "2020" not in {k.split("|")[1] for k in cells}


def test_the_filters_know_each_releases_themes_and_countries(tmp_path):
    with Store(tmp_path / "p.db") as store:
        _record(store, "a", "2019-03-01", ["migration_health", "counter_trafficking"],
                [("IRN", "Iran"), ("AFG", "Afghanistan")])
        html = build_report(store)
    assert 'data-themes="migration_health counter_trafficking" data-countries="IRN AFG"' in html
    assert '<option value="IRN">Iran (IRN)</option>' in html


def test_every_scraped_string_in_the_report_is_inert(tmp_path):
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    with Store(tmp_path / "p.db") as store:
        _record(store, "a", "2019-03-01", ["migration_health"], [("IRN", evil)], title=evil)
        html = build_report(store)
    assert "<img src=x" not in html and "<script>alert" not in html
    assert html.count("<script>") == 1  # the page's own filter script, nothing else
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_page_filters_by_theme_and_country_in_a_browser(tmp_path):
    """The inline script, run by headless Chromium: a filter in the link hides the
    other releases and recounts the time table."""
    import shutil
    import subprocess

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no chromium here (apt-get install -y chromium)")
    with Store(tmp_path / "p.db") as store:
        _record(store, "a", "2019-03-01", ["migration_health"], [("IRN", "Iran")])
        _record(store, "b", "2020-03-01", ["migration_health", "donor_relations"], [("AFG", "Afg")])
        _record(store, "c", "2021-03-01", ["donor_relations"], [("IRN", "Iran")])
        page = tmp_path / "report.html"
        page.write_text(build_report(store))
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p'}",
         "--dump-dom", page.as_uri() + "#theme=migration_health&country=IRN"],
        capture_output=True, text=True, timeout=120, check=True).stdout
    shown = {m.group(1): "hidden" not in m.group(0)
             for m in re.finditer(r'<tr data-themes="[^"]*" data-countries="[^"]*" '
                                  r'data-period="[^"]*"[^>]*>\s*<td>(\d{4})', dom)}
    assert shown == {"2019": True, "2020": False, "2021": False}
    assert '<b id="shown">1</b>' in dom
    cells = dict(re.findall(r'data-key="([^"]+)"[^>]*>(\d*)<', dom))
    assert cells["migration_health|2019"] == "1" and cells["migration_health|2020"] == ""
    assert cells["donor_relations|2021"] == ""
