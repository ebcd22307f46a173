"""The HTML report: what the archive holds, at a glance.

Counts per theme (primary and any) and per country as bar charts drawn in
inline SVG (no plotting library, no script), the errors of the latest runs,
and a table of releases with their primary theme, themes, countries and
officials. Rendered with jinja2, autoescape on: release text is data, never
markup, and only http(s) URLs become links (``web_url``). ``release_view``
is one release for an archivist checking the extraction: its text with the
entities the model saw marked by displaCy, beside the record's fields and
the evidence of each theme.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

from pipeline.store import Store
from pipeline.taxonomy import themes as taxonomy_themes


def web_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address with a host, else None: a scraped
    ``javascript:`` or ``data:`` URL is shown as text, never made a link."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _env() -> Environment:
    env = Environment(loader=PackageLoader("pipeline", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    env.filters["web_url"] = web_url
    return env


def _bars(counts: Counter, names: dict[str, str] | None = None, limit: int = 25) -> list[dict]:
    top = counts.most_common(limit)
    peak = max((n for _, n in top), default=1)
    return [
        {"label": (names or {}).get(k, k), "count": n, "width": round(300 * n / peak)}
        for k, n in top
    ]


def build_report(store: Store) -> str:
    records = list(store.records())
    names = {t["id"]: t["name"] for t in taxonomy_themes()}
    primary = Counter(r.primary_theme for r in records if r.primary_theme)
    any_theme = Counter(t["id"] for r in records for t in r.themes)
    languages = Counter(r.language or "en" for r in records)
    countries = Counter()
    country_names = {}
    for r in records:
        for c in r.countries:
            countries[c["iso3"]] += 1
            country_names[c["iso3"]] = c["name"]
    errors = [dict(e) for e in store.query(
        "SELECT stage, subject, reason, at FROM errors ORDER BY error_id DESC LIMIT 200")]
    runs = [dict(r) for r in store.query(
        "SELECT run_id, command, started_at, finished_at FROM runs ORDER BY run_id DESC LIMIT 10")]
    return _env().get_template("report.html.j2").render(
        n_records=len(records),
        n_pages=store.count("pages"),
        n_failed=sum(1 for r in records if r.errors),
        languages=sorted(languages.items(), key=lambda kv: -kv[1]),
        primary=_bars(primary, names),
        any_theme=_bars(any_theme, names),
        countries=_bars(countries, country_names),
        records=sorted(records, key=lambda r: (r.date or "", r.id), reverse=True),
        theme_names=names,
        errors=errors,
        runs=runs,
    )


def write_report(store: Store, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(build_report(store), encoding="utf-8")
    tmp.replace(path)
    return path


def release_view(store: Store, release_id: str, nlp=None) -> str | None:
    """One release's page: displaCy entity marks, record fields, theme evidence.
    ``nlp``: the pipeline to mark with (default: the release's language's)."""
    from markupsafe import Markup
    from spacy import displacy

    from pipeline.languages import route
    from pipeline.nlp import load_nlp

    release = store.get_release(release_id)
    record = store.get_record(release_id)
    if release is None or record is None:
        return None
    doc = (nlp or load_nlp(route(release.language)))(release.text)
    # displaCy escapes the text itself; its markup is ours to trust.
    marked = Markup(displacy.render(doc, style="ent", page=False, jupyter=False))
    names = {t["id"]: t["name"] for t in taxonomy_themes()}
    return _env().get_template("release.html.j2").render(
        record=record, marked=marked, theme_names=names)
