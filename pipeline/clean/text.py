"""Text-level cleaning: normalisation, hard wraps, and the line rules.

Both roads into the cleaner end here: paragraphs pulled out of HTML by the
site selectors, and releases that arrive as plain text. Normalisation puts
text in Unicode NFC, turns non-breaking and other odd spaces into plain
spaces, drops zero-width and control characters (NUL, escape) and raw
Drupal tokens, and leaves
typographic quotes and dashes exactly as the source wrote them (the gold
text and the contact parser both expect the source's own punctuation).

``clean_paragraphs`` then drops what is not article text, line by line:
chrome (``chrome.py``), image captions and credits, separators, lines
repeated right after themselves, metadata lines (whose dates and site tags
it collects), and a trailing "Related news" list. Hard-wrapped lines
(single newlines inside a paragraph of ~60-80 character lines) are joined
back: a line was wrapped when the first word of the next line would not
have fitted on it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from pipeline.clean import chrome
from pipeline.clean.contact import EMAIL, FIELD_LINE, is_contact_card, is_name_line, tail_start
from pipeline.clean.metadata import (
    LineMetadata,
    is_date_line,
    merged_site_tags,
    parse_metadata_line,
)

_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# C0 and C1 controls but the line breaks and tabs handled above: a NUL or an
# escape sequence in a page is never text, and must not reach a terminal.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_RUNS = re.compile(r" {2,}")
_MIN_WRAP, _MAX_WRAP = 40, 100
_LIST_ITEM = re.compile(r"^(?:[-•*·–—]\s|\d{1,2}[.)]\s)")
_REPEAT_MAX = 60
_CAPTION_SENTENCE_MAX = 160
_QUOTES = re.compile(r"[\"“”«»]")


def normalize(text: str) -> str:
    """NFC, plain spaces, Unix newlines, no Drupal tokens; quotes and dashes as written."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n\n")
    text = _CONTROLS.sub("", _INVISIBLE.sub("", _SPACES.sub(" ", text)))
    text = chrome.drop_drupal_tokens(text)
    return "\n".join(_RUNS.sub(" ", line).strip() for line in text.split("\n"))


def join_hard_wraps(lines: list[str]) -> list[str]:
    """The lines of one block (no blank line inside) -> its units.

    A block is hard-wrapped when its longest line is 40-100 characters; a
    line joins the next one when ``wraps_into`` says the break is a wrap's,
    otherwise the writer ended the line on purpose (end of a paragraph, a
    contact item).
    """
    lines = [line for line in lines if line.strip()]
    if len(lines) < 2:
        return lines
    width = max(len(line) for line in lines)
    if not _MIN_WRAP <= width <= _MAX_WRAP:
        return lines
    # The block's closing contact lines are items, never wrapped ("NAME" /
    # "Spokesperson" / "IOM Somalia" / "+252 …").
    joined = "\n".join(lines)
    tail = tail_start(joined)
    if tail is not None:
        kept = joined[:tail].count("\n")
        return (join_hard_wraps(lines[:kept]) if kept else []) + lines[kept:]
    prose = is_prose_block(lines, width)
    card = is_card_block(lines)
    units = [lines[0]]
    previous = lines[0]
    for line in lines[1:]:
        if wraps_into(previous, line, width, prose, card):
            hyphenated = units[-1].endswith("-") and units[-1][-2:-1].isalpha()
            units[-1] = units[-1] + ("" if hyphenated else " ") + line
        else:
            units.append(line)
        previous = line
    return units


# A line ended on purpose: a sentence, a quotation or a label ends there.
# A contact field's value ending a line: an e-mail address or a phone number.
_NUMBER = r"\+?\d[\d\s().-]{6,}\d"
_ENDS_WITH_VALUE = re.compile(rf"(?:{EMAIL.pattern}|{_NUMBER})[.;,]?\s*$")
_REACHES = re.compile(rf"{EMAIL.pattern}|{_NUMBER}|(?i:\b(?:tel|phone|mobile|e-?mail)\b)")
_NAME_START = re.compile(r"^\s*[A-Z][\w'’.-]+(?:[ \t]+[A-Z][\w'’.-]+){1,3}[ \t]*$")
_LINE_ENDED = (".", "!", "?", ":", '"', "”", ")", "]")


def is_prose_block(lines: list[str], width: int) -> bool:
    """Most lines (the last aside) run near the margin: running text, hard-wrapped."""
    body = [len(line) for line in lines[:-1] if line.strip()]
    return bool(body) and 2 * sum(n >= 0.75 * width for n in body) >= len(body)


def is_card_block(lines: list[str]) -> bool:
    """A contact card: a line of the block opens with a field ("Tel:", "E:")."""
    return any(FIELD_LINE.match(line) for line in lines)


def wraps_into(previous: str, line: str, width: int, prose: bool, card: bool = False) -> bool:
    """Is the break between ``previous`` and ``line`` a hard wrap's?

    Greedy wrapping breaks a line only when the next word does not fit: the
    line joins the next one when that word would have overflowed it. Text
    wrapped by hand or by another tool is ragged: in a prose block a break
    is a wrap's also when the next line goes on in lower case, or when a
    line of at least half the width stops mid-sentence ("… said" /
    "Anjali Ghimire, …"). A line that starts a list item or a contact field
    ("Tel:") is never joined, nor a name line after a line ending in a colon;
    in a contact ``card``, one short item a line (name, title, office) is
    never joined to the next, and a line that is a whole card never joins
    the line before it.
    """
    if not line.strip() or _LIST_ITEM.match(line) or FIELD_LINE.match(line):
        return False
    # A line that ends with an e-mail address or a number ends a contact's item.
    if line[:1].isupper() and previous.rstrip(" .;,")[-1:].isalnum() and _ENDS_WITH_VALUE.search(
            previous[-80:]):
        return False
    if card and is_name_line(line) and (is_name_line(previous) or _REACHES.search(previous)
                                        or _NAME_START.match(line)):
        # one item a line: a name, a title, an office; a line after a field;
        # a name opening its line ("… please contact IOM Colombia" / "NAME")
        return False
    # A line that is a whole contact card ("In Geneva: NAME, IOM Geneva, Tel: …")
    # starts the next person, however long the line before it.
    if is_contact_card(line):
        return False
    # "… please contact:" then a name a line: a label's list, not a wrap.
    if previous.rstrip().endswith(":") and is_name_line(line):
        return False
    first_word = line.split(" ", 1)[0]
    if len(previous) + 1 + len(first_word) > width:
        return True
    if not prose:
        return False
    if line[:1].islower():
        return True
    return len(previous) >= width / 2 and not previous.rstrip().endswith(_LINE_ENDED)


def split_blocks(text: str) -> list[list[str]]:
    """Plain text -> blocks of lines (split on blank lines).

    A text without any blank line writes one paragraph per line (as the
    seed release does), unless its lines are hard-wrapped, in which case the
    whole text is one block for ``join_hard_wraps`` to take apart.
    """
    lines = text.split("\n")
    if any(not line.strip() for line in lines):
        blocks, current = [], []
        for line in lines:
            if line.strip():
                current.append(line)
            elif current:
                blocks.append(current)
                current = []
        if current:
            blocks.append(current)
        return blocks
    return [lines] if _is_hard_wrapped(lines) else [[line] for line in lines if line.strip()]


def _is_hard_wrapped(lines: list[str]) -> bool:
    lengths = sorted(len(line) for line in lines if line.strip())
    if len(lengths) < 3:
        return False
    # Wrapped text: no line past 100 characters, and most lines near the longest.
    return lengths[-1] <= _MAX_WRAP and lengths[len(lengths) // 2] >= 0.6 * lengths[-1] >= 24


@dataclass
class CleanedText:
    """Article paragraphs and the date and site tags found among the dropped lines."""

    paragraphs: list[str] = field(default_factory=list)
    date: str | None = None
    site_tags: dict[str, list[str]] = field(default_factory=dict)

    def metadata(self) -> LineMetadata:
        return LineMetadata(self.date, self.site_tags)

    def take(self, found: LineMetadata) -> None:
        if found.date and not self.date:
            self.date = found.date
        self.site_tags = merged_site_tags(self.site_tags, found.site_tags)


class _LineFilter:
    """Stateful across the lines of one article (the "Related news" list)."""

    def __init__(self, out: CleanedText) -> None:
        self.out = out
        self.in_related = False
        self.caption = False  # was the last line a caption or credit?

    def keep(self, line: str) -> str | None:
        """The line as it should appear in the article, or None to drop it."""
        self.caption = False
        if self.in_related:
            link_title = len(line) < 200 and not chrome.looks_like_sentence(line)
            if link_title or is_date_line(line):
                return None
            self.in_related = False
        found = parse_metadata_line(line)
        if found is not None:
            self.out.take(found)
            return None
        if chrome.is_related_heading(line):
            self.in_related = True
            return None
        if chrome.is_caption(line):
            self.caption = True
            return None
        if chrome.is_chrome_line(line):
            return None
        return chrome.strip_caption_suffix(line).strip() or None


def repeated_lines(lines: list[str]) -> set[int]:
    """Indexes of short label-like lines that repeat the line next to them.

    Flattened menus print each label twice ("About" / "About"); a label we
    do not know is still caught this way. Both copies go; sentences stay.
    """
    marked: set[int] = set()
    for i in range(len(lines) - 1):
        a, b = lines[i], lines[i + 1]
        if len(a) <= _REPEAT_MAX and a.casefold() == b.casefold() and not (
            chrome.looks_like_sentence(a)
        ):
            marked.update((i, i + 1))
    return marked


def _drop_caption_before_credit(grouped: dict[int, list[str]]) -> None:
    # The caption sits right above its credit ("Volunteers unload shelter
    # kits." / "©IOM/Name 2016"), in the same paragraph or the one before:
    # a lone short sentence with no quotation in it.
    last = max(grouped)
    lines = grouped[last]
    caption = lines[-1]
    if len(lines) != 1 or len(caption) > _CAPTION_SENTENCE_MAX or not caption.endswith("."):
        return
    if _QUOTES.search(caption) or ". " in caption:
        return
    del grouped[last]


def clean_paragraphs(
    paragraphs: list[str], lines_are_paragraphs: bool = False, join_wraps: bool = True
) -> CleanedText:
    """Article paragraphs without chrome, captions or metadata lines.

    Each input paragraph may hold several lines (``<br>`` in HTML, a block of
    plain text). Lines that survive are re-joined where they were
    hard-wrapped (unless ``join_wraps`` is off: in HTML a ``<br>`` is meant,
    and source hard wraps are already gone as whitespace); the rest stay one
    paragraph with ``\\n`` between its lines, or, with
    ``lines_are_paragraphs``, become paragraphs of their own.
    """
    out = CleanedText()
    flat = [
        (index, line.strip())
        for index, paragraph in enumerate(paragraphs)
        for line in normalize(paragraph).split("\n")
        if line.strip()
    ]
    repeated = repeated_lines([line for _, line in flat])
    line_filter = _LineFilter(out)
    grouped: dict[int, list[str]] = {}
    for n, (index, line) in enumerate(flat):
        if n in repeated:
            continue
        kept = line_filter.keep(line)
        if kept:
            grouped.setdefault(index, []).append(kept)
        elif line_filter.caption and grouped:
            _drop_caption_before_credit(grouped)
    for index in sorted(grouped):
        units = join_hard_wraps(grouped[index]) if join_wraps else grouped[index]
        if lines_are_paragraphs:
            out.paragraphs.extend(units)
        else:
            out.paragraphs.append("\n".join(units))
    return out
