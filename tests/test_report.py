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
