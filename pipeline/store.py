"""The embedded store: one SQLite file (WAL) holding everything a run makes.

Pages keep their raw HTML (zlib-compressed) so releases can be re-cleaned
without refetching. Writes are idempotent upserts keyed by URL (pages) or
release id, and compare content hashes, so re-running a batch changes
nothing that has not changed. Each write is its own transaction: a killed
run leaves every finished row whole and no half-written one.

Transactions compose as in sqlite-utils: ``store.atomic()`` opens one, and
an ``atomic()`` inside it is a SAVEPOINT, so a caller can make several
writes one step without a lock of its own. Reads of many rows are
generators that fetch a batch at a time by key, so a whole table is never
held in memory and no cursor stays open while the caller writes.
A store that cannot be written (read-only file or directory, full disk) is
a StoreError with one line saying so, never a raw sqlite3 traceback.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.migrations import migrate
from pipeline.records import Page, Record, Release

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    final_url TEXT,
    source TEXT,
    fetched_at TEXT NOT NULL,
    status INTEGER NOT NULL,
    headers TEXT NOT NULL DEFAULT '{}',
    etag TEXT,
    last_modified TEXT,
    content_hash TEXT NOT NULL,
    html_gz BLOB NOT NULL,
    cleaned_hash TEXT
);
CREATE TABLE IF NOT EXISTS frontier (
    url TEXT PRIMARY KEY,
    source TEXT,
    kind TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    added_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS releases (
    id TEXT PRIMARY KEY,
    url TEXT,
    page_url TEXT,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    date TEXT,
    dateline TEXT,
    language TEXT,
    body TEXT NOT NULL,
    contact_block TEXT,
    site_tags TEXT NOT NULL DEFAULT '{}',
    kind TEXT,
    errors TEXT NOT NULL DEFAULT '[]',
    duplicate_of TEXT,
    stored_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS releases_hash ON releases(content_hash);
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY,
    release_hash TEXT NOT NULL,
    record TEXT NOT NULL,
    primary_theme TEXT,
    processed_at TEXT NOT NULL,
    nlp_key TEXT,
    classifier TEXT
);
CREATE TABLE IF NOT EXISTS minhashes (
    release_id TEXT PRIMARY KEY,
    signature BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS inputs (
    path TEXT PRIMARY KEY,
    input_key TEXT NOT NULL,
    releases TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reviews (
    review_id INTEGER PRIMARY KEY AUTOINCREMENT,
    release_id TEXT NOT NULL,
    themes TEXT NOT NULL,
    primary_theme TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    note TEXT
);
CREATE TABLE IF NOT EXISTS errors (
    error_id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER,
    stage TEXT NOT NULL,
    subject TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    summary TEXT
);
"""


def _to_v2(db: sqlite3.Connection) -> None:
    """Version 2 (issue 11): a record keeps the versions of the stages that made
    it (``nlp_key``: spaCy model, gazetteers and entity code; ``classifier``:
    the theme model), so a re-run knows what to redo; MinHash signatures are
    stored, not rebuilt from every release on each run; input files remember
    the releases they gave (the ``minhashes`` and ``inputs`` tables are made
    by _SCHEMA)."""
    columns = {r[1] for r in db.execute("PRAGMA table_info(records)")}
    for column in ("nlp_key", "classifier"):
        if column not in columns:
            db.execute(f"ALTER TABLE records ADD COLUMN {column} TEXT")


# What an original release needs (``Store.work_to_do``), given the current
# entity-stage and classifier keys: 'full', 'themes' or NULL (its record is current).
_WORK_FROM = "releases r LEFT JOIN records x ON x.id = r.id"
_NEED = """(CASE WHEN r.duplicate_of IS NOT NULL THEN NULL
      WHEN x.id IS NULL OR x.release_hash != r.content_hash OR x.nlp_key IS NOT ?1
           OR x.classifier IS NULL THEN 'full'
      WHEN x.classifier IS NOT ?2 THEN (CASE WHEN x.primary_theme IS NULL THEN 'full'
                                              ELSE 'themes' END)
      END)"""

# Step N brings a store at version N-1 to version N.
_MIGRATIONS = {2: _to_v2}


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class StoreError(Exception):
    """The store file cannot be used (wrong schema, not a database, read-only)."""


_BATCH = 256  # rows fetched at a time by the streaming reads


class Store:
    """A thin, thread-safe layer over one SQLite file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            if "readonly" in str(exc):  # an older store, to be migrated, that cannot be written
                raise self._unusable(exc) from exc
            raise StoreError(f"{path}: not a usable SQLite store ({exc})") from exc
        self._lock = threading.RLock()
        self._depth = 0  # open atomic() blocks: 0 none, 1 a transaction, more savepoints
        self._check_version()
        try:
            migrate(self._db)
        except sqlite3.DatabaseError as exc:
            raise self._unusable(exc) from exc

    def _check_version(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:  # a new store: _SCHEMA made it at the current version
            with self.atomic() as db:
                db.execute(
                    "INSERT INTO meta(key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
            return
        version = int(row["value"])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: schema version {row['value']} is newer than this "
                f"pipeline's ({SCHEMA_VERSION}); upgrade the pipeline"
            )
        for step in range(version + 1, SCHEMA_VERSION + 1):
            with self.atomic() as db:  # each step and its version number: one transaction
                _MIGRATIONS[step](db)
                db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(step),))

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """One transaction; an ``atomic()`` inside it is a savepoint that can fail alone.

        Held by one thread at a time (the lock is re-entrant, so the thread
        that holds it nests freely); the crawler's pool threads queue here.
        """
        with self._lock:
            depth = self._depth
            savepoint = f"atomic_{depth}"
            self._execute_write("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT {savepoint}")
            self._depth += 1
            try:
                yield self._db
            except BaseException as exc:
                self._depth = depth
                if depth == 0:
                    self._db.rollback()
                else:
                    self._db.execute(f"ROLLBACK TO {savepoint}")
                    self._db.execute(f"RELEASE {savepoint}")
                if isinstance(exc, sqlite3.OperationalError):  # read-only, disk full, I/O
                    raise self._unusable(exc) from exc
                raise
            self._depth = depth
            self._execute_write("COMMIT" if depth == 0 else f"RELEASE {savepoint}")

    def _execute_write(self, sql: str) -> None:
        try:
            self._db.execute(sql)
        except sqlite3.DatabaseError as exc:
            if self._db.in_transaction and self._depth == 0:
                self._db.rollback()
            raise self._unusable(exc) from exc

    def _unusable(self, exc: sqlite3.DatabaseError) -> StoreError:
        if "readonly" in str(exc) or "read-only" in str(exc):
            return StoreError(f"{self.path}: the store is read-only; give write access to the "
                              "file and its directory, or pass another --db")
        return StoreError(f"{self.path}: cannot write the store ({exc})")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                raise StoreError(f"{self.path}: cannot read the store ({exc})") from exc

    def stream(self, table: str, where: str = "1", params: tuple = (),
               key: tuple[str, ...] = ("rowid",), columns: str = "*") -> Iterator[sqlite3.Row]:
        """Rows of ``table`` in the order of ``key`` (unique), fetched a batch at a time.

        Each batch starts after the last key seen, so writes between batches
        (marking a page cleaned, saving a record) never disturb the walk.
        """
        keys = ", ".join(key)
        selected = ", ".join(f"{k} AS _k{i}" for i, k in enumerate(key))
        sql = f"SELECT {columns}, {selected} FROM {table} WHERE ({where})"
        last: tuple | None = None
        while True:
            after = f" AND ({keys}) > ({', '.join('?' * len(key))})" if last else ""
            rows = self.query(f"{sql}{after} ORDER BY {keys} LIMIT {_BATCH}",
                              params + (last or ()))
            yield from rows
            if len(rows) < _BATCH:
                return
            last = tuple(rows[-1][f"_k{i}"] for i in range(len(key)))

    # -- pages -------------------------------------------------------------
    def upsert_page(self, page: Page) -> bool:
        """Store a fetched page; True when it is new or its HTML changed."""
        digest = page.content_hash
        headers = {k.lower(): v for k, v in page.headers.items()}
        with self.atomic() as db:
            row = db.execute(
                "SELECT content_hash FROM pages WHERE url=?", (page.url,)
            ).fetchone()
            changed = row is None or row["content_hash"] != digest
            db.execute(
                """INSERT INTO pages(url, final_url, source, fetched_at, status, headers,
                                     etag, last_modified, content_hash, html_gz)
                   VALUES (?,?,?,?,?,?,?,?,?,?)
                   ON CONFLICT(url) DO UPDATE SET
                     final_url=excluded.final_url, source=COALESCE(excluded.source, source),
                     fetched_at=excluded.fetched_at, status=excluded.status,
                     headers=excluded.headers, etag=excluded.etag,
                     last_modified=excluded.last_modified,
                     content_hash=excluded.content_hash, html_gz=excluded.html_gz""",
                (
                    page.url,
                    page.final_url,
                    page.source,
                    page.fetched_at,
                    page.status,
                    json.dumps(headers),
                    headers.get("etag"),
                    headers.get("last-modified"),
                    digest,
                    zlib.compress(page.html.encode("utf-8"), 6),
                ),
            )
        return changed

    def touch_page(self, url: str) -> None:
        """Record that a conditional GET found the page unchanged."""
        with self.atomic() as db:
            db.execute("UPDATE pages SET fetched_at=? WHERE url=?", (now(), url))

    def page_validators(self, url: str) -> dict[str, str]:
        """ETag / Last-Modified of a stored page, for a conditional GET."""
        row = self.query("SELECT etag, last_modified FROM pages WHERE url=?", (url,))
        if not row:
            return {}
        out = {}
        if row[0]["etag"]:
            out["etag"] = row[0]["etag"]
        if row[0]["last_modified"]:
            out["last-modified"] = row[0]["last_modified"]
        return out

    def has_page(self, url: str) -> bool:
        return bool(self.query("SELECT 1 FROM pages WHERE url=?", (url,)))

    def pages_to_clean(self) -> Iterator[Page]:
        """Pages whose HTML has not been cleaned since it last changed, one at a time."""
        rows = self.stream("pages", "status=200 AND "
                           "(cleaned_hash IS NULL OR cleaned_hash != content_hash)", key=("url",))
        return (_row_to_page(r) for r in rows)

    def count_pages_to_clean(self) -> int:
        return self.query("SELECT COUNT(*) FROM pages WHERE status=200 AND "
                          "(cleaned_hash IS NULL OR cleaned_hash != content_hash)")[0][0]

    def mark_cleaned(self, url: str) -> None:
        with self.atomic() as db:
            db.execute("UPDATE pages SET cleaned_hash=content_hash WHERE url=?", (url,))

    def count(self, table: str) -> int:
        if table not in {"pages", "frontier", "releases", "records", "reviews", "errors", "runs",
                         "minhashes", "inputs"}:
            raise ValueError(table)
        return self.query(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"]

    # -- crawl frontier (makes a killed crawl resumable) ---------------------
    def frontier_add(self, url: str, kind: str, source: str | None = None) -> bool:
        """Queue a URL once; True if it was not known before."""
        with self.atomic() as db:
            cur = db.execute(
                "INSERT OR IGNORE INTO frontier(url, source, kind, state, added_at, updated_at)"
                " VALUES (?,?,?,?,?,?)",
                (url, source, kind, "pending", now(), now()),
            )
            return cur.rowcount == 1

    def frontier_set(self, url: str, state: str) -> None:
        with self.atomic() as db:
            db.execute(
                "UPDATE frontier SET state=?, updated_at=? WHERE url=?", (state, now(), url)
            )

    def frontier_pending(self, kind: str | None = None) -> list[sqlite3.Row]:
        if kind:
            return self.query(
                "SELECT * FROM frontier WHERE state='pending' AND kind=? ORDER BY added_at, url",
                (kind,),
            )
        return self.query("SELECT * FROM frontier WHERE state='pending' ORDER BY added_at, url")

    def frontier_state(self, url: str) -> str | None:
        rows = self.query("SELECT state FROM frontier WHERE url=?", (url,))
        return rows[0]["state"] if rows else None

    # -- releases ----------------------------------------------------------
    def upsert_release(
        self, release: Release, page_url: str | None = None, duplicate_of: str | None = None,
        signature: bytes | None = None,
    ) -> str:
        """Store a cleaned release (and its MinHash signature, in the same
        transaction); returns 'new', 'changed' or 'unchanged'."""
        digest = release.content_hash
        with self.atomic() as db:
            row = db.execute(
                "SELECT content_hash FROM releases WHERE id=?", (release.id,)
            ).fetchone()
            if row is not None and row["content_hash"] == digest:
                return "unchanged"
            stamp = now()
            db.execute(
                """INSERT INTO releases(id, url, page_url, content_hash, title, date, dateline,
                        language, body, contact_block, site_tags, kind, errors, duplicate_of,
                        stored_at, updated_at)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                   ON CONFLICT(id) DO UPDATE SET
                     url=excluded.url, page_url=excluded.page_url,
                     content_hash=excluded.content_hash, title=excluded.title,
                     date=excluded.date, dateline=excluded.dateline,
                     language=excluded.language, body=excluded.body,
                     contact_block=excluded.contact_block, site_tags=excluded.site_tags,
                     kind=excluded.kind, errors=excluded.errors,
                     duplicate_of=excluded.duplicate_of, updated_at=excluded.updated_at""",
                (
                    release.id,
                    release.url,
                    page_url,
                    digest,
                    release.title,
                    release.date,
                    release.dateline,
                    release.language,
                    release.body,
                    release.contact_block,
                    json.dumps(release.site_tags, ensure_ascii=False),
                    release.kind,
                    json.dumps(release.errors, ensure_ascii=False),
                    duplicate_of,
                    stamp,
                    stamp,
                ),
            )
            if signature is not None:
                self.save_minhash(release.id, signature)
        return "new" if row is None else "changed"

    def get_release(self, release_id: str) -> Release | None:
        rows = self.query("SELECT * FROM releases WHERE id=?", (release_id,))
        return _row_to_release(rows[0]) if rows else None

    # -- near-duplicate signatures -----------------------------------------
    def save_minhash(self, release_id: str, signature: bytes) -> None:
        with self.atomic() as db:
            db.execute("INSERT INTO minhashes(release_id, signature) VALUES (?, ?)"
                       " ON CONFLICT(release_id) DO UPDATE SET signature=excluded.signature",
                       (release_id, signature))

    def minhashes(self) -> Iterator[tuple[str, bytes]]:
        """(release id, signature) of every original release, oldest first, in the
        order the near-duplicate index must see them (a copy points at the first)."""
        rows = self.stream("releases r JOIN minhashes m ON m.release_id = r.id",
                           "r.duplicate_of IS NULL", key=("COALESCE(r.date, '')", "r.id"),
                           columns="r.id AS id, m.signature AS signature")
        return ((r["id"], bytes(r["signature"])) for r in rows)

    def releases_without_minhash(self) -> Iterator[Release]:
        """Original releases stored before their signatures were (an older store)."""
        rows = self.stream("releases r LEFT JOIN minhashes m ON m.release_id = r.id",
                           "r.duplicate_of IS NULL AND m.release_id IS NULL", key=("r.id",),
                           columns="r.*")
        return (_row_to_release(r) for r in rows)

    # -- input files (process --input) ---------------------------------------
    def remember_input(self, path: str, input_key: str, releases: list[tuple[str, str]]) -> None:
        """An input file read as ``input_key`` gave these (release id, content hash)."""
        with self.atomic() as db:
            db.execute("INSERT INTO inputs(path, input_key, releases) VALUES (?,?,?)"
                       " ON CONFLICT(path) DO UPDATE SET input_key=excluded.input_key,"
                       " releases=excluded.releases", (path, input_key, json.dumps(releases)))

    def input_releases(self, path: str, input_key: str) -> list[Release] | None:
        """The releases an unchanged input file gave last time, as stored; None
        when the file changed or any of its releases is not stored as it gave it."""
        rows = self.query("SELECT releases FROM inputs WHERE path=? AND input_key=?",
                          (path, input_key))
        if not rows:
            return None
        out = []
        for release_id, content_hash in json.loads(rows[0]["releases"]):
            release = self.get_release(release_id)
            if release is None or release.content_hash != content_hash:
                return None
            out.append(release)
        return out

    def release_ids(self) -> set[str]:
        return {r["id"] for r in self.query("SELECT id FROM releases")}

    def releases(self) -> Iterator[tuple[Release, str | None]]:
        """Every release with the id of the copy it duplicates, if any; oldest first."""
        rows = self.stream("releases", key=("COALESCE(date, '')", "id"))
        return ((_row_to_release(r), r["duplicate_of"]) for r in rows)

    def releases_to_process(self, force: bool = False) -> Iterator[Release]:
        """Releases with no record, or whose content changed since their record."""
        where = "r.duplicate_of IS NULL"
        if not force:
            where += " AND (x.id IS NULL OR x.release_hash != r.content_hash)"
        rows = self.stream("releases r LEFT JOIN records x ON x.id = r.id", where,
                           key=("r.id",), columns="r.*")
        return (_row_to_release(r) for r in rows)

    # -- records -----------------------------------------------------------
    def save_record(self, record: Record, release_hash: str, nlp_key: str | None = None,
                    classifier: str | None = None) -> None:
        self.save_records([(record, release_hash)], nlp_key, classifier)

    def save_records(self, records: list[tuple[Record, str]], nlp_key: str | None = None,
                     classifier: str | None = None) -> None:
        """Records with the hash of the release each was made from, and the
        versions of the stages that made them; all or none (one batch)."""
        stamp = now()
        with self.atomic() as db:
            db.executemany(
                """INSERT INTO records(id, release_hash, record, primary_theme, processed_at,
                                       nlp_key, classifier)
                   VALUES (?,?,?,?,?,?,?)
                   ON CONFLICT(id) DO UPDATE SET release_hash=excluded.release_hash,
                     record=excluded.record, primary_theme=excluded.primary_theme,
                     processed_at=excluded.processed_at, nlp_key=excluded.nlp_key,
                     classifier=excluded.classifier""",
                [(record.id, release_hash, record.to_json(), record.primary_theme, stamp,
                  nlp_key, classifier) for record, release_hash in records],
            )

    def work_to_do(self, nlp_key: str, classifier: str, force: bool = False
                   ) -> tuple[Iterator[Release], Iterator[tuple[Release, Record]]]:
        """What a run must redo, as two streams: releases for the whole pipeline
        (no record, content changed, entity stage changed, or a record with no
        themes whose classifier changed), and (release, record) pairs that only
        need their themes again (the classifier changed, the entities hold)."""
        if force:
            full = self.stream("releases r", "r.duplicate_of IS NULL", key=("r.id",),
                               columns="r.*")
            return (_row_to_release(r) for r in full), iter(())
        params = (nlp_key, classifier)
        full = self.stream(_WORK_FROM, f"{_NEED} = 'full'", params, key=("r.id",),
                           columns="r.*")
        stale = self.stream(_WORK_FROM, f"{_NEED} = 'themes'", params, key=("r.id",),
                            columns="r.*, x.record AS stored_record")
        return ((_row_to_release(r) for r in full),
                ((_row_to_release(r), Record.from_dict(json.loads(r["stored_record"])))
                 for r in stale))

    def count_work(self, nlp_key: str, classifier: str, force: bool = False) -> tuple[int, int]:
        """How many releases each stream of ``work_to_do`` gives (for a progress bar)."""
        if force:
            return self.query("SELECT COUNT(*) FROM releases WHERE duplicate_of IS NULL")[0][0], 0
        rows = self.query(f"SELECT {_NEED} AS need, COUNT(*) AS n FROM {_WORK_FROM}"
                          " GROUP BY need", (nlp_key, classifier))
        counts = {r["need"]: r["n"] for r in rows}
        return counts.get("full", 0), counts.get("themes", 0)

    def current_records(self, releases: list[Release], nlp_key: str, classifier: str
                        ) -> dict[str, Record]:
        """Of these releases, the stored records still current: same content,
        made by the same stages. Read in one query per batch."""
        if not releases:
            return {}
        wanted = {r.id: r.content_hash for r in releases}
        marks = ",".join("?" * len(wanted))
        rows = self.query(
            f"SELECT id, release_hash, record FROM records WHERE id IN ({marks})"
            " AND nlp_key IS ? AND classifier IS ?", (*wanted, nlp_key, classifier))
        return {r["id"]: Record.from_dict(json.loads(r["record"])) for r in rows
                if wanted[r["id"]] == r["release_hash"]}

    def records(self) -> Iterator[Record]:
        """Every output record, by id, one at a time."""
        rows = self.stream("records", key=("id",), columns="record")
        return (Record.from_dict(json.loads(r["record"])) for r in rows)

    def get_record(self, release_id: str) -> Record | None:
        rows = self.query("SELECT record FROM records WHERE id=?", (release_id,))
        return Record.from_dict(json.loads(rows[0]["record"])) if rows else None

    # -- reviews -----------------------------------------------------------
    def add_reviews(self, reviews: list[dict[str, Any]]) -> None:
        """Store archivists' corrections, all or none."""
        with self.atomic() as db:
            db.executemany(
                "INSERT INTO reviews(release_id, themes, primary_theme, reviewer, reviewed_at,"
                " note) VALUES (:release_id, :themes, :primary_theme, :reviewer, :reviewed_at,"
                " :note)",
                [
                    {**r, "themes": json.dumps(r["themes"]), "note": r.get("note")}
                    for r in reviews
                ],
            )

    def latest_reviews(self) -> list[dict[str, Any]]:
        """The newest review of each release, joined with its text."""
        rows = self.query(
            """SELECT v.release_id, v.themes, v.primary_theme, v.reviewer, v.reviewed_at,
                      r.title, r.body, r.contact_block
               FROM reviews v JOIN releases r ON r.id = v.release_id
               WHERE v.review_id = (SELECT MAX(review_id) FROM reviews w
                                    WHERE w.release_id = v.release_id)
               ORDER BY v.release_id"""
        )
        return [{**dict(r), "themes": json.loads(r["themes"])} for r in rows]

    # -- errors and runs ---------------------------------------------------
    def add_error(self, stage: str, subject: str, reason: str, run_id: int | None = None) -> None:
        with self.atomic() as db:
            db.execute(
                "INSERT INTO errors(run_id, stage, subject, reason, at) VALUES (?,?,?,?,?)",
                (run_id, stage, subject, reason, now()),
            )

    def errors(self, run_id: int | None = None) -> list[sqlite3.Row]:
        if run_id is None:
            return self.query("SELECT * FROM errors ORDER BY error_id")
        return self.query("SELECT * FROM errors WHERE run_id=? ORDER BY error_id", (run_id,))

    def start_run(self, command: str) -> int:
        with self.atomic() as db:
            cur = db.execute(
                "INSERT INTO runs(command, started_at) VALUES (?, ?)", (command, now())
            )
            return int(cur.lastrowid)

    def finish_run(self, run_id: int, summary: dict[str, Any]) -> None:
        with self.atomic() as db:
            db.execute(
                "UPDATE runs SET finished_at=?, summary=? WHERE run_id=?",
                (now(), json.dumps(summary), run_id),
            )


def _row_to_page(row: sqlite3.Row) -> Page:
    return Page(
        url=row["url"],
        fetched_at=row["fetched_at"],
        status=row["status"],
        html=zlib.decompress(row["html_gz"]).decode("utf-8"),
        headers=json.loads(row["headers"]),
        final_url=row["final_url"],
        source=row["source"],
    )


def _row_to_release(row: sqlite3.Row) -> Release:
    return Release(
        id=row["id"],
        title=row["title"],
        body=row["body"],
        url=row["url"],
        date=row["date"],
        dateline=row["dateline"],
        language=row["language"] or "en",
        contact_block=row["contact_block"],
        site_tags=json.loads(row["site_tags"]),
        kind=row["kind"] or "press_release",
        errors=json.loads(row["errors"]),
    )
