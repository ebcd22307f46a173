"""Datasette plugin for the archive: release ids as links, and a release's page.

A release's page (``/archive/releases/ID``, template
``row-archive-releases.html``) gets its text with the pipeline's own
entities marked (``pipeline.marks``: the spaCy pipeline runs on the text
once per page view, loaded on first use), its themes with scores and
evidence, its record's fields, links to the releases of the same countries
and themes, the archivists' corrections so far, and the correction form.
"""

from __future__ import annotations

import asyncio
import json
from functools import cache
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode
from markupsafe import Markup, escape

from pipeline.marks import COLOURS, STYLE, render
from pipeline.taxonomy import themes as taxonomy_themes

DATABASE = "archive"
ID_COLUMNS = {"id", "release_id", "copy_of"}


@cache
def _nlp(language: str):
    from pipeline.nlp import load_nlp

    return load_nlp(language)


def _marked_text(text: str, language: str | None = None) -> Markup:
    """The text marked by the pipeline of its language (pipeline/languages.json)."""
    from pipeline.languages import route
    from pipeline.marks import release_marks

    nlp = _nlp(route(language))
    return Markup("".join(render(piece, marks) for piece, marks in release_marks(text, nlp)))


def _release_url(datasette, release_id: str) -> str:
    return datasette.urls.row(DATABASE, "releases", tilde_encode(release_id))


def _archive_url(datasette, **filters: str) -> str:
    return datasette.urls.table(DATABASE, "archive") + "?" + urlencode(filters)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if database != DATABASE or column not in ID_COLUMNS or not isinstance(value, str):
        return None
    if table not in (None, "archive", "reviews"):
        return None
    return Markup(f'<a href="{escape(_release_url(datasette, value))}">{escape(value)}</a>')


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if view_name != "row" or database != DATABASE or table != "releases" or request is None:
        return {}

    async def release_page():
        release_id = tilde_decode(request.url_vars["pks"])
        db = datasette.get_database(DATABASE)
        rows = (await db.execute(
            "SELECT r.*, x.record FROM releases r LEFT JOIN records x ON x.id = r.id "
            "WHERE r.id = ?", [release_id])).rows
        if not rows:
            return {}
        row = dict(rows[0])
        record = json.loads(row["record"]) if row["record"] else {}
        text = "\n\n".join(p for p in (row["body"], row["contact_block"]) if p)
        try:
            loop = asyncio.get_running_loop()
            marked = await loop.run_in_executor(None, _marked_text, text, row.get("language"))
            marks_error = None
        except Exception as exc:  # no spaCy model here: the page still shows the text
            marked = render(text, [])
            marks_error = f"entities not marked: {type(exc).__name__}: {exc}"
        reviews = [dict(r) for r in (await db.execute(
            "SELECT themes, primary_theme, reviewer, reviewed_at, note FROM reviews "
            "WHERE release_id = ? ORDER BY review_id DESC", [release_id])).rows]
        names = {t["id"]: t["name"] for t in taxonomy_themes()}
        themes = [{**t, "name": names.get(t["id"], t["id"]),
                   "link": _archive_url(datasette, themes__arraycontains=t["id"])}
                  for t in record.get("themes", [])]
        countries = [{**c, "link": _archive_url(datasette, countries__arraycontains=c["iso3"])}
                     for c in record.get("countries", [])]
        return {
            "release": row, "record": record, "marked": marked, "marks_error": marks_error,
            "mark_style": STYLE, "colours": COLOURS, "themes": themes, "countries": countries,
            "reviews": reviews, "taxonomy": taxonomy_themes(),
            "json_url": _release_url(datasette, release_id) + ".json",
            "correct_url": datasette.urls.database(DATABASE) + "/correct",
            "primary_link": _archive_url(datasette, primary_theme=record.get("primary_theme") or ""),
        }

    return release_page
