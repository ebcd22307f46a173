"""Text-level chrome rules: is this line site furniture or article text?

The rules are data (``data/chrome.json``): menu labels in the agency's five
site languages, share-button and cookie-banner wording, "Related news"
headings, caption and credit patterns, raw Drupal tokens. They catch what
the site selectors leave behind and all of the chrome of a page that
reached us flattened to text. A label matches a whole line (bullets and
spaces trimmed, case ignored), never a word inside a sentence, so article
text that mentions "our work" is safe.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

_DATA = json.loads((Path(__file__).parent / "data" / "chrome.json").read_text("utf-8"))

_BULLETS = " \t-–—•·*|>»›"
_SENTENCE_END = re.compile(r"[.!?…:;»”\"')\]]\s*$|[.!?]\s*[”\"'’»)]\s*$")


def _key(line: str) -> str:
    return " ".join(line.strip(_BULLETS).split()).casefold()


@cache
def _menu_labels() -> frozenset[str]:
    labels = [label for group in _DATA["menu_labels"].values() for label in group]
    return frozenset(_key(label) for label in labels)


@cache
def _exact_labels() -> frozenset[str]:
    labels = (
        list(_DATA["share_labels"])
        + list(_DATA["cookie_buttons"])
        + list(_DATA["header_type_labels"])
    )
    return frozenset(_key(label) for label in labels) | _menu_labels()


@cache
def _related_headings() -> frozenset[str]:
    return frozenset(_key(h).rstrip(":") for h in _DATA["related_headings"])


SEPARATOR = re.compile(_DATA["separator_pattern"])
DRUPAL_TOKEN = re.compile(_DATA["drupal_token_pattern"])
_CAPTIONS = [re.compile(p, re.IGNORECASE) for p in _DATA["caption_patterns"]]
_CAPTION_SUFFIX = re.compile(_DATA["caption_suffix_pattern"])
_CAPTION_MAX = int(_DATA["caption_line_max"])
_COOKIE = re.compile("|".join(re.escape(p) for p in _DATA["cookie_phrases"]), re.IGNORECASE)


@cache
def _glued_label() -> re.Pattern[str]:
    # "WHO WE AREThe International Organization…": a menu label run into the
    # blurb under it, as flattened mega-menus come out.
    labels = sorted(
        (lab for group in _DATA["menu_labels"].values() for lab in group), key=len, reverse=True
    )
    alternatives = "|".join(re.escape(label) for label in labels if len(label) > 3)
    return re.compile(rf"^(?:{alternatives})(?=[A-Z\u00C0-\u00DE\u0600-\u06FF])", re.IGNORECASE)


def is_menu_label(line: str) -> bool:
    return _key(line) in _menu_labels()


def is_chrome_line(line: str) -> bool:
    """A line that is never article text: menu, share, cookie, separator, type label."""
    stripped = line.strip()
    if not stripped or SEPARATOR.match(stripped):
        return True
    if _key(stripped) in _exact_labels():
        return True
    if len(stripped) < 400 and _COOKIE.search(stripped):
        return True
    return bool(_glued_label().match(stripped))


def is_related_heading(line: str) -> bool:
    return _key(line).rstrip(":") in _related_headings()


def is_caption(line: str) -> bool:
    """An image caption or credit line ("Photo: IOM/…", "©IOM/… 2015")."""
    stripped = line.strip()
    if len(stripped) > _CAPTION_MAX:
        return False
    if any(p.search(stripped) for p in _CAPTIONS):
        return True
    return bool(_CAPTION_SUFFIX.search(stripped)) and len(stripped) < _CAPTION_MAX


def strip_caption_suffix(line: str) -> str:
    """A paragraph with a credit glued to its end, without the credit."""
    return _CAPTION_SUFFIX.sub("", line)


def drop_drupal_tokens(text: str) -> str:
    return DRUPAL_TOKEN.sub("", text)


def looks_like_sentence(line: str) -> bool:
    """Ends as a sentence does: article text rather than a link title or label."""
    return bool(_SENTENCE_END.search(line.strip()))
