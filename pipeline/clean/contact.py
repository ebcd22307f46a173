"""The press contact block, split out of the body.

Releases end with who to call: "For more information, please contact
<name> at IOM <office>, Tel: …, Email: …", or "For further information",
one item per line, several contacts, a "Mobile:" number. The block starts
at the first paragraph (after the lead) that opens the way
``data/contact.json`` says and is about reaching a person (it names a way
to contact, has an e-mail or a phone field, or ends with a colon before a
list), or at a bare contact card (name, office, "Tel:", "Email:" lines
with no opening sentence), and runs to the end of the release. It goes to
``Release.contact_block``; the body keeps everything before it.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from pathlib import Path

_DATA = json.loads((Path(__file__).parent / "data" / "contact.json").read_text("utf-8"))
_OPENER = re.compile(
    r"^[\s*_>•-]*(?:" + "|".join(_DATA["openers"]) + ")", re.IGNORECASE
)
_CONTACT_WORD = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(w) for w in _DATA["contact_words"]) + r")",
    re.IGNORECASE,
)
# A contact field's label ("Tel:", "Courriel :").
# Cards also use one letter: "T: +66 …", "M: …", "E: …@iom.int" (case kept:
# a capital and a colon, so prose's "a:" never counts).
# A dot may stand for the colon before a number or an address ("Tel. +49 …",
# "T. +212 …", "E. name@iom.int"; never "M. Diallo").
_FIELD = (r"(?:(?:(?i:Tel|Tél|Tele|Telephone|Téléphone|Phone|Mobile|Mob|Cell|Fax|Email|E-mail|"
          r"Courriel|Correo|Teléfono|Móvil|Telefono|Cellulare|هاتف|بريد)\.?|[TMEPF])\s*:"
          r"|(?i:Tel|Tél|Phone|Mobile|Mob|Cell)\.\s*(?=[+\d(])|[TMP]\.\s*(?=[+\d(])"
          r"|(?i:E-?mail)\.?\s*(?=[\w.+-]+@)|E\.\s*(?=[\w.+-]+@))")
# A field opening a line; also what a hard wrap is never joined before (text.py).
FIELD_LINE = re.compile(rf"^\s*{_FIELD}")
# The same field inside a line: "NAME, IOM Ethiopia, Tel: +251 …, Email: …".
_INLINE_FIELD = re.compile(rf"(?:^|[,;]\s*|\s){_FIELD}")
# What opens such a line: a name (two to four capitalised words) and a comma.
# ("In Geneva: NAME, …", "IOM Italy: NAME, …": a label may come first.)
# The particles names carry ("de la Garza", "von Elsner"): here and in
# pipeline/nlp (officials' and contacts' names).
NAME_PARTICLE = (r"(?:de|da|del|dela|della|delos|di|do|dos|das|du|van|von|der|den|ten|ter|bin|"
                 r"binti|ibn|al|el|ag|ould|y|le|la|las|los)")
_CARD_HEAD = re.compile(
    rf"^\s*(?:[A-Z][^:\n]{{1,40}}:\s*)?[A-Z][\w'’.-]+(?:\s+(?:{NAME_PARTICLE}\s+){{0,2}}"
    r"[A-Z][\w'’.-]+){1,3}\s*(?:,|\(|$|;|(?=[|•·/–—-]\s))")
_CARD_LINE_MAX = 100
_NAME_LINE_MAX = 60
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\+\s?\d[\d\s().-]{6,}\d")


def is_contact_opener(paragraph: str, following: str = "") -> bool:
    """Does this paragraph open a contact block?"""
    if not _OPENER.match(paragraph):
        return False
    if _CONTACT_WORD.search(paragraph) or EMAIL.search(paragraph) or PHONE.search(paragraph):
        return True
    # "For more information:" then the names on the next lines.
    return paragraph.rstrip().endswith(":") and bool(
        EMAIL.search(following) or PHONE.search(following) or _CONTACT_WORD.search(following)
    )


def is_contact_card(paragraph: str) -> bool:
    """"Name / Office / Tel: … / Email: …" with no opening sentence, a line
    each or in one line ("NAME, IOM Ethiopia, Tel: …, Email: …")."""
    lines = [line for line in paragraph.split("\n") if line.strip()]
    if len(lines) == 1:
        if len(lines[0]) > 2 * _CARD_LINE_MAX:
            return False  # running text (and no search over it)
        # The first field: a label ("Tel:"), or a number or an address set
        # down without one ("NAME, IOM Türkiye, +90 342 …, name@iom.int").
        field = _INLINE_FIELD.search(lines[0]) or PHONE.search(lines[0]) or EMAIL.search(lines[0])
        head = lines[0][: field.start()] if field else ""
        head = re.sub(r"(?i)\b(?:tel|phone|mobile|mob|cell|fax|[tmp])\.?\s*$", "", head)
        return bool(
            field and 0 < len(head) <= _NAME_LINE_MAX and len(lines[0]) <= 2 * _CARD_LINE_MAX
            and _CARD_HEAD.match(head) and not re.search(r"[.!?”\"](?:\s|$)", head)
            and (EMAIL.search(lines[0]) or PHONE.search(lines[0]))
        )
    return len(lines) >= 2 and (
        (all(len(line) <= _CARD_LINE_MAX for line in lines)
         # a field, or a number or an address alone on its line
         and any(FIELD_LINE.match(line) or PHONE.match(line.strip())
                 or EMAIL.fullmatch(line.strip()) for line in lines))
        # a person a line: "In Geneva: NAME, IOM Geneva, Tel: …, Email: …"
        or all(is_contact_card(line) for line in lines)
    )


def contact_start(paragraphs: list[str], i: int) -> int | None:
    """Where a contact block starting at paragraph ``i`` begins, or None."""
    paragraph = paragraphs[i]
    following = "\n".join(paragraphs[i + 1 : i + 3])
    if is_contact_opener(paragraph, following) or is_contact_card(paragraph):
        return i
    if not FIELD_LINE.match(paragraph):
        return None
    # One item a paragraph: the name and office lines above the first field.
    start = i
    while start - 1 >= 1 and i - (start - 1) <= 3 and is_name_line(paragraphs[start - 1]):
        start -= 1
    return start


def is_name_line(paragraph: str) -> bool:
    text = paragraph.strip()
    return 0 < len(text) <= _NAME_LINE_MAX and "\n" not in text and not text.endswith(
        (".", "!", "?", "”", '"', ":")
    )


def split_contact_block(paragraphs: list[str]) -> tuple[list[str], str | None]:
    """(body paragraphs, contact block or None). The lead is never a contact block.

    The block starts where the rules above see an opener or a card, or
    earlier where the release's tail of contact lines does (``tail_start``):
    whichever comes first."""
    start = next((s for i in range(1, len(paragraphs))
                  if (s := contact_start(paragraphs, i)) is not None), None)
    text = "\n\n".join(paragraphs)
    offsets = [0]
    for p in paragraphs[:-1]:
        offsets.append(offsets[-1] + len(p) + 2)
    tail = tail_start(text, offsets[1] if len(paragraphs) > 1 else len(text))
    if tail is not None and (start is None or tail < offsets[start]):
        i = bisect_right(offsets, tail) - 1
        head = text[offsets[i]:tail].rstrip("\n")
        body = paragraphs[:i] + ([head] if head.strip() else [])
        return body, _join([p for p in re.split(r"\n{2,}", text[tail:]) if p.strip()])
    if start is not None:
        return paragraphs[:start], _join(paragraphs[start:])
    return paragraphs, None


# The tail of a release: its last lines, read from the end, while each is a
# contact line. A line that reaches a person (an e-mail, a phone number, a
# field) or a short line that ends no sentence (a name, a title, an office,
# "Contact information", "To arrange interviews:"); running text stops it.
_TAIL_LINE_MAX = 300
_SHORT_LINE_MAX = 80
_SHORT_LINE_WORDS = 10
_TAIL_LINES_MAX = 30
_PROSE_WORDS = 14
_LINE = re.compile(r"^[^\n]*", re.M)
_END_MARK = re.compile(r"#{3}|-+\s*ends?\s*-+|\*{3}|-{3,}", re.I)  # "###", "-ENDS-"


_EMAIL_ENDS = re.compile(EMAIL.pattern + r"\.$")  # "… Email: name@iom.int."


def _reaches_person(line: str) -> bool:
    return bool(EMAIL.search(line) or PHONE.search(line) or _INLINE_FIELD.search(line))


def _is_tail_line(line: str) -> bool:
    text = line.strip()
    if not text or len(text) > _TAIL_LINE_MAX:
        return False
    ends_sentence = re.search(r"[.!?”\"]$", text) and not _EMAIL_ENDS.search(text)
    if _reaches_person(text):
        # "… call the hotline on +254 …, free of charge." is running text.
        return not (ends_sentence and len(text.split()) >= _PROSE_WORDS)
    return (len(text) <= _SHORT_LINE_MAX and len(text.split()) <= _SHORT_LINE_WORDS
            and not ends_sentence)


def tail_start(text: str, not_before: int = 0) -> int | None:
    """Where the release's closing run of contact lines starts (an offset in
    ``text``, at a line's start, not before ``not_before``), if that run
    reaches a person (an e-mail or a phone number in it); else None. It
    finds a block whatever its opener or layout: "Contact information",
    "To arrange interviews:", a bare card, "NAME – IOM Office – +961 … – name@iom.int"."""
    # (the run is at most _TAIL_LINES_MAX lines of _TAIL_LINE_MAX characters)
    window = max(not_before, len(text) - 2 * _TAIL_LINES_MAX * _TAIL_LINE_MAX)
    if "@" not in text[window:] and "+" not in text[window:]:
        return None  # no address and no international number: nothing reaches a person
    lines = list(_LINE.finditer(text, window))
    start = None
    count = 0
    reaches = False
    for m in reversed(lines):
        if not m.group(0).strip() or (start is None and _END_MARK.fullmatch(m.group(0).strip())):
            continue
        if m.start() < not_before or count >= _TAIL_LINES_MAX or not _is_tail_line(m.group(0)):
            break
        start = m.start()
        count += 1
        reaches = reaches or bool(EMAIL.search(m.group(0)) or PHONE.search(m.group(0)))
    return start if reaches else None


def _join(paragraphs: list[str]) -> str:
    # Items set one a paragraph ("<p>Name</p><p>Tel: …</p>", or one a line in
    # plain text) read as one card, a line each, as the sites print them.
    if all("\n" not in p and len(p) <= _CARD_LINE_MAX for p in paragraphs):
        return "\n".join(paragraphs)
    return "\n\n".join(paragraphs)


def continues_block(paragraph: str) -> bool:
    """Does this paragraph, after a contact block's start, still belong to it
    (another person's card, a phone or e-mail line, a name line)?"""
    return len(paragraph) <= 300 and (
        is_contact_card(paragraph)
        or bool(FIELD_LINE.match(paragraph) or EMAIL.search(paragraph) or PHONE.search(paragraph))
        or is_name_line(paragraph)
    )
