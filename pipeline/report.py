"""The HTML report: what the archive holds, at a glance.

Counts per theme (primary and any) in inline SVG, themes over time (per
year, or per month when the archive spans less than three years) as a heat
table, releases per country as bars, the errors of the latest runs, and a
table of releases with their primary theme, themes, countries and officials.
One file, nothing fetched: a few lines of inline script filter the table by
theme and country and recount the time table and the country bars for what
is shown (without script, everything is shown). Rendered with jinja2,
autoescape on: release text is data, never markup, the script reads it only
as text (``textContent``, data attributes), and only http(s) URLs become
links (``web_url``). ``release_view``
is one release for an archivist checking the extraction: its text with the
pipeline's own entities marked in their categories (``marks``), beside the
record's fields and the evidence of each theme.
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
        {"key": k, "label": (names or {}).get(k, k), "count": n, "width": round(300 * n / peak)}
        for k, n in top
    ]


NO_DATE = "no date"


def period_of(date: str | None, by: str) -> str:
    """The year (``by="year"``) or month of a YYYY-MM-DD date."""
    if not date:
        return NO_DATE
    return date[:4] if by == "year" else date[:7]


def themes_over_time(records: list, by: str) -> dict:
    """Releases per theme (any theme given) per period, as rows of a heat table."""
    periods = sorted({period_of(r.date, by) for r in records} - {NO_DATE})
    if any(not r.date for r in records):
        periods.append(NO_DATE)
    counts = Counter((t["id"], period_of(r.date, by)) for r in records for t in r.themes)
    peak = max(counts.values(), default=1)
    rows = [{"theme": t["id"], "name": t["name"],
             "cells": [{"period": p, "count": counts[(t["id"], p)],
                        "shade": round(counts[(t["id"], p)] / peak, 3)} for p in periods]}
            for t in taxonomy_themes()]
    return {"by": by, "periods": periods, "rows": rows, "peak": peak}


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
    years = {r.date[:4] for r in records if r.date}
    by = "year" if len(years) >= 3 else "month"
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
        countries=_bars(countries, country_names, limit=40),
        country_options=sorted(country_names.items(), key=lambda kv: kv[1]),
        over_time=themes_over_time(records, by),
        period_of=lambda d: period_of(d, by),
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
    """One release's page: the pipeline's entities marked, record fields, theme evidence.
    ``nlp``: the pipeline to mark with (default: the release's language's)."""
    from pipeline.languages import route
    from pipeline.marks import COLOURS, STYLE, render_release
    from pipeline.nlp import load_nlp

    release = store.get_release(release_id)
    record = store.get_record(release_id)
    if release is None or record is None:
        return None
    nlp = nlp or load_nlp(route(release.language))
    names = {t["id"]: t["name"] for t in taxonomy_themes()}
    return _env().get_template("release.html.j2").render(
        record=record, marked=render_release(release.text, nlp), theme_names=names,
        mark_style=STYLE, colours=COLOURS)
