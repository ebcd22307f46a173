"""The text the entity pipeline reads: the release's, with noise blanked out.

Every change keeps the length and the offsets, so a span of the prepared
text is a span of the release (with a space where a hard wrap or a
control character was):
- control characters become spaces;
- a hard wrap (a single newline inside a wrapped paragraph) becomes a space,
  so "Jane\\nDoe" reads as one name; a line ended on purpose (a contact item,
  a list) keeps its newline. The rule is the cleaner's (clean/text.py); the
  lines of a contact block keep theirs;
- a page's metadata lines ("Region-Country: Switzerland", "Themes: …",
  glued Drupal metadata) become spaces: a country named only in a tag or a
  feed label is not a country the release talks about.
"""

from __future__ import annotations

import re

from pipeline.clean.metadata import METADATA_DATA
from pipeline.clean.text import _MAX_WRAP, _MIN_WRAP, is_card_block, is_prose_block, wraps_into

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LABELS = "|".join(re.escape(label) for label in METADATA_DATA["labels"] if label.endswith(":"))
# A line that is a page's metadata: it opens with a known label, or glues two.
_METADATA_LINE = re.compile(
    rf"(?m)^[ \t]*(?:(?:{_LABELS})[^\n]*|Language [A-Z][a-z]+ Posted:[^\n]*|"
    rf"[^\n]{{0,80}}(?:{_LABELS})[^\n]*(?:{_LABELS})[^\n]*)$"
)
# An aggregator's item header ("Wed, 09/19/2018 - 11:19") and the feed label beside it.
_FEED_HEADER = re.compile(r"(?m)^[^\n]{0,60}\b\d{1,2}/\d{1,2}/\d{4} - \d{1,2}:\d{2}[^\n]{0,60}$")


_SENTENCE_END = (".", "!", "?", '"', "”", "’", ")", "]")


def ends_cut(text: str, end: int) -> bool:
    """Does a span ending at ``end`` touch the end of an excerpt cut mid-sentence?"""
    return not text[end:].strip() and not text.rstrip().endswith(_SENTENCE_END)


def prepare(text: str) -> str:
    """``text`` with control characters, hard wraps and metadata lines blanked."""
    text = _CONTROL.sub(" ", text)
    text = _METADATA_LINE.sub(lambda m: " " * len(m.group(0)), text)
    text = _FEED_HEADER.sub(lambda m: " " * len(m.group(0)), text)
    # A contact block's lines are its items, never a hard wrap's ("NAME" /
    # "Spokesperson" / "IOM Somalia"): the text is unwrapped before it only.
    from pipeline.nlp.contacts import contact_blocks

    blocks = contact_blocks(text)
    start = blocks[0][0] if blocks else len(text)
    return unwrap(text[:start]) + text[start:]


def unwrap(text: str) -> str:
    """Single newlines that a hard wrap put in a paragraph, as spaces."""
    if "\n" not in text:
        return text
    chars = list(text)
    pos = 0
    for block in re.split(r"(\n[ \t]*\n)", text):
        if "\n" in block and block.strip():
            for offset in _wrap_breaks(block):
                chars[pos + offset] = " "
        pos += len(block)
    return "".join(chars)


def _wrap_breaks(block: str) -> list[int]:
    """Offsets (in ``block``) of the newlines that a hard wrap put there."""
    lines = block.split("\n")
    width = max(len(line) for line in lines)
    if len(lines) < 2 or not _MIN_WRAP <= width <= _MAX_WRAP:
        return []
    prose = is_prose_block(lines, width)
    card = is_card_block(lines)
    breaks, offset = [], len(lines[0])
    for prev, line in zip(lines, lines[1:], strict=False):
        if wraps_into(prev, line, width, prose, card):
            breaks.append(offset)
        offset += 1 + len(line)
    return breaks
