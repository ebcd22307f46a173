"""The press contact block, split out of the body.

Releases end with who to call: "For more information, please contact
<name> at IOM <office>, Tel: …, Email: …", or "For further information",
one item per line, several contacts, a "Mobile:" number. The block starts
at the first paragraph (after the lead) that opens the way
``data/contact.json`` says and is about reaching a person (it names a way
to contact, has an e-mail or a phone field, or ends with a colon before a
list), and runs to the end of the release. It goes to
``Release.contact_block``; the body keeps everything before it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

_DATA = json.loads((Path(__file__).parent / "data" / "contact.json").read_text("utf-8"))
_OPENER = re.compile(
    r"^[\s*_>•-]*(?:" + "|".join(_DATA["openers"]) + ")", re.IGNORECASE
)
_CONTACT_WORD = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(w) for w in _DATA["contact_words"]) + r")",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"\+\s?\d[\d\s().-]{6,}\d")


def is_contact_opener(paragraph: str, following: str = "") -> bool:
    """Does this paragraph open a contact block?"""
    if not _OPENER.match(paragraph):
        return False
    if _CONTACT_WORD.search(paragraph) or _EMAIL.search(paragraph) or _PHONE.search(paragraph):
        return True
    # "For more information:" then the names on the next lines.
    return paragraph.rstrip().endswith(":") and bool(
        _EMAIL.search(following) or _PHONE.search(following) or _CONTACT_WORD.search(following)
    )


def split_contact_block(paragraphs: list[str]) -> tuple[list[str], str | None]:
    """(body paragraphs, contact block or None). The lead is never a contact block."""
    for i in range(1, len(paragraphs)):
        following = "\n".join(paragraphs[i + 1 : i + 3])
        if is_contact_opener(paragraphs[i], following):
            return paragraphs[:i], "\n\n".join(paragraphs[i:])
    return paragraphs, None
