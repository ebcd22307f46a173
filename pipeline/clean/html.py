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
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from pipeline.clean import chrome, fallback
from pipeline.clean.contact import is_contact_opener
from pipeline.clean.ids import item_id, page_number, release_id_for_url
from pipeline.clean.metadata import (
    METADATA_DATA as _META,
)
from pipeline.clean.metadata import (
    json_ld_fields,
    merged_site_tags,
    meta_content,
    meta_date,
    parse_date,
    parse_metadata_line,
    split_dateline,
)
from pipeline.clean.release import EMPTY, NO_BODY, assemble_release, failed_release
from pipeline.clean.selectors import Selectable, select, select_first_in_order
from pipeline.clean.text import clean_paragraphs, normalize
from pipeline.records import Page, Release
from pipeline.sites import SiteProfile, profile_for

_CATEGORY_KEYS = {label: "Categories" for label in _META["category_labels"]}
_BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol p pre "
    "section summary table tbody td tfoot th thead tr ul".split()
)
_PBN = re.compile(r"\b(?:" + "|".join(re.escape(m) for m in _META["pbn_markers"]) + r")\b")
_STATEMENT_WORDS = ("statement", "déclaration", "declaración", "dichiarazione", "speech")
_KIND_SELECTOR = "div.field--name-field-type, .type-label, .node-type"
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_BREAK = "\u2028"  # survives whitespace collapsing, becomes "\n" after it
_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# libxml2's HTML parser silently drops everything nested deeper than 256
# elements, so text under 300 wrapper <div>s came out as "no article body".
# Tags past _MAX_DEPTH are cut before parsing (their text stays). Void
# elements and those whose end tag is optional (p, li, td…) are not counted:
# pages leave them open, and they are what holds the text.
_MAX_DEPTH = 200
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)(?:\s[^>]*)?>")
_UNCOUNTED = frozenset(
    "area base br col embed hr img input link meta param source track wbr "
    "p li dt dd tr td th option optgroup thead tbody tfoot colgroup rb rt rp html head body".split()
)
_TITLE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]*(?:IOM|OIM|Migration|Migraciones|Migrazioni)[^|]*$")
_FIELD_LABELS = {
    label.rstrip(":").casefold(): key
    for label, key in {**_META["site_tag_labels"], **_CATEGORY_KEYS}.items()
}
_LABEL_TAGS = ("div", "span", "h2", "h3", "h4", "h5", "dt", "strong", "b", "label")
_LABEL_MAX = 40


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
        return [failed_release(release_id_for_url(url), url, EMPTY)]
    try:
        doc = _parse(page.html)
    except (etree.ParserError, ValueError) as exc:
        return [failed_release(release_id_for_url(url), url, f"unparsable HTML: {exc}")]
    if doc is None:
        return [failed_release(release_id_for_url(url), url, EMPTY)]
    try:
        return _clean_document(doc, url, profile)
    except RecursionError:
        return [failed_release(release_id_for_url(url), url, "HTML nested too deeply")]


def _parse(html: str):
    # lxml refuses NUL and most C0 controls; a stray one must not cost the page.
    html = _CONTROL.sub("", _XML_DECLARATION.sub("", html, count=1))
    if not html.strip():
        return None
    html = _flatten_deep(html)
    doc = lxml_html.document_fromstring(html)
    # The tree walk that flattens the body skips comments and processing
    # instructions, and the text after them with them ("<!--StartFragment-->"
    # of pasted text); their tails go to the text around them instead.
    etree.strip_tags(doc, etree.Comment, etree.ProcessingInstruction)
    return doc


def _flatten_deep(html: str) -> str:
    """``html`` with the tags nested deeper than _MAX_DEPTH cut out, their text kept."""
    if html.count("<") <= _MAX_DEPTH:
        return html
    depth, cut = 0, []
    for tag in _TAG.finditer(html):
        name = tag.group(2).lower()
        if name in _UNCOUNTED or tag.group(0).endswith("/>"):
            continue
        if tag.group(1):  # an end tag
            if depth > _MAX_DEPTH:
                cut.append(tag.span())
            depth = max(depth - 1, 0)
        else:
            depth += 1
            if depth > _MAX_DEPTH:
                cut.append(tag.span())
    if not cut:
        return html
    parts, last = [], 0
    for start, end in cut:
        parts.append(html[last:start])
        parts.append(" ")
        last = end
    parts.append(html[last:])
    return "".join(parts)


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
            failed_release(context.page_id, canonical, NO_BODY, context.title)
        ]

    body = select_first_in_order(doc, article.get("body")) if article else None
    blocks = _blocks(_prune(body, article)) if body is not None else []
    if not _has_text(blocks):
        _prune_page(doc)
        body = fallback.find_article(doc)
        blocks = _blocks(_prune(body, article)) if body is not None else []
    if _is_pbn(context, blocks):
        split = _split_at_headings(blocks)
        if len(split) >= 2:
            return [
                _release_from_blocks(item_id(context.page_id, n), heading, part, context, "pbn")
                for n, (heading, part) in enumerate(split, 1)
            ]
    return [_release_from_blocks(context.page_id, context.title, blocks, context, _kind(context))]


# -- page-level metadata ------------------------------------------------------


def _canonical(doc, url: str) -> str:
    """The address the page declares for itself, when it can be this page's."""
    declared = [
        link.get("href")
        for link in doc.iterfind(".//link[@rel]")
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href")
    ]
    declared.append(meta_content(doc, "og:url"))
    for href in filter(None, declared):
        candidate = _web_address(href, url)
        # Not a site's home page (a CMS set up wrongly names it on every page,
        # which would give all of its releases one id), nor an address that
        # drops the "?page=N" of an aggregator page.
        if (
            candidate
            and urlsplit(candidate).path.strip("/")
            and page_number(candidate) == page_number(url)
        ):
            return candidate
    return url


def _web_address(href: str, base: str) -> str | None:
    """``href`` made absolute, if it is a well-formed http(s) address."""
    try:
        absolute = urljoin(base, href.strip())
        parts = urlsplit(absolute)
        parts.port  # noqa: B018 - raises on a malformed port, as the release id would
    except ValueError:
        return None
    return absolute if parts.scheme in ("http", "https") and parts.hostname else None


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
    fields = _labelled_fields(doc)
    context.categories = fields.pop("Categories", [])
    context.site_tags = fields
    if not context.site_tags and article.get("tags"):
        values = [_element_text(el) for el in select(doc, article["tags"])]
        if values := [v for v in values if v]:
            context.site_tags = {"Themes": list(dict.fromkeys(values))}
    kind = select_first_in_order(doc, article.get("kind") or _KIND_SELECTOR)
    context.kind_label = _element_text(kind)


def _time_element_date(doc) -> str | None:
    for time in doc.iterfind(".//time[@datetime]"):
        iso = parse_date(time.get("datetime"))
        if iso:
            return iso
    return None


def _labelled_fields(doc) -> dict[str, list[str]]:
    """Fields shown as a label ("Themes:", "Categories:") then links or items.

    The values are the links (else the text) of what follows the label up
    to the next label.
    """
    fields: dict[str, list[str]] = {}
    for label in doc.iter(*_LABEL_TAGS):
        text = label.text
        if not text or len(text) > _LABEL_MAX or len(label):
            continue
        key = _FIELD_LABELS.get(" ".join(text.split()).rstrip(":").strip().casefold())
        if key is None:
            continue
        values: list[str] = [" ".join((label.tail or "").split())]
        for sibling in label.itersiblings():
            if not isinstance(sibling.tag, str):
                continue
            text = _element_text(sibling)
            if _is_field_label(sibling, text):
                break
            values.extend([_element_text(a) for a in sibling.iter("a")] or [text])
        bucket = fields.setdefault(key, [])
        bucket.extend(v for v in values if v and v not in bucket)
    return {key: values for key, values in fields.items() if values}


def _is_field_label(element, text: str) -> bool:
    """Another field's label ("Default:", "Multimedia:") ends the values."""
    if _FIELD_LABELS.get(text.rstrip(":").strip().casefold()):
        return True
    return len(text) < _LABEL_MAX and text.endswith(":") or "label" in (element.get("class") or "")


def _is_pbn(context: PageContext, blocks: list[Block]) -> bool:
    """A press briefing note, by its title, type label or category line."""
    categories = [
        category
        for block in blocks
        if len(block.text) < 300
        for category in (getattr(parse_metadata_line(block.text), "categories", None) or [])
    ]
    haystack = " ".join(
        [context.title, context.kind_label, *context.categories, *categories]
    ).casefold()
    return _PBN.search(haystack) is not None


# -- pruning and flattening -------------------------------------------------------


def _prune(node, article: dict):
    """Cut furniture out of the subtree: profile drops, then generic rules."""
    if node is None:
        return None
    for selector in article.get("drop", ()):
        for element in select(node, selector):
            if element is not node:
                _remove(element)
    total = max(fallback.text_length(node), 1)
    doomed = [
        element
        for element in node.iterdescendants()
        if isinstance(element.tag, str)
        and (
            element.tag in fallback.DROP_TAGS
            or fallback.is_boilerplate(element) and fallback.text_length(element) < total / 2
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
    subheads = {p for p in node.iter("p") if _is_subhead(p)}
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
                if tag in _HEADINGS or element in subheads:
                    heading_depth += 1
            if tag and element.text and tag != "br":
                parts.append(element.text if tag != "pre" else element.text.replace("\n", _BREAK))
            if heading_depth:
                heading_seen = True
        else:
            if tag in _BLOCK_TAGS:
                flush()
                if tag in _HEADINGS or element in subheads:
                    heading_depth -= 1
            if element is not node and element.tail:
                parts.append(element.tail)
    flush()
    return blocks


def _is_subhead(paragraph) -> bool:
    """``<p><strong>Title</strong></p>``: a heading written as bold text."""
    if (paragraph.text or "").strip() or len(paragraph) != 1:
        return False
    child = paragraph[0]
    return child.tag in ("strong", "b") and not (child.tail or "").strip()


def _has_text(blocks: list[Block]) -> bool:
    """Some block is article text (stops at the first one; cheaper than cleaning)."""
    return any(
        not chrome.is_chrome_line(line)
        and not chrome.is_caption(line)
        and parse_metadata_line(line) is None
        for block in blocks
        for line in block.text.split("\n")
    )


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
    url = (_web_address(link.get("href"), context.url) if link is not None else None) or context.url
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
        url=url, page_id=context.page_id, title=title, date=date, language=context.language,
    )
    return _release_from_blocks(item_id(context.page_id, n), title, blocks, item_context)


def _split_at_headings(blocks: list[Block]) -> list[tuple[str, list[Block]]]:
    """Press briefing note -> (item title, item blocks), one per item.

    An item starts at a heading, or at a short title-like paragraph whose
    next paragraph opens with a dateline (some pages print later item
    titles as plain paragraphs). Text before the first item start is an
    item too, under the page's title ("").
    """
    parts: list[tuple[str, list[Block]]] = [("", [])]
    for i, block in enumerate(blocks):
        following = blocks[i + 1].text if i + 1 < len(blocks) else ""
        if _starts_item(block, following):
            parts.append((block.text, []))
        else:
            parts[-1][1].append(block)
    return [(title, part) for title, part in parts if _has_text(part)]


def _starts_item(block: Block, following: str) -> bool:
    if "\n" in block.text or parse_metadata_line(block.text) is not None:
        return False
    if is_contact_opener(block.text):
        return False  # a contact line set in bold is not a new item
    if block.heading:
        return True
    title_like = len(block.text) < 160 and not chrome.looks_like_sentence(block.text)
    return title_like and split_dateline(following) is not None


def _kind(context: PageContext) -> str:
    label = " ".join([context.kind_label, *context.categories]).casefold()
    return "statement" if any(w in label for w in _STATEMENT_WORDS) else "press_release"


def _release_from_blocks(
    release_id: str,
    title: str,
    blocks: list[Block],
    context: PageContext,
    kind: str = "press_release",
) -> Release:
    cleaned = clean_paragraphs([b.text for b in blocks], join_wraps=False)
    site_tags = merged_site_tags(context.site_tags, cleaned.site_tags)
    return assemble_release(
        release_id=release_id,
        url=context.url,
        title=title or context.title,
        paragraphs=cleaned.paragraphs,
        date=context.date or cleaned.date,
        site_tags=site_tags,
        declared_language=context.language,
        kind=kind,
    )
