"""A release's text with the pipeline's own entities marked, as HTML.

The marks come from the span groups our spaCy components write
(``doc.spans["countries"]``, ``["ministries"]``…), each in its own
category with the detail the record keeps (a country's ISO3, an official's
title, a ministry's expanded name, a sum's currency and value), never from
the base model's raw labels (which call a ministry WORK_OF_ART). The text is
read exactly as the entity stage reads it (``prepare``, then ``pieces``),
so what is marked is what the record was made from. Every character of the
text is escaped: the only markup is ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

# Category of each span group, and the order in which overlapping spans win.
CATEGORIES = {
    "contacts": "contact",
    "officials": "official",
    "ministries": "ministry",
    "amounts": "amount",
    "countries": "country",
    "cities": "city",
    "organizations": "organisation",
}
COLOURS = {
    "country": "#bfe1ff", "city": "#d7f5c8", "ministry": "#ffe3a8", "official": "#f6c7e8",
    "contact": "#e0d4ff", "amount": "#ffd0c2", "organisation": "#e6e6e6",
}


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    category: str
    detail: str | None = None


def _detail(group: str, span) -> str | None:
    ext = span._
    if group in ("countries", "cities"):
        return ext.iso3
    if group == "ministries":
        return ext.expanded if ext.expanded and ext.expanded != span.text else None
    if group == "officials":
        return ext.title
    if group == "contacts":
        return ext.email or ext.office
    if group == "amounts":
        if ext.currency and ext.value is not None:
            return f"{ext.currency} {ext.value:,.0f}"
        return ext.currency
    return None


def doc_marks(doc) -> list[Mark]:
    """The spans of our groups in ``doc``, one per stretch of text (first category wins)."""
    found = []
    for rank, (group, category) in enumerate(CATEGORIES.items()):
        for span in doc.spans.get(group, []):
            found.append((rank, Mark(span.start_char, span.end_char, category,
                                     _detail(group, span))))
    taken: list[Mark] = []
    for _, mark in sorted(found, key=lambda f: (f[0], f[1].start)):
        if all(mark.end <= t.start or mark.start >= t.end for t in taken):
            taken.append(mark)
    return sorted(taken, key=lambda m: m.start)


def release_marks(text: str, nlp) -> list[tuple[str, list[Mark]]]:
    """The text as the entity stage reads it, in pieces, each with its marks."""
    from pipeline.nlp import pieces
    from pipeline.nlp.text import prepare

    parts = pieces(prepare(text))
    return [(doc.text, doc_marks(doc)) for doc in nlp.pipe(parts)]


def render(text: str, marks: list[Mark]) -> Markup:
    """``text`` as escaped HTML paragraphs with ``marks`` as labelled <mark> elements."""
    out, at = [], 0
    for m in marks:
        out.append(escape(text[at:m.start]))
        label = m.category.upper() + (f" {m.detail}" if m.detail else "")
        out.append(f'<mark class="ent ent-{m.category}" data-category="{m.category}" '
                   f'style="background:{COLOURS[m.category]}">{escape(text[m.start:m.end])}'
                   f' <span class="ent-label">{escape(label)}</span></mark>')
        at = m.end
    out.append(escape(text[at:]))
    html = "".join(out)
    paragraphs = [p.strip() for p in html.split("\n\n") if p.strip()]
    return Markup("".join(f"<p>{p}</p>\n" for p in paragraphs))


def render_release(text: str, nlp) -> Markup:
    return Markup("".join(render(piece, marks) for piece, marks in release_marks(text, nlp)))


STYLE = """
mark.ent { padding: 0 .25em; border-radius: .3em; line-height: 1.9; }
mark.ent .ent-label { font-size: .68em; font-weight: bold; letter-spacing: .03em;
  text-transform: none; margin-left: .2em; color: #333; }
"""
