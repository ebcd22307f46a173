"""The archivists' correction loop, as CSV files.

``export_reviews`` writes releases with their predicted themes, scores and
evidence, least certain first, so the first rows are the ones most worth a
person's time. An archivist edits the ``themes`` (ids separated by ``;``)
and ``primary_theme`` columns and fills ``reviewer``; ``import_reviews``
checks every row (known release id, known theme ids, primary among the
themes, a reviewer) and imports nothing from a file with an error, naming
each bad row by its line number.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pipeline.spreadsheet import original_cell, write_rows
from pipeline.store import Store, now
from pipeline.taxonomy import theme_ids

COLUMNS = ["id", "title", "date", "url", "predicted_themes", "predicted_primary", "certainty",
           "evidence", "themes", "primary_theme", "reviewer", "note"]


class ReviewFileError(ValueError):
    """A review CSV with bad rows; ``problems`` holds one line per row."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} bad row(s); nothing imported")
        self.problems = problems


def certainty(scores: dict[str, float], thresholds: dict[str, float]) -> float:
    """How far the least decided theme is from its threshold (0 = a coin toss)."""
    if not scores:
        return 0.0
    return round(min(abs(s - thresholds.get(t, 0.5)) for t, s in scores.items()), 4)


def export_reviews(store: Store, path: Path, thresholds: dict[str, float],
                   theme: str | None = None, since: str | None = None,
                   limit: int | None = None) -> int:
    rows = []
    for record in store.records():
        if theme and theme not in {t["id"] for t in record.themes}:
            continue
        if since and (record.date or "") < since:
            continue
        scores = {t["id"]: t["score"] for t in record.themes}
        full = record.theme_scores or scores
        rows.append({
            "id": record.id, "title": record.title, "date": record.date or "",
            "url": record.url or "",
            "predicted_themes": ";".join(t["id"] for t in record.themes),
            "predicted_primary": record.primary_theme or "",
            "certainty": certainty(full, thresholds),
            "evidence": " | ".join(f"{t['id']}: {', '.join(t.get('evidence') or [])}"
                                    for t in record.themes),
            "themes": ";".join(t["id"] for t in record.themes),
            "primary_theme": record.primary_theme or "",
            "reviewer": "", "note": "",
        })
    rows.sort(key=lambda r: (r["certainty"], r["id"]))
    if limit is not None:
        rows = rows[:limit]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        return write_rows(fh, COLUMNS, rows)


def _rows(path: Path):
    """(line number, row with every cell as the archivist meant it) of a review CSV.

    A file that is not a CSV this loop can read (not UTF-8, a cell past the
    csv module's field limit) is one problem naming the line, not a traceback.
    """
    lineno = 1  # where the row being read starts
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = {"id", "themes", "primary_theme"} - set(reader.fieldnames or [])
            if missing:
                raise ReviewFileError([f"{path}: missing columns {sorted(missing)}"])
            lineno = 2
            for row in reader:
                yield lineno, {k: original_cell(v) for k, v in row.items() if k is not None}
                lineno = reader.line_num + 1
    except csv.Error as exc:
        problem = f"{path}:{lineno}: not a readable review row ({exc})"
        raise ReviewFileError([problem]) from exc
    except UnicodeDecodeError as exc:
        problem = f"{path}: not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"
        raise ReviewFileError([problem]) from exc


def read_reviews(store: Store, path: Path, reviewer: str | None = None) -> list[dict]:
    """Validated reviews of a CSV; raises ReviewFileError listing every bad row."""
    valid = set(theme_ids())
    known = store.release_ids()
    problems, reviews = [], []
    for lineno, row in _rows(path):
        rid = (row.get("id") or "").strip()
        themes = [t.strip() for t in (row.get("themes") or "").split(";") if t.strip()]
        primary = (row.get("primary_theme") or "").strip()
        who = (row.get("reviewer") or "").strip() or reviewer
        where = f"{path}:{lineno}"
        if rid not in known:
            problems.append(f"{where}: unknown release id {rid!r}")
            continue
        bad = [t for t in themes + [primary] if t and t not in valid]
        if bad:
            problems.append(f"{where}: unknown theme id(s) {bad} for {rid}")
        elif not themes:
            problems.append(f"{where}: no themes for {rid}")
        elif primary not in themes:
            problems.append(f"{where}: primary {primary!r} is not among the themes of {rid}")
        elif not who:
            problems.append(f"{where}: no reviewer for {rid} (fill the column or pass --reviewer)")
        else:
            reviews.append({"release_id": rid, "themes": themes, "primary_theme": primary,
                            "reviewer": who, "reviewed_at": now(),
                            "note": (row.get("note") or "").strip() or None})
    if problems:
        raise ReviewFileError(problems)
    return reviews


def import_reviews(store: Store, path: Path, reviewer: str | None = None) -> int:
    reviews = read_reviews(store, path, reviewer)
    store.add_reviews(reviews)
    return len(reviews)
