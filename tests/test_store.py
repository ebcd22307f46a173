"""The SQLite store: idempotent upserts, raw HTML kept, nothing half-written."""

import sqlite3
import zlib

import pytest

from pipeline.records import Page, Record, Release
from pipeline.store import SCHEMA_VERSION, Store, StoreError


def page(html="<html><body>x</body></html>", url="http://127.0.0.1/news/a"):
    return Page(url=url, fetched_at="2026-01-01T00:00:00Z", status=200, html=html,
                headers={"ETag": '"v1"', "Last-Modified": "Wed, 01 Jan 2026 00:00:00 GMT"})


def test_store_is_a_wal_sqlite_file_with_a_schema_version(tmp_path):
    path = tmp_path / "p.db"
    Store(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(
        SCHEMA_VERSION)


def test_page_upsert_is_idempotent_and_keeps_html_compressed(tmp_path):
    with Store(tmp_path / "p.db") as store:
        assert store.upsert_page(page()) is True
        assert store.upsert_page(page()) is False
        assert store.upsert_page(page("<html>changed</html>")) is True
        assert store.count("pages") == 1
        blob = store.query("SELECT html_gz FROM pages")[0]["html_gz"]
        assert zlib.decompress(blob).decode() == "<html>changed</html>"
        assert store.page_validators(page().url) == {
            "etag": '"v1"', "last-modified": "Wed, 01 Jan 2026 00:00:00 GMT"}


def test_release_upsert_reports_new_changed_unchanged(tmp_path):
    with Store(tmp_path / "p.db") as store:
        rel = Release(id="r1", title="T", body="Body")
        assert store.upsert_release(rel) == "new"
        assert store.upsert_release(rel) == "unchanged"
        rel.body = "Body 2"
        assert store.upsert_release(rel) == "changed"


def test_only_new_or_changed_releases_are_to_process(tmp_path):
    with Store(tmp_path / "p.db") as store:
        rel = Release(id="r1", title="T", body="Body")
        store.upsert_release(rel)
        assert [r.id for r in store.releases_to_process()] == ["r1"]
        record = Record.assemble(rel, None, None, [], {})
        store.save_record(record, rel.content_hash)
        assert list(store.releases_to_process()) == []
        rel.body = "New body"
        store.upsert_release(rel)
        assert [r.id for r in store.releases_to_process()] == ["r1"]


def test_near_duplicate_releases_are_not_processed(tmp_path):
    with Store(tmp_path / "p.db") as store:
        store.upsert_release(Release(id="a", title="T", body="B"))
        store.upsert_release(Release(id="b", title="T", body="B"), duplicate_of="a")
        assert [r.id for r in store.releases_to_process()] == ["a"]


def test_a_failed_transaction_leaves_nothing_half_written(tmp_path):
    with Store(tmp_path / "p.db") as store:
        store.upsert_release(Release(id="a", title="T", body="B"))
        store.upsert_release(Release(id="b", title="T2", body="B2"))
        t = "migration_health"
        with pytest.raises(sqlite3.IntegrityError):
            store.add_reviews([
                {"release_id": "a", "themes": [t], "primary_theme": t, "reviewer": "r",
                 "reviewed_at": "t"},
                {"release_id": "b", "themes": [t], "primary_theme": None, "reviewer": "r",
                 "reviewed_at": "t"},
            ])
        assert store.count("reviews") == 0


def test_a_file_that_is_not_a_store_is_refused(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        Store(bad)


def test_atomic_blocks_nest_and_an_inner_failure_rolls_back_only_itself(tmp_path):
    with Store(tmp_path / "p.db") as store:
        with store.atomic():
            store.upsert_release(Release(id="outer", title="t", body="b"))
            with pytest.raises(RuntimeError), store.atomic():
                store.upsert_release(Release(id="inner", title="t", body="b"))
                raise RuntimeError("inner step fails")
            store.upsert_release(Release(id="after", title="t", body="b"))
        assert store.release_ids() == {"outer", "after"}


def test_a_failure_in_the_outer_block_rolls_back_its_savepoints_too(tmp_path):
    with Store(tmp_path / "p.db") as store:
        with pytest.raises(RuntimeError), store.atomic():
            store.upsert_release(Release(id="a", title="t", body="b"))  # itself a savepoint
            raise RuntimeError("outer fails")
        assert store.release_ids() == set()
        store.upsert_release(Release(id="b", title="t", body="b"))  # the store still works
        assert store.release_ids() == {"b"}


def test_reads_stream_past_a_batch_while_the_caller_writes(tmp_path):
    from pipeline import store as store_module

    with Store(tmp_path / "p.db") as store:
        n = store_module._BATCH * 2 + 7
        for i in range(n):
            store.upsert_page(page(f"<html>{i}</html>", url=f"http://127.0.0.1/news/{i:04d}"))
        pages = store.pages_to_clean()
        assert not isinstance(pages, list)  # a generator: the table is not loaded at once
        seen = []
        for p in pages:
            seen.append(p.url)
            store.mark_cleaned(p.url)  # writing between batches must not disturb the walk
        assert seen == sorted(f"http://127.0.0.1/news/{i:04d}" for i in range(n))
        assert list(store.pages_to_clean()) == []


def test_releases_stream_oldest_first_with_undated_ones_first(tmp_path):
    with Store(tmp_path / "p.db") as store:
        for rid, date in (("b", "2024-02-01"), ("a", "2024-02-01"), ("c", None), ("d", "2023-01-01")):
            store.upsert_release(Release(id=rid, title="t", body=rid, date=date))
        assert [r.id for r, _ in store.releases()] == ["c", "d", "a", "b"]


def test_a_write_to_a_read_only_store_is_a_store_error_naming_it(tmp_path):
    with Store(tmp_path / "p.db") as store:
        store._db.execute("PRAGMA query_only=1")  # SQLite's own read-only mode
        with pytest.raises(StoreError, match="read-only"):
            store.start_run("crawl")
        store._db.execute("PRAGMA query_only=0")
        store.start_run("crawl")  # the failed write left no transaction open
        assert store.count("runs") == 1


def v1_store(path):
    """A store as schema 1 wrote it: records without stage keys, no signatures."""
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '1');
        CREATE TABLE releases (id TEXT PRIMARY KEY, url TEXT, page_url TEXT,
            content_hash TEXT NOT NULL, title TEXT NOT NULL, date TEXT, dateline TEXT,
            language TEXT, body TEXT NOT NULL, contact_block TEXT,
            site_tags TEXT NOT NULL DEFAULT '{}', kind TEXT, errors TEXT NOT NULL DEFAULT '[]',
            duplicate_of TEXT, stored_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE TABLE records (id TEXT PRIMARY KEY, release_hash TEXT NOT NULL,
            record TEXT NOT NULL, primary_theme TEXT, processed_at TEXT NOT NULL);
    """)
    rel = Release(id="r1", title="A title", body="A body.")
    db.execute("INSERT INTO releases(id, content_hash, title, body, stored_at, updated_at)"
               " VALUES ('r1', ?, 'A title', 'A body.', 'x', 'x')", (rel.content_hash,))
    record = Record.assemble(rel, None, None, [], {})
    db.execute("INSERT INTO records VALUES ('r1', ?, ?, 'migration_policy', 'x')",
               (rel.content_hash, record.to_json()))
    db.commit()
    db.close()


def test_a_schema_1_store_is_migrated_and_its_records_made_again(tmp_path):
    v1_store(tmp_path / "old.db")
    with Store(tmp_path / "old.db") as store:
        version = store.query("SELECT value FROM meta WHERE key='schema_version'")[0][0]
        assert version == str(SCHEMA_VERSION) == "2"
        columns = {r[1] for r in store.query("PRAGMA table_info(records)")}
        assert {"nlp_key", "classifier"} <= columns
        assert store.count("minhashes") == 0 and store.get_record("r1").id == "r1"
        # A record made before stage keys existed is made again, once.
        assert store.count_work("nlp-1", "clf-1") == (1, 0)
        [again] = store.work_to_do("nlp-1", "clf-1")[0]
        record = store.get_record("r1")
        record.primary_theme = "migration_policy"
        store.save_record(record, again.content_hash, "nlp-1", "clf-1")
        assert store.count_work("nlp-1", "clf-1") == (0, 0)
        assert store.count_work("nlp-1", "clf-2") == (0, 1)  # themes only
        assert store.count_work("nlp-2", "clf-1") == (1, 0)


def test_minhash_signatures_round_trip_through_the_store(tmp_path):
    from pipeline.clean.dedup import from_bytes, minhash, to_bytes

    text = "Migrants returned home to start small businesses with reintegration grants."
    with Store(tmp_path / "p.db") as store:
        store.upsert_release(Release(id="r1", title="T", body=text),
                             signature=to_bytes(minhash(text)))
        [(rid, data)] = list(store.minhashes())
        assert rid == "r1" and from_bytes(data).jaccard(minhash(text)) == 1.0
        assert list(store.releases_without_minhash()) == []
