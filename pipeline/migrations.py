"""Store migration steps added after the base schema, each named and idempotent.

``migrate(db)`` runs every step a store has not had yet and records it in
``meta`` (``migration.NAME`` = its version), so a store made before a step
gets it the first time it is opened, and opening an up-to-date store writes
nothing (a read-only store still opens). The steps live in the database
itself, as tables, triggers and views, so every writer keeps them in step,
whatever code it runs:

- ``search_index``: ``releases_fts``, an FTS5 index over headline, text
  (body and contact block), officials (name and title) and organisations,
  one row per release with the release's rowid; triggers on ``releases``
  and ``records`` keep it in step on every insert, update and delete.
- ``review_checks``: a ``taxonomy`` table of the theme ids, and triggers that
  refuse a review with an unknown theme id, no theme, a primary theme not
  among its themes, no reviewer, or an unknown release, so a correction
  typed in the browser is checked by the database as ``review import``
  checks a CSV.
- ``archive_view``: ``archive``, one row per release shaped for faceting
  (year, site, language, primary theme, themes and countries as JSON arrays),
  and ``theme_thresholds``, the model's thresholds, which ``browse`` copies
  from the model card for its "least certain" query.
"""

from __future__ import annotations

import sqlite3

from pipeline.taxonomy import themes as taxonomy_themes

# Officials and organisations of a record, as text for the index.
_OFFICIALS = """(SELECT group_concat(trim(coalesce(json_extract(o.value, '$.name'), '') || ' ' ||
                                      coalesce(json_extract(o.value, '$.title'), '')), ' | ')
                 FROM json_each({record}, '$.officials') o)"""
_ORGANISATIONS = """(SELECT group_concat(o.value, ' | ') FROM json_each({record}, '$.organizations') o)"""
_TEXT = "NEW.body || coalesce(char(10) || char(10) || NEW.contact_block, '')"
_OF_RELEASE = "(SELECT x.record FROM records x WHERE x.id = NEW.id)"

# A release's row in the index, from the release and its record.
_INDEX_RELEASE = f"""
    INSERT INTO releases_fts(rowid, title, text, officials, organisations)
    VALUES (NEW.rowid, NEW.title, {_TEXT},
            coalesce({_OFFICIALS.format(record=_OF_RELEASE)}, ''),
            coalesce({_ORGANISATIONS.format(record=_OF_RELEASE)}, ''));"""
# A record's officials and organisations into its release's row.
_INDEX_RECORD = f"""
    UPDATE releases_fts
       SET officials = coalesce({_OFFICIALS.format(record="NEW.record")}, ''),
           organisations = coalesce({_ORGANISATIONS.format(record="NEW.record")}, '')
     WHERE rowid = (SELECT rowid FROM releases WHERE id = NEW.id);"""

SEARCH_INDEX = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS releases_fts USING fts5(
    title, text, officials, organisations,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS releases_fts_insert AFTER INSERT ON releases BEGIN{_INDEX_RELEASE}
END;
CREATE TRIGGER IF NOT EXISTS releases_fts_update AFTER UPDATE ON releases BEGIN
    DELETE FROM releases_fts WHERE rowid = OLD.rowid;{_INDEX_RELEASE}
END;
CREATE TRIGGER IF NOT EXISTS releases_fts_delete AFTER DELETE ON releases BEGIN
    DELETE FROM releases_fts WHERE rowid = OLD.rowid;
END;
CREATE TRIGGER IF NOT EXISTS records_fts_insert AFTER INSERT ON records BEGIN{_INDEX_RECORD}
END;
CREATE TRIGGER IF NOT EXISTS records_fts_update AFTER UPDATE ON records BEGIN{_INDEX_RECORD}
END;
CREATE TRIGGER IF NOT EXISTS records_fts_delete AFTER DELETE ON records BEGIN
    UPDATE releases_fts SET officials = '', organisations = ''
     WHERE rowid = (SELECT rowid FROM releases WHERE id = OLD.id);
END;
DELETE FROM releases_fts;
INSERT INTO releases_fts(rowid, title, text, officials, organisations)
SELECT r.rowid, r.title, r.body || coalesce(char(10) || char(10) || r.contact_block, ''),
       coalesce({_OFFICIALS.format(record="x.record")}, ''),
       coalesce({_ORGANISATIONS.format(record="x.record")}, '')
  FROM releases r LEFT JOIN records x ON x.id = r.id;
"""

_REVIEW_CHECK = """
    SELECT RAISE(ABORT, 'themes must be a JSON list of theme ids')
     WHERE CASE WHEN json_valid(NEW.themes) THEN json_type(NEW.themes) != 'array'
                ELSE 1 END;
    SELECT RAISE(ABORT, 'a review needs at least one theme')
     WHERE json_array_length(NEW.themes) = 0;
    SELECT RAISE(ABORT, 'unknown theme id (see the taxonomy table)')
     WHERE EXISTS (SELECT 1 FROM json_each(NEW.themes) t
                    WHERE t.type != 'text' OR t.value NOT IN (SELECT id FROM taxonomy));
    SELECT RAISE(ABORT, 'the primary theme must be one of the themes')
     WHERE NEW.primary_theme IS NOT NULL
       AND NEW.primary_theme NOT IN (SELECT value FROM json_each(NEW.themes));
    SELECT RAISE(ABORT, 'a review needs the reviewer''s name')
     WHERE trim(coalesce(NEW.reviewer, '')) = '';
    SELECT RAISE(ABORT, 'unknown release id')
     WHERE NOT EXISTS (SELECT 1 FROM releases WHERE id = NEW.release_id);
"""

REVIEW_CHECKS = f"""
CREATE TABLE IF NOT EXISTS taxonomy (id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS reviews_check_insert BEFORE INSERT ON reviews BEGIN
{_REVIEW_CHECK}
END;
CREATE TRIGGER IF NOT EXISTS reviews_check_update BEFORE UPDATE ON reviews BEGIN
{_REVIEW_CHECK}
END;
"""

# substr after "scheme://", up to the first "/": the site a release came from.
# The record's fields come from subqueries, not a LEFT JOIN: SQLite 3.40 finds
# no rows when Datasette's array facet runs json_each over a view with one.
_REST = "substr(r.url, instr(r.url, '://') + 3)"
ARCHIVE_VIEW = f"""
CREATE TABLE IF NOT EXISTS theme_thresholds (theme TEXT PRIMARY KEY, threshold REAL NOT NULL);
DROP VIEW IF EXISTS archive;
CREATE VIEW archive AS
SELECT r.rowid AS n, r.id, r.title, r.date, substr(r.date, 1, 4) AS year,
       CASE WHEN instr(r.url, '://') = 0 THEN NULL
            WHEN instr({_REST}, '/') = 0 THEN {_REST}
            ELSE substr({_REST}, 1, instr({_REST}, '/') - 1) END AS site,
       r.language, (SELECT x.primary_theme FROM records x WHERE x.id = r.id) AS primary_theme,
       (SELECT json_group_array(json_extract(t.value, '$.id'))
          FROM records x, json_each(x.record, '$.themes') t WHERE x.id = r.id) AS themes,
       (SELECT json_group_array(json_extract(c.value, '$.iso3'))
          FROM records x, json_each(x.record, '$.countries') c WHERE x.id = r.id) AS countries,
       r.dateline, r.url
  FROM releases r
 WHERE r.duplicate_of IS NULL;
"""

STEPS: dict[str, tuple[int, str]] = {
    "search_index": (1, SEARCH_INDEX),
    "review_checks": (1, REVIEW_CHECKS),
    "archive_view": (3, ARCHIVE_VIEW),
}


def migrate(db: sqlite3.Connection) -> list[str]:
    """Run the steps this store lacks, each in one transaction; the names of those run."""
    done = {r[0]: int(r[1]) for r in db.execute(
        "SELECT key, value FROM meta WHERE key LIKE 'migration.%'")}
    ran = []
    for name, (version, sql) in STEPS.items():
        if done.get(f"migration.{name}", 0) >= version:
            continue
        # executescript commits first; the step's own statements are one transaction.
        try:
            db.executescript(f"BEGIN IMMEDIATE;\n{sql}\n"
                             f"INSERT OR REPLACE INTO meta(key, value) "
                             f"VALUES ('migration.{name}', '{version}');\nCOMMIT;")
        except sqlite3.Error:
            if db.in_transaction:
                db.rollback()
            raise
        ran.append(name)
    _sync_taxonomy(db)
    return ran


def _sync_taxonomy(db: sqlite3.Connection) -> None:
    """The taxonomy table as taxonomy.json says, written only when they differ."""
    wanted = sorted((t["id"], t["name"]) for t in taxonomy_themes())
    have = sorted(tuple(r) for r in db.execute("SELECT id, name FROM taxonomy"))
    if have == wanted:
        return
    with db:
        db.execute("DELETE FROM taxonomy")
        db.executemany("INSERT INTO taxonomy(id, name) VALUES (?, ?)", wanted)
