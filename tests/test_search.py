"""The full-text index (migrations.SEARCH_INDEX) stays in step with the store,
and search() ranks and filters what it finds."""

import sqlite3

import pytest

from pipeline.records import Record, Release
from pipeline.search import match_expression, search
from pipeline.store import Store


def _add(store, rid, title, body, themes=(), countries=(), officials=(), orgs=(), date=None):
    rel = Release(id=rid, title=title, body=body, date=date)
    store.upsert_release(rel)
    record = Record.assemble(rel, None, None, [], {})
    record.themes = [{"id": t, "score": 0.9, "evidence": []} for t in themes]
    record.primary_theme = themes[0] if themes else None
    record.countries = [{"iso3": c, "name": c, "mentions": 1} for c in countries]
    record.officials = [{"name": n, "title": t, "org": None} for n, t in officials]
    record.organizations = list(orgs)
    store.save_record(record, rel.content_hash)
    return rel


def _ids(hits):
    return [h.id for h in hits]


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "p.db") as s:
        yield s


def test_a_new_release_is_found_by_a_word_of_its_body(store):
    _add(store, "a", "Workshop in Ankara", "Border officials discussed smuggling routes.")
    _add(store, "b", "Floods", "Shelter for displaced families.")
    assert _ids(search(store, "smuggling")) == ["a"]
    assert _ids(search(store, "shelter")) == ["b"]


def test_words_are_stemmed_so_smuggled_finds_smuggling(store):
    _add(store, "a", "Routes", "Migrants smuggled across the sea.")
    assert _ids(search(store, "smuggling")) == ["a"]


def test_a_changed_release_is_found_by_its_new_text_only(store):
    _add(store, "a", "Title", "Old words about cholera.")
    store.upsert_release(Release(id="a", title="Title", body="New words about vaccination."))
    assert _ids(search(store, "vaccination")) == ["a"]
    assert search(store, "cholera") == []


def test_a_deleted_release_leaves_the_index(store):
    _add(store, "a", "Title", "Words about cholera.")
    with store.atomic() as db:
        db.execute("DELETE FROM records WHERE id='a'")
        db.execute("DELETE FROM releases WHERE id='a'")
    assert search(store, "cholera") == []
    assert store.query("SELECT count(*) AS n FROM releases_fts")[0]["n"] == 0


def test_officials_and_organisations_come_from_the_record_and_follow_it(store):
    rel = _add(store, "a", "Visit", "A visit took place.", officials=[("Amina Diallo", "Chief of Mission")],
               orgs=["UNHCR"])
    assert _ids(search(store, "Diallo")) == ["a"]
    assert _ids(search(store, "UNHCR")) == ["a"]
    record = store.get_record("a")
    record.officials, record.organizations = [{"name": "Ben Osei", "title": None, "org": None}], []
    store.save_record(record, rel.content_hash)
    assert _ids(search(store, "Osei")) == ["a"]
    assert search(store, "Diallo") == [] and search(store, "UNHCR") == []
    with store.atomic() as db:
        db.execute("DELETE FROM records WHERE id='a'")
    assert search(store, "Osei") == []
    assert _ids(search(store, "visit")) == ["a"]  # the release itself is still indexed


def test_a_store_made_before_the_index_gets_it_filled_when_opened(tmp_path):
    path = tmp_path / "old.db"
    with Store(path) as store:
        _add(store, "a", "Old release", "Counter-trafficking hotline opened.")
    # As a store written before the migration step existed: no index, no triggers.
    db = sqlite3.connect(path)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger' "
                              "AND name LIKE '%fts%'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    db.execute("DROP TABLE releases_fts")
    db.execute("DELETE FROM meta WHERE key='migration.search_index'")
    db.commit()
    db.close()
    with Store(path) as store:
        assert _ids(search(store, "hotline")) == ["a"]


def test_the_headline_weighs_more_than_the_body(store):
    _add(store, "body", "Annual meeting", "Partners met. Cholera was one topic among many others.")
    _add(store, "head", "Cholera response", "Partners met to plan the season.")
    assert _ids(search(store, "cholera")) == ["head", "body"]


def test_every_word_is_required(store):
    _add(store, "a", "Smuggling", "Routes through Turkey.")
    _add(store, "b", "Smuggling", "Routes through Libya.")
    assert _ids(search(store, "smuggling Turkey")) == ["a"]


def test_filters_by_theme_country_and_date(store):
    _add(store, "a", "Return", "Returnees arrived.", themes=["return_reintegration"],
         countries=["AFG"], date="2023-05-01")
    _add(store, "b", "Return", "Returnees arrived.", themes=["migration_health"],
         countries=["IRN"], date="2021-01-01")
    assert _ids(search(store, "returnees", theme="return_reintegration")) == ["a"]
    assert _ids(search(store, "returnees", country="irn")) == ["b"]
    assert _ids(search(store, "returnees", since="2022-01-01")) == ["a"]
    assert sorted(_ids(search(store, "returnees"))) == ["a", "b"]
    assert len(search(store, "returnees", limit=1)) == 1


def test_query_syntax_is_read_as_words(store):
    _add(store, "a", "Title", "The cross-border programme (phase two) began.")
    assert match_expression('cross-border "phase two" AND') == '"cross-border" "phase two" "AND"'
    assert _ids(search(store, 'cross-border "phase two"')) == ["a"]
    assert search(store, '" * ( ') == []
    assert search(store, "phase three") == []


def test_hits_carry_themes_date_and_a_snippet(store):
    _add(store, "a", "Title", "Vaccination campaign in Herat.", themes=["migration_health"],
         date="2024-02-03")
    hit = search(store, "vaccination")[0]
    assert hit.date == "2024-02-03"
    assert [t["id"] for t in hit.themes] == ["migration_health"]
    assert "[Vaccination]" in hit.snippet


def test_reviews_are_checked_by_the_database(store):
    _add(store, "a", "Title", "Body.")
    good = {"release_id": "a", "themes": ["counter_trafficking", "migration_health"],
            "primary_theme": "migration_health", "reviewer": "Ana", "reviewed_at": "t"}
    store.add_reviews([good])
    for bad, message in [
        ({"themes": ["counter_trafficking", "no_such_theme"]}, "unknown theme id"),
        ({"primary_theme": "donor_relations"}, "primary theme must be one of the themes"),
        ({"themes": []}, "at least one theme"),
        ({"reviewer": "  "}, "reviewer"),
        ({"release_id": "nope"}, "unknown release id"),
    ]:
        with pytest.raises(sqlite3.IntegrityError, match=message):
            store.add_reviews([{**good, **bad}])
    with pytest.raises(sqlite3.IntegrityError, match="JSON list"):
        with store.atomic() as db:
            db.execute("INSERT INTO reviews(release_id, themes, primary_theme, reviewer, reviewed_at)"
                       " VALUES ('a', 'counter_trafficking', 'counter_trafficking', 'Ana', 't')")
    assert store.count("reviews") == 1


def test_the_search_command_prints_hits_with_dates_and_themes(tmp_path, capsys):
    from pipeline.cli import main

    db = tmp_path / "p.db"
    with Store(db) as store:
        _add(store, "a", "Hotline opens", "A counter-trafficking hotline opened.",
             themes=["counter_trafficking"], date="2024-02-03")
    assert main(["search", "hotline", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "2024-02-03  Hotline opens" in out and "counter_trafficking 0.90" in out
    assert out.rstrip().endswith("1 hit(s)")


@pytest.mark.parametrize("flags", [["--theme", "no_such_theme"], ["--since", "yesterday"],
                                   ["--limit", "0"]])
def test_the_search_command_refuses_bad_flags(tmp_path, capsys, flags):
    from pipeline.cli import main

    db = tmp_path / "p.db"
    Store(db).close()
    assert main(["search", "hotline", "--db", str(db), *flags]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_the_search_command_needs_a_store(tmp_path, capsys):
    from pipeline.cli import main

    assert main(["search", "x", "--db", str(tmp_path / "none.db")]) == 2
    assert main(["browse", "--db", str(tmp_path / "none.db")]) == 2
