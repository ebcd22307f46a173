"""HTML page -> Release(s): site profile selectors first, then the fallback.

The chain, from precise to forgiving: the site profile names the title,
the body, the date and the furniture to drop (``pipeline/sites``); the
furniture is cut out of the DOM (profile drops, then tags and class names
that always mark it: share, cookie, related, captions); when no profile
matches or its body selector finds nothing, ``fallback.find_article``
picks the densest block of prose. What survives is flattened to
paragraphs (block elements end a paragraph, ``<br>`` ends a line) and goes
through the same text-level rules as plain text (``text.py``), so chrome
the selectors missed is still caught.

Pages that hold several releases give one Release each, with ids
``<page id>#N``: Drupal 7 aggregator pages (each ``items`` element of the
profile with its own title and body) and press briefing notes (a page
whose title, type label or category says so, split at its headings).

A page that is merely odd never raises: an empty page gives one Release
with ``errors == ["empty page"]``; a page with no article text gives one
with ``"no article body found"`` (and whatever title and date it had).
The batch records these and goes on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

from pipeline.clean import fallback
from pipeline.clean.ids import release_id_for_url
from pipeline.clean.metadata import (
    json_ld_fields,
    meta_content,
    meta_date,
    parse_date,
    parse_metadata_line,
)
from pipeline.clean.release import PBN_MARKERS, assemble_release, failed_release
from pipeline.clean.selectors import Selectable, select, select_first_in_order
from pipeline.clean.text import clean_paragraphs, normalize
from pipeline.records import Page, Release
from pipeline.sites import SiteProfile, profile_for

_BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol p pre "
    "section summary table tbody td tfoot th thead tr ul".split()
)
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_BREAK = "\u2028"  # survives whitespace collapsing, becomes "\n" after it
_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_TITLE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]*(?:IOM|OIM|Migration|Migraciones|Migrazioni)[^|]*$")
_TAG_LABELS = {
    "themes": "Themes", "theme": "Themes", "thèmes": "Themes", "temas": "Themes",
    "temi": "Themes", "region-country": "Region-Country", "region/country": "Region-Country",
    "région-pays": "Region-Country", "región-país": "Region-Country",
    "regione-paese": "Region-Country",
}


@dataclass
class Block:
    text: str
    heading: bool = False


@dataclass
class PageContext:
    """What the page says about itself, outside the article body."""

    url: str
    page_id: str
    title: str = ""
    date: str | None = None
    language: str | None = None
    site_tags: dict[str, list[str]] = field(default_factory=dict)
    categories: list[str] = field(default_factory=list)
    kind_label: str = ""


def clean_page(page: Page, profile: SiteProfile | None = None) -> list[Release]:
    """The release(s) on a fetched page. Never raises for a merely odd page."""
    url = page.final_url or page.url
    if not (page.html or "").strip():
        return [failed_release(release_id_for_url(url), url, "empty page")]
    try:
        doc = _parse(page.html)
    except (etree.ParserError, ValueError) as exc:
        return [failed_release(release_id_for_url(url), url, f"unparsable HTML: {exc}")]
    if doc is None:
        return [failed_release(release_id_for_url(url), url, "empty page")]
    try:
        return _clean_document(doc, url, profile)
    except RecursionError:
        return [failed_release(release_id_for_url(url), url, "HTML nested too deeply")]


def _parse(html: str):
    html = _XML_DECLARATION.sub("", html, count=1)
    if not html.strip():
        return None
    return lxml_html.document_fromstring(html)


def _clean_document(doc, url: str, profile: SiteProfile | None) -> list[Release]:
    profile = profile or profile_for(url=url, soup=Selectable(doc))
    article = profile.article if profile else {}
    canonical = _canonical(doc, url)
    context = PageContext(url=canonical, page_id=release_id_for_url(canonical))
    _read_page_metadata(doc, article, context, profile)

    items = _aggregator_items(doc, article)
    if items:
        releases = [
            _item_release(item, n, context, article) for n, item in enumerate(items, 1)
        ]
        return [r for r in releases if r is not None] or [
            failed_release(context.page_id, canonical, "no article body found", context.title)
        ]

    body = select_first_in_order(doc, article.get("body")) if article else None
    blocks = _blocks(_prune(body, article)) if body is not None else []
    if not _has_text(blocks):
        _prune_page(doc)
        body = fallback.find_article(doc)
        blocks = _blocks(_prune(body, article)) if body is not None else []
    if _is_pbn(context):
        split = _split_at_headings(blocks)
        if len(split) >= 2:
            return [
                _release_from_blocks(f"{context.page_id}#{n}", heading, part, context)
                for n, (heading, part) in enumerate(split, 1)
            ]
    return [_release_from_blocks(context.page_id, context.title, blocks, context)]


# -- page-level metadata ------------------------------------------------------


def _canonical(doc, url: str) -> str:
    for link in doc.iterfind(".//link[@rel]"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return urljoin(url, link.get("href").strip())
    og = meta_content(doc, "og:url")
    return urljoin(url, og) if og else url


def _element_text(element) -> str:
    if element is None:
        return ""
    return " ".join(normalize(element.text_content()).split())


def _read_page_metadata(doc, article: dict, context: PageContext, profile) -> None:
    ld = json_ld_fields(doc)
    context.title = (
        _element_text(select_first_in_order(doc, article.get("title") or "h1"))
        or normalize(ld.get("headline", "")).strip()
        or (meta_content(doc, "og:title") or "").strip()
        or _TITLE_SUFFIX.sub("", _element_text(doc.find(".//title")))
    )
    context.date = (
        parse_date(ld.get("date"))
        or meta_date(doc)
        or _time_element_date(doc)
        or parse_date(_element_text(select_first_in_order(doc, article.get("date"))))
    )
    html_lang = doc.get("lang") or doc.get("{http://www.w3.org/XML/1998/namespace}lang")
    context.language = html_lang or (profile.language if profile else None)
    context.site_tags = _labelled_tags(doc)
    if not context.site_tags and article.get("tags"):
        values = [_element_text(el) for el in select(doc, article["tags"])]
        if values := [v for v in values if v]:
            context.site_tags = {"Themes": list(dict.fromkeys(values))}
    kind = select_first_in_order(doc, article.get("kind") or ".type-label, .node-type, .label-type")
    context.kind_label = _element_text(kind)


def _time_element_date(doc) -> str | None:
    for time in doc.iterfind(".//time[@datetime]"):
        iso = parse_date(time.get("datetime"))
        if iso:
            return iso
    return None


def _labelled_tags(doc) -> dict[str, list[str]]:
    """Site tags shown as a label ("Themes:") with links or items after it."""
    tags: dict[str, list[str]] = {}
    for element in doc.iter("div", "span", "h2", "h3", "h4", "h5", "dt", "strong", "b", "label"):
        own = " ".join((element.text or "").split()).rstrip(":").strip().casefold()
        key = _TAG_LABELS.get(own)
        if key is None or len(element) > 0 and _element_text(element).casefold() != own:
            continue
        container = element.getparent()
        if container is None:
            continue
        values = [
            _element_text(a)
            for a in container.iter("a", "li")
            if a is not element and _element_text(a) and a.tag == "a" or not list(a.iter("a"))
        ]
        values = [v for v in values if v and v.casefold().rstrip(":") != own]
        if values:
            bucket = tags.setdefault(key, [])
            bucket.extend(v for v in values if v not in bucket)
    return tags


def _is_pbn(context: PageContext) -> bool:
    haystack = " ".join([context.title, context.kind_label, *context.categories]).casefold()
    return any(marker in haystack for marker in PBN_MARKERS)


# -- pruning and flattening -------------------------------------------------------


def _prune(node, article: dict):
    """Cut furniture out of the subtree: profile drops, then generic rules."""
    if node is None:
        return None
    for selector in article.get("drop", ()):
        for element in select(node, selector):
            if element is not node:
                _remove(element)
    total = max(fallback._text_length(node), 1)
    doomed = [
        element
        for element in node.iterdescendants()
        if isinstance(element.tag, str)
        and (
            element.tag in fallback.DROP_TAGS
            or fallback.is_boilerplate(element) and fallback._text_length(element) < total / 2
        )
    ]
    for element in doomed:
        _remove(element)
    return node


def _prune_page(doc) -> None:
    for element in [e for e in doc.iter(*fallback.PAGE_DROP_TAGS, *fallback.DROP_TAGS)]:
        _remove(element)


def _remove(element) -> None:
    """Drop an element but keep its tail text (it belongs to the parent)."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail and tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _blocks(node) -> list[Block]:
    """The subtree as paragraphs: block elements end one, ``<br>`` ends a line."""
    if node is None:
        return []
    blocks: list[Block] = []
    parts: list[str] = []
    heading_depth = 0
    heading_seen = False

    def flush() -> None:
        nonlocal heading_seen
        text = _WHITESPACE.sub(" ", "".join(parts)).replace(_BREAK, "\n")
        parts.clear()
        text = "\n".join(line.strip() for line in text.split("\n")).strip()
        if text:
            blocks.append(Block(text, heading=heading_seen))
        heading_seen = False

    for event, element in etree.iterwalk(node, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag == "br":
                parts.append(_BREAK)
            elif tag in _BLOCK_TAGS:
                flush()
                if tag in _HEADINGS:
                    heading_depth += 1
            if tag and element.text and tag != "br":
                parts.append(element.text if tag != "pre" else element.text.replace("\n", _BREAK))
            if heading_depth:
                heading_seen = True
        else:
            if tag in _BLOCK_TAGS:
                flush()
                if tag in _HEADINGS:
                    heading_depth -= 1
            if element is not node and element.tail:
                parts.append(element.tail)
    flush()
    return blocks


def _has_text(blocks: list[Block]) -> bool:
    return bool(clean_paragraphs([b.text for b in blocks]).paragraphs)


# -- pages with several releases ---------------------------------------------------


def _aggregator_items(doc, article: dict) -> list:
    """The items of an aggregator page; [] for a page that is one article."""
    selector = article.get("items")
    if not selector:
        return []
    items = select(doc, selector)
    if not items:
        return []
    # A single article with a views block beside it (e.g. "More news") is
    # still one article: its body lies outside every item.
    item_set = set(items)
    for body in select(doc, article.get("body")):
        if not any(ancestor in item_set for ancestor in body.iterancestors()):
            return []
    return items


def _item_release(item, n: int, context: PageContext, article: dict) -> Release | None:
    title_el = select_first_in_order(item, "h1, h2, h3, h4")
    title = _element_text(title_el)
    link = title_el.find(".//a[@href]") if title_el is not None else None
    url = urljoin(context.url, link.get("href")) if link is not None else context.url
    date = parse_date(_element_text(select_first_in_order(item, article.get("date"))))
    body = select_first_in_order(item, article.get("body"))
    if body is None:
        if title_el is not None:
            _remove(title_el)
        body = item
    blocks = _blocks(_prune(body, article))
    if not title and not _has_text(blocks):
        return None
    item_context = PageContext(
        url=url, page_id=context.page_id, title=title, date=date or None,
        language=context.language,
    )
    return _release_from_blocks(f"{context.page_id}#{n}", title, blocks, item_context)


def _split_at_headings(blocks: list[Block]) -> list[tuple[str, list[Block]]]:
    """Press briefing note -> (item title, item blocks) for each heading."""
    parts: list[tuple[str, list[Block]]] = []
    for block in blocks:
        if block.heading and parse_metadata_line(block.text) is None:
            parts.append((block.text, []))
        elif parts:
            parts[-1][1].append(block)
    return [(title, part) for title, part in parts if _has_text(part)]


def _release_from_blocks(
    release_id: str, title: str, blocks: list[Block], context: PageContext
) -> Release:
    cleaned = clean_paragraphs([b.text for b in blocks])
    site_tags = dict(context.site_tags)
    for key, values in cleaned.site_tags.items():
        site_tags.setdefault(key, [])
        site_tags[key].extend(v for v in values if v not in site_tags[key])
    return assemble_release(
        release_id=release_id,
        url=context.url,
        title=title or context.title,
        paragraphs=cleaned.paragraphs,
        date=context.date or cleaned.date,
        site_tags=site_tags,
        declared_language=context.language,
    )
