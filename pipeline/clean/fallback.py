"""The generic fallback: find the article in a layout no profile knows.

First the common article containers (``data/generic.json``), then a
readability-like score: every paragraph of real prose (long enough, with
commas, few links) gives points to its parent and half as many to its
grandparent; the element with the most points is the article. This is the
recall end of the chain: site selectors first, these when they find
nothing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from lxml import etree

from pipeline.clean.selectors import select_first_in_order

_DATA = json.loads((Path(__file__).parent / "data" / "generic.json").read_text("utf-8"))
BODY_SELECTORS = ", ".join(_DATA["body_selectors"])
DROP_TAGS = frozenset(_DATA["drop_tags"])
PAGE_DROP_TAGS = frozenset(_DATA["page_drop_tags"])
BOILERPLATE = re.compile(_DATA["boilerplate_pattern"], re.IGNORECASE)
_MIN_CHARS = int(_DATA["min_paragraph_chars"])
_SCORED = frozenset({"p", "pre", "td", "blockquote", "li"})


def is_boilerplate(element) -> bool:
    """Class or id names that mark furniture (share, cookie, related, caption…)."""
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    return bool(names.strip()) and BOILERPLATE.search(names) is not None


def text_length(element) -> int:
    return len(" ".join("".join(element.itertext()).split()))


def _link_length(element) -> int:
    return sum(text_length(a) for a in element.iter("a"))


def find_article(doc):
    """The element most likely to hold the article, or None."""
    found = select_first_in_order(doc, BODY_SELECTORS)
    if found is not None and text_length(found) >= 2 * _MIN_CHARS:
        return found
    return densest_block(doc)


def densest_block(doc):
    scores: dict[etree._Element, float] = {}
    for element in doc.iter(*_SCORED):
        length = text_length(element)
        if length < _MIN_CHARS:
            continue
        text = "".join(element.itertext())
        score = 1 + text.count(",") + min(length / 100, 3)
        score *= 1 - min(_link_length(element) / length, 1)
        parent = element.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + score
        grandparent = parent.getparent()
        if grandparent is not None:
            scores[grandparent] = scores.get(grandparent, 0.0) + score / 2
    if not scores:
        return None
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] > 0 else None
