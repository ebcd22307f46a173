"""Full-text search of the store: the FTS5 index of ``migrations.SEARCH_INDEX``.

The same index Datasette's search box uses (``browse``), here as a library
function for ``python -m pipeline search``. What a person types is read as
words (and "quoted phrases"), every one required, never as FTS5 syntax, so
a stray quote or hyphen in a query is a word, not an error. Hits are ranked
by bm25 with the headline weighted above officials and organisations, and
those above the body text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from pipeline.store import Store

# bm25 weights of the index's columns: title, text, officials, organisations.
WEIGHTS = (10.0, 1.0, 4.0, 4.0)
_TERM = re.compile(r'"([^"]+)"|([^\s"]+)')


@dataclass
class Hit:
    id: str
    title: str
    date: str | None
    url: str | None
    rank: float
    snippet: str
    primary_theme: str | None = None
    themes: list[dict] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)


def match_expression(query: str) -> str:
    """``query`` as an FTS5 expression: each word or "phrase" quoted, all required."""
    terms = []
    for phrase, word in _TERM.findall(query):
        text = (phrase or word).strip()
        if re.search(r"\w", text):
            terms.append('"' + text.replace('"', '""') + '"')
    return " ".join(terms)


def search(store: Store, query: str, theme: str | None = None, country: str | None = None,
           since: str | None = None, limit: int = 20) -> list[Hit]:
    """Releases matching every word of ``query``, best first.

    ``theme``: only releases the model gave that theme id; ``country``: only
    releases naming that ISO3 country; ``since``: dated on or after YYYY-MM-DD.
    """
    expression = match_expression(query)
    if not expression:
        return []
    rows = store.query(
        f"""SELECT r.id, r.title, r.date, r.url, x.record,
                   bm25(releases_fts, {', '.join(map(str, WEIGHTS))}) AS rank,
                   snippet(releases_fts, 1, '[', ']', '…', 12) AS snippet
              FROM releases_fts
              JOIN releases r ON r.rowid = releases_fts.rowid
              LEFT JOIN records x ON x.id = r.id
             WHERE releases_fts MATCH :match
               AND r.duplicate_of IS NULL
               AND (:theme IS NULL OR EXISTS (
                    SELECT 1 FROM json_each(x.record, '$.themes') t
                     WHERE json_extract(t.value, '$.id') = :theme))
               AND (:country IS NULL OR EXISTS (
                    SELECT 1 FROM json_each(x.record, '$.countries') c
                     WHERE json_extract(c.value, '$.iso3') = :country))
               AND (:since IS NULL OR r.date >= :since)
             ORDER BY rank, r.id
             LIMIT :limit""",
        {"match": expression, "theme": theme, "country": country.upper() if country else None,
         "since": since, "limit": limit},
    )
    hits = []
    for row in rows:
        record = json.loads(row["record"]) if row["record"] else {}
        hits.append(Hit(
            id=row["id"], title=row["title"], date=row["date"], url=row["url"],
            rank=round(row["rank"], 3), snippet=" ".join(row["snippet"].split()),
            primary_theme=record.get("primary_theme"),
            themes=[{"id": t["id"], "score": t["score"]} for t in record.get("themes", [])],
            countries=[c["iso3"] for c in record.get("countries", [])],
        ))
    return hits
