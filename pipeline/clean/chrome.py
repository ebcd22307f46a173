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
from pathlib import Path

_DATA = json.loads((Path(__file__).parent / "data" / "chrome.json").read_text("utf-8"))

_BULLETS = " \t-–—•·*|>»›"
_SENTENCE_END = re.compile(r"[.!?…:;»”\"')\]]\s*$|[.!?]\s*[”\"'’»)]\s*$")
_LABEL_MAX = 80  # no label is longer; longer lines skip the label lookups


def _key(line: str) -> str:
    return " ".join(line.strip(_BULLETS).split()).casefold()


# Longest first, so that the glued-label alternation tries "About IOM" before "About".
_MENU_LABEL_TEXTS = sorted(
    (label for group in _DATA["menu_labels"].values() for label in group), key=len, reverse=True
)
_MENU_LABELS = frozenset(_key(label) for label in _MENU_LABEL_TEXTS)
_EXACT_LABELS = _MENU_LABELS | frozenset(
    _key(label)
    for label in _DATA["share_labels"] + _DATA["cookie_buttons"] + _DATA["header_type_labels"]
)
_RELATED_HEADINGS = frozenset(_key(h).rstrip(":") for h in _DATA["related_headings"])
# "WHO WE AREThe International Organization…": a menu label run into the
# blurb under it, as flattened mega-menus come out. Case-blind on the label,
# case-sensitive on the capital that follows.
_GLUED_LABEL = re.compile(
    r"^(?i:"
    + "|".join(re.escape(label) for label in _MENU_LABEL_TEXTS if len(label) > 3)
    + r")(?=[A-Z\u00C0-\u00DE])"
)
SEPARATOR = re.compile(_DATA["separator_pattern"])
DRUPAL_TOKEN = re.compile(_DATA["drupal_token_pattern"])
_CAPTIONS = [re.compile(p, re.IGNORECASE) for p in _DATA["caption_patterns"]]
_CAPTION_SUFFIX = re.compile(_DATA["caption_suffix_pattern"])
_CAPTION_MAX = int(_DATA["caption_line_max"])
_NOTICES = [re.compile(p, re.IGNORECASE) for p in _DATA["notice_patterns"]]
# Plain substring tests first: far cheaper than the case-blind regexes.
_COOKIE_KEYWORDS = tuple(k.casefold() for k in _DATA["cookie_keywords"])
_CAPTION_KEYWORDS = tuple(k.casefold() for k in _DATA["caption_keywords"])
# A capital right after a letter, no space between: "WHO WE AREThe", "Our WorkAs".
_GLUE_HINT = re.compile(r"[^\W\d_][A-Z\u00C0-\u00DE][a-z\u00DF-\u00FF]")
_COOKIE = re.compile("|".join(re.escape(p) for p in _DATA["cookie_phrases"]), re.IGNORECASE)


def is_menu_label(line: str) -> bool:
    return len(line) <= _LABEL_MAX and _key(line) in _MENU_LABELS


def is_chrome_line(line: str) -> bool:
    """A line that is never article text: menu, share, cookie, separator, type
    label, or a site notice ("This story was first published by …")."""
    stripped = line.strip()
    if not stripped or SEPARATOR.match(stripped):
        return True
    if len(stripped) <= _LABEL_MAX and _key(stripped) in _EXACT_LABELS:
        return True
    if len(stripped) < 400 and _has_any(stripped, _COOKIE_KEYWORDS):
        if _COOKIE.search(stripped):
            return True
    if any(p.match(stripped) for p in _NOTICES):
        return True
    # The cheap hint first: the label alternation is long.
    return bool(_GLUE_HINT.search(stripped, 0, 60)) and bool(_GLUED_LABEL.match(stripped))


def is_related_heading(line: str) -> bool:
    return len(line) <= _LABEL_MAX and _key(line).rstrip(":") in _RELATED_HEADINGS


def is_caption(line: str) -> bool:
    """An image caption or credit line ("Photo: IOM/…", "©IOM/… 2015")."""
    stripped = line.strip()
    if len(stripped) > _CAPTION_MAX or not _may_be_caption(stripped):
        return False
    return any(p.search(stripped) for p in _CAPTIONS) or bool(_CAPTION_SUFFIX.search(stripped))


def _has_any(line: str, keywords: tuple[str, ...]) -> bool:
    folded = line.casefold()
    return any(k in folded for k in keywords)


def _may_be_caption(line: str) -> bool:
    return _has_any(line, _CAPTION_KEYWORDS)


def strip_caption_suffix(line: str) -> str:
    """A paragraph with a credit glued to its end, without the credit."""
    return _CAPTION_SUFFIX.sub("", line) if _may_be_caption(line) else line


def drop_drupal_tokens(text: str) -> str:
    return DRUPAL_TOKEN.sub("", text) if "[" in text else text


def looks_like_sentence(line: str) -> bool:
    """Ends as a sentence does: article text rather than a link title or label."""
    return bool(_SENTENCE_END.search(line.strip()))
