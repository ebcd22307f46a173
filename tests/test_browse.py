"""Browse, search and correct the archive as a person would: the real Datasette
server (``python -m pipeline browse``) on a free 127.0.0.1 port over a store made
from the sample site, through its HTTP/JSON interface; and ``search``,
``report --release`` and ``train`` on the same store."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from datasette.utils import tilde_encode

from pipeline.browse import running
from pipeline.cli import main
from pipeline.sample_site import SampleServer, sample_sources
from pipeline.store import Store

RAW_SPACY_LABELS = ("WORK_OF_ART", "PRODUCT", "NORP", "GPE", "FAC", "LAW", "EVENT")


@pytest.fixture(scope="module")
def store_path(tmp_path_factory, sample_site_dir) -> Path:
    db = tmp_path_factory.mktemp("browse") / "pipeline.db"
    with SampleServer(sample_site_dir) as server:
        sources = sample_sources(sample_site_dir, server.base_url)
        main(["crawl", *sources, "--db", str(db), "--rate", "500", "--max-pages", "60"])
    main(["process", "--db", str(db), "--output", str(db.parent / "releases.jsonl")])
    return db


@pytest.fixture(scope="module")
def records(store_path) -> dict[str, dict]:
    with Store(store_path) as store:
        return {r.id: r.as_dict() for r in store.records()}


@pytest.fixture(scope="module")
def browser(store_path):
    try:
        with running(store_path) as client:
            yield client
    except RuntimeError as exc:  # the server exited before it answered
        pytest.fail(str(exc))


def _unique_word(records: dict[str, dict]) -> tuple[str, str]:
    """A word of one release's text that no other release has anywhere.

    The index stems (porter: "surveying" finds "surveys") and holds the contact
    block, officials and organisations too: a word counts as a release's own
    only when no other record has any word of the same first five letters."""
    def words(value) -> set[str]:
        return set(re.findall(r"[^\W\d_]+", json.dumps(value, ensure_ascii=False).lower()))

    prefixes = {rid: {w[:5] for w in words(r)} for rid, r in records.items()}
    seen = Counter(p for ps in prefixes.values() for p in ps)
    for rid in sorted(records):
        own = re.findall(r"[^\W\d_]{9,}", (records[rid]["text"] + " " + records[rid]["title"]).lower())
        for word in sorted(own):
            if word.isascii() and seen[word[:5]] == 1:
                return rid, word
    raise AssertionError("no release has a word of its own")


def test_a_search_for_a_word_of_one_release_finds_it(browser, records):
    rid, word = _unique_word(records)
    page = browser.get("/archive/archive.json", params={"_search": word, "_shape": "objects"}).json()
    assert [row["id"] for row in page["rows"]] == [rid]
    html = browser.get("/archive/archive", params={"_search": word}).text
    assert records[rid]["title"].replace("'", "&#39;") in html


def test_the_search_command_finds_the_same_release(store_path, records, capsys):
    rid, word = _unique_word(records)
    assert main(["search", word, "--db", str(store_path), "--json"]) == 0
    hits = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [h["id"] for h in hits] == [rid]
    assert hits[0]["themes"] == [{"id": t["id"], "score": t["score"]} for t in records[rid]["themes"]]


def test_facets_count_themes_countries_year_site_and_language(browser, records):
    page = browser.get("/archive/archive.json", params={"_size": "0"}).json()
    facets = page["facet_results"]
    assert {"themes", "primary_theme", "countries", "year", "site", "language"} <= set(facets)
    primary = Counter(r["primary_theme"] for r in records.values())
    assert {f["value"]: f["count"] for f in facets["primary_theme"]["results"]} == \
        dict(primary.most_common(len(facets["primary_theme"]["results"])))
    top = facets["countries"]["results"][0]
    naming = {rid for rid, r in records.items() if top["value"] in {c["iso3"] for c in r["countries"]}}
    assert top["count"] == len(naming)
    rows = browser.get("/archive/archive.json", params={
        "countries__arraycontains": top["value"], "_shape": "objects", "_size": "max"}).json()["rows"]
    assert {row["id"] for row in rows} == naming
    years = Counter((r["date"] or "")[:4] or None for r in records.values())
    for f in facets["year"]["results"]:
        assert f["count"] == years[f["value"]]


def _release_with(records, *fields):
    for rid in sorted(records):
        if all(records[rid][f] for f in fields):
            return records[rid]
    raise AssertionError(f"no release with {fields}")


def _marks(html: str) -> list[tuple[str, str, str]]:
    """(category, text, label) of every entity mark on a page."""
    return re.findall(r'<mark class="ent ent-\w+" data-category="(\w+)"[^>]*>([^<]*) '
                      r'<span class="ent-label">([^<]*)</span></mark>', html)


def test_a_release_page_marks_its_entities_in_the_pipelines_categories(browser, records):
    rec = _release_with(records, "ministries", "officials", "countries")
    html = browser.get(f"/archive/releases/{tilde_encode(rec['id'])}").text
    marks = _marks(html)
    found = {category for category, _, _ in marks}
    assert {"country", "ministry", "official"} <= found
    assert ("country", rec["countries"][0]["name"], f"COUNTRY {rec['countries'][0]['iso3']}") in marks \
        or any(c == "country" and label == f"COUNTRY {rec['countries'][0]['iso3']}"
               for c, _, label in marks)
    official = rec["officials"][0]
    assert any(c == "official" and text == official["name"] and (official["title"] or "") in label
               for c, text, label in marks)
    for label in RAW_SPACY_LABELS:
        assert label not in {lab.split()[0] for _, _, lab in marks}
    # Its themes with scores and evidence, and links to its country's and themes' releases.
    for theme in rec["themes"]:
        assert f"<code>{theme['id']}</code>: {theme['score']:.2f}" in html
        assert f"themes__arraycontains={theme['id']}" in html
    assert f"countries__arraycontains={rec['countries'][0]['iso3']}" in html


def test_report_release_marks_the_pipelines_categories_not_spacys(store_path, records, tmp_path):
    rec = _release_with(records, "ministries", "amounts")
    out = tmp_path / "release.html"
    assert main(["report", "--db", str(store_path), "--release", rec["id"], "--output", str(out)]) == 0
    marks = _marks(out.read_text())
    assert {"ministry", "amount"} <= {c for c, _, _ in marks}
    assert not {lab.split()[0] for _, _, lab in marks} & set(RAW_SPACY_LABELS)
    amount = rec["amounts"][0]
    assert any(c == "amount" and text == amount["text"] and amount["currency"] in label
               for c, text, label in marks)


def test_canned_queries_answer_from_the_records(browser, records):
    def rows(name):
        return browser.get(f"/archive/{name}.json", params={"_shape": "objects"}).json()["rows"]

    officials = {(r["official"]) for r in rows("officials_by_country")}
    assert officials == {o["name"] for r in records.values() for o in r["officials"]}
    ministries = {r["ministry"] for r in rows("ministries_by_country")}
    assert ministries == {m["name"] for r in records.values() for m in r["ministries"]}
    offices = {r["office"] for r in rows("contacts_by_office")}
    assert offices == {c["office"] for r in records.values() for c in r["contacts"]}
    per_year = rows("releases_per_theme_per_year")
    assert sum(r["releases"] for r in per_year) == sum(len(r["themes"]) for r in records.values())
    certainty = [r["certainty"] for r in rows("least_certain")]
    assert certainty == sorted(certainty) and len(certainty) == min(200, len(records))


def _form_token(browser) -> str:
    page = browser.get("/archive/correct").text
    return re.search(r'name="csrftoken" value="([^"]+)"', page).group(1)


def test_a_correction_from_the_browser_is_stored_checked_and_learnt(browser, store_path, records,
                                                                    tmp_path):
    from pipeline.classify import inputs_digest, read_card, review_records
    from pipeline.gold import load_gold

    rid = min(records, key=lambda r: ("#" not in r, r))  # an item of an aggregator page first
    token = _form_token(browser)
    refused = browser.post("/archive/correct", data={
        "csrftoken": token, "release_id": rid, "themes": "counter_trafficking;not_a_theme",
        "primary_theme": "counter_trafficking", "reviewer": "Ana", "note": "", "_json": "1"}).json()
    assert refused["ok"] is False and "unknown theme id" in refused["message"]
    refused = browser.post("/archive/correct", data={
        "csrftoken": token, "release_id": rid, "themes": "counter_trafficking",
        "primary_theme": "migration_health", "reviewer": "Ana", "note": "", "_json": "1"}).json()
    assert refused["ok"] is False and "primary theme" in refused["message"]
    with Store(store_path) as store:
        assert store.latest_reviews() == []
    stored = browser.post("/archive/correct", data={
        "csrftoken": token, "release_id": rid, "themes": "counter_trafficking; migration_health",
        "primary_theme": "migration_health", "reviewer": "Ana Archivist", "note": "",
        "_json": "1"}).json()
    assert stored["ok"] is True
    with Store(store_path) as store:
        reviews = store.latest_reviews()
    assert [(r["release_id"], r["themes"], r["primary_theme"], r["reviewer"]) for r in reviews] == \
        [(rid, ["counter_trafficking", "migration_health"], "migration_health", "Ana Archivist")]
    # The release page lists it; `train` learns from it as from `review import`.
    assert "Ana Archivist" in browser.get(f"/archive/releases/{tilde_encode(rid)}").text
    model_dir = tmp_path / "models"
    assert main(["train", "--db", str(store_path), "--model", str(model_dir)]) == 0
    card = read_card(model_dir)
    gold = load_gold()
    assert card["data"]["reviews"] == 1
    assert card["data"]["sha256"] == inputs_digest(gold, review_records(reviews))
    assert card["data"]["sha256"] != inputs_digest(gold, [])
