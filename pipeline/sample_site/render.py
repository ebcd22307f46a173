"""Turning planned pages into bytes: article bodies, chrome, listings, feeds.

The markup lives in ``templates/`` (Jinja2, autoescaped) and the chrome
texts in ``chrome.json``; this module only computes what the templates show.
A gold text becomes the body paragraph by paragraph, with the contact block
at its end as the real sites print it; some bodies get a photo with a
caption and credit after the lead, as real pages do. Choices that vary
between pages (which photo, which credit form, the time of day a release was
posted) come from a hash of the release id, never from a random generator.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from datetime import date as Date
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pycountry
from jinja2 import Environment, FileSystemLoader

from .plan import Article, Site, digest, load_data, site_for_host, slugify

_TEMPLATES = Path(__file__).with_name("templates")
FEED_ITEMS = 20
TEASER_CHARS = 200


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["slugify"] = slugify
    return env


# --- text pieces -----------------------------------------------------------


def paragraphs(text: str) -> list[str]:
    return [p.strip("\n") for p in text.split("\n\n") if p.strip()]


def contact_start(paras: list[str]) -> int:
    """Index of the first contact paragraph (len(paras) when there is none)."""
    markers = tuple(m.lower() for m in load_data("chrome.json")["contact_markers"])
    for i, para in enumerate(paras):
        if i and para.lstrip().lower().startswith(markers):
            return i
    return len(paras)


def _paragraph_block(para: str, kind: str) -> dict[str, Any]:
    lines = para.split("\n")
    stripped = para.strip()
    if (
        kind == "pbn"
        and len(lines) == 1
        and len(stripped) < 140
        and not stripped.endswith((".", "!", "?", ":", "”", '"', ")"))
    ):
        return {"type": "subhead", "lines": [stripped]}
    # Hard-wrapped text keeps its newlines inside the paragraph, as old pages
    # do; short lines (a contact block, one item a line) become <br> lines.
    wrapped = len(lines) > 1 and all(len(line) >= 45 for line in lines[:-1])
    return {"type": "p", "lines": lines, "wrapped": wrapped}


def _figure(article: Article) -> dict[str, Any] | None:
    key = article.gold_ids[0] if article.gold_ids else article.path
    if digest("figure", key) % 3 == 0:
        return None
    photo = load_data("chrome.json")["photo"]
    name = photo["names"][digest("photographer", key) % len(photo["names"])]
    caption = photo["captions"][digest("caption", key) % len(photo["captions"])]
    year = (article.date or "2020")[:4]
    if digest("credit", key) % 2:
        return {"type": "figure", "alt": caption, "caption": caption, "credit": f"©IOM/{name} {year}"}
    return {"type": "figure", "alt": caption, "caption": f"{caption} Photo: IOM/{name}", "credit": ""}


def body_blocks(article: Article) -> list[dict[str, Any]]:
    chrome = load_data("chrome.json")
    paras = paragraphs(article.text)
    cut = contact_start(paras)
    body, contact = paras[:cut], paras[cut:]
    if article.duplicate_of:
        office = site_office(article)
        body.append(chrome["duplicate_note"].format(office=office))
    blocks = [_paragraph_block(p, article.kind) for p in body]
    # The seed page must flatten to exactly the real page's text, which has no photo.
    # (nor do the French pages: the photo captions are written in English).
    shown = len(body) >= 3 and not article.seed_chrome and not article.french
    figure = _figure(article) if shown else None
    if figure:
        blocks.insert(1, figure)
    if contact and article.layout == "country":
        blocks.append({"type": "separator", "lines": [chrome["country"]["contact_separator"]]})
    blocks.extend(_paragraph_block(p, article.kind) for p in contact)
    return blocks


def site_office(article: Article) -> str:
    return site_for_host(article.record.get("site") or "www.iom.int").office


def teaser(text: str) -> str:
    paras = [p for p in paragraphs(text) if len(p) >= 60] or paragraphs(text) or [""]
    first = " ".join(paras[0].split())
    if len(first) <= TEASER_CHARS:
        return first
    return first[:TEASER_CHARS].rsplit(" ", 1)[0] + "…"


# --- dates -----------------------------------------------------------------


def posted_time(key: str) -> tuple[int, int]:
    """Hour and minute a release was posted: office hours, from its id."""
    value = digest("posted", key)
    return 8 + value % 11, (value // 11) % 60


def _parse(date: str | None) -> Date | None:
    try:
        return Date.fromisoformat(date) if date else None
    except ValueError:
        return None


def date_display(date: str | None, layout: str, language: str, key: str) -> str:
    day = _parse(date)
    if day is None:
        return ""
    if layout == "drupal7":
        d7 = load_data("chrome.json")["drupal7"]
        hour, minute = posted_time(key)
        weekday = d7["weekdays"][day.weekday()]
        month = d7["months"][day.month - 1]
        return f"{weekday}, {month} {day.day}, {day.year} - {hour:02d}:{minute:02d}"
    months = load_data("chrome.json")["global"][language]["date_months"]
    return f"{day.day} {months[day.month - 1]} {day.year}"


def datetime_of(date: str | None, key: str) -> datetime | None:
    day = _parse(date)
    if day is None:
        return None
    hour, minute = posted_time(key)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


# --- pages -----------------------------------------------------------------


def _resolve(text: str, site: Site) -> str:
    chrome = load_data("chrome.json")
    values = {"local_sentence": site.local_sentence, **chrome}
    return re.sub(r"@(\w+)", lambda m: str(values.get(m.group(1), m.group(0))), text).strip()


def _menu(items: list[dict[str, Any]], site: Site) -> list[dict[str, Any]]:
    return [{**item, "intro": _resolve(item["intro"], site)} if "intro" in item else item
            for item in items]


def _region_country(article: Article) -> str:
    for code in article.record.get("countries") or []:
        country = pycountry.countries.get(alpha_3=code)
        if country is not None:
            return getattr(country, "common_name", country.name)
    return article.site.name if article.site.scope == "country" else ""


class Renderer:
    """Renders pages of every layout; one instance per build (templates cached)."""

    def __init__(self) -> None:
        self.env = environment()
        self.chrome = load_data("chrome.json")

    def _site_context(self, site: Site, layout: str) -> dict[str, Any]:
        ctx: dict[str, Any] = {
            "site": site,
            "home": site.home,
            "lang": site.language,
            "feed_path": site.server_path(site.feed_path),
            "listing_path": site.server_path(site.listing_path),
        }
        if layout == "global":
            chrome = dict(self.chrome["global"][site.language])
            chrome["menu"] = _menu(chrome["menu"], site)
            ctx["c"] = chrome
        elif layout == "country":
            chrome = self.chrome["country"]
            ctx["c"] = chrome
            ctx["menu"] = _menu(chrome["menu"], site)
            ctx["menu_plain"] = chrome["menu_plain"]
        else:
            ctx["c"] = self.chrome["drupal7"]
        return ctx

    def article(self, article: Article) -> str:
        key = article.gold_ids[0] if article.gold_ids else article.path
        language = article.site.language
        when = datetime_of(article.date, key)
        labels = self.chrome["global"][language]["type_labels"]
        d7 = self.chrome["drupal7"]
        data = {
            "title": article.title,
            "canonical": article.canonical,
            "node_id": article.node_id,
            "teaser": teaser(article.text),
            "date": article.date,
            "date_display": date_display(article.date, article.layout, language, key),
            "datetime_iso": when.isoformat() if when else "",
            "blocks": body_blocks(article),
            "tags": [{"label": t, "slug": slugify(t)} for t in article.record.get("site_tags") or []],
            "related": [{"path": r.path, "title": r.title} for r in article.related],
            "type_label": labels.get(article.kind, labels["press_release"]),
            "region_country": _region_country(article),
            "release_type": d7["type_values"][article.site.scope],
            "category": d7["categories"].get(article.kind, d7["categories"]["press_release"]),
            "jsonld": self._jsonld(article, when) if article.layout == "global" else "",
        }
        template = self.env.get_template(f"{article.layout}/article.html.j2")
        return template.render(a=data, **self._site_context(article.site, article.layout))

    def _jsonld(self, article: Article, when: datetime | None) -> str:
        if when is None:
            return ""
        doc = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "datePublished": when.isoformat(),
            "inLanguage": article.site.language,
            "url": article.canonical,
            "publisher": {"@type": "Organization", "name": "International Organization for Migration"},
        }
        # "</" inside a script element would end it early.
        return json.dumps(doc, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")

    def listing(self, site: Site, cards: list[dict[str, Any]], page: int, pages: int) -> str:
        template = self.env.get_template(f"{site.layout}/listing.html.j2")
        return template.render(cards=cards, page=page, pages=pages,
                               **self._site_context(site, site.layout))

    def card(self, site: Site, title: str, href: str, date: str | None, tag: str,
             key: str, text: str = "") -> dict[str, Any]:
        return {
            "title": title,
            "href": href,
            "date": date,
            "date_display": date_display(date, site.layout, site.language, key),
            "tag": tag,
            "teaser": teaser(text) if text else "",
        }

    def feed(self, site: Site, articles: list[Article], base: str) -> str:
        items = []
        for article in articles[:FEED_ITEMS]:
            key = article.gold_ids[0] if article.gold_ids else article.path
            when = datetime_of(article.date, key)
            items.append({
                "title": article.title,
                "path": article.path,
                "canonical": article.canonical,
                "teaser": teaser(article.text),
                "pub_date": format_datetime(when) if when else "",
            })
        return self.env.get_template("feed.xml.j2").render(
            title=f"{site.office} - News",
            description=f"Press releases published by {site.office}",
            lang=site.language,
            base=base,
            listing_path=site.server_path(site.listing_path),
            feed_path=site.server_path(site.feed_path),
            creator=site.office,
            items=items,
        )

    def render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**context)
