"""Assembling a Release from cleaned paragraphs; plain-text releases.

Both roads (HTML pages and plain text) end in ``assemble_release``: the
contact block is split off the end of the paragraphs, the dateline is read
from the first paragraph (which stays in the body whole, so the body is
the release text as published), the date falls back to the dateline's,
and the language is detected on the title and body.

``clean_text`` reads a release that arrives as text: the first line that
is not chrome is the headline (pages flattened to text carry their menus
above it), the rest is the body, cleaned by the same line rules as HTML.
"""

from __future__ import annotations

from pipeline.clean import chrome
from pipeline.clean.contact import split_contact_block
from pipeline.clean.language import detect_language
from pipeline.clean.metadata import parse_metadata_line, split_dateline
from pipeline.clean.text import (
    CleanedText,
    clean_paragraphs,
    normalize,
    repeated_lines,
    split_blocks,
)
from pipeline.records import Release

NO_BODY = "no article body found"
EMPTY = "empty page"


def assemble_release(
    release_id: str,
    url: str | None,
    title: str,
    paragraphs: list[str],
    date: str | None = None,
    site_tags: dict[str, list[str]] | None = None,
    declared_language: str | None = None,
    kind: str = "press_release",
) -> Release:
    body_paragraphs, contact_block = split_contact_block(paragraphs)
    dateline = _dateline(body_paragraphs)
    body = "\n\n".join(body_paragraphs)
    title = " ".join(title.split())
    return Release(
        id=release_id,
        url=url,
        title=title,
        body=body,
        date=date or (dateline.date if dateline else None),
        dateline=dateline.place if dateline else None,
        language=detect_language(f"{title}\n{body}", declared_language),
        contact_block=contact_block,
        site_tags=site_tags or {},
        kind=kind,
        errors=[] if body else [NO_BODY],
    )


def _dateline(paragraphs: list[str]):
    """The dateline of the first paragraph, or of the second under a heading."""
    if not paragraphs:
        return None
    found = split_dateline(paragraphs[0])
    first = paragraphs[0]
    if found is None and len(paragraphs) > 1 and len(first) < 150 and not (
        chrome.looks_like_sentence(first)
    ):
        found = split_dateline(paragraphs[1])
    return found


def failed_release(release_id: str, url: str | None, reason: str, title: str = "") -> Release:
    """A Release that records why there is nothing in it; nothing invented."""
    return Release(id=release_id, url=url, title=title, body="", errors=[reason])


def clean_text(raw: str, release_id: str, url: str | None = None) -> Release:
    """A plain-text release: headline = first line that is not chrome. Never raises."""
    text = normalize(raw or "")
    lines = text.split("\n")
    headline_at = _headline_index(lines)
    if headline_at is None:
        return failed_release(release_id, url, EMPTY if not text.strip() else NO_BODY)
    header = CleanedText()
    for line in lines[:headline_at]:
        found = parse_metadata_line(line)
        if found is not None:
            header.take(found)
    rest = lines[headline_at + 1 :]
    # Without blank lines each line (or each unwrapped run) is a paragraph.
    one_block_per_line = all(line.strip() for line in rest)
    blocks = split_blocks("\n".join(rest))
    cleaned = clean_paragraphs(
        ["\n".join(block) for block in blocks], lines_are_paragraphs=one_block_per_line
    )
    header.take(cleaned.metadata())
    return assemble_release(
        release_id=release_id,
        url=url,
        title=lines[headline_at],
        paragraphs=cleaned.paragraphs,
        date=header.date,
        site_tags=header.site_tags,
    )


def _headline_index(lines: list[str]) -> int | None:
    """The first line that is neither chrome, metadata, caption nor a repeated label."""
    stripped = [line.strip() for line in lines]
    nonempty = [i for i, line in enumerate(stripped) if line]
    repeated = {nonempty[k] for k in repeated_lines([stripped[i] for i in nonempty])}
    for position, i in enumerate(nonempty):
        line = stripped[i]
        if i in repeated or chrome.is_chrome_line(line) or chrome.is_caption(line):
            continue
        if parse_metadata_line(line) is not None:
            continue
        following = stripped[nonempty[position + 1]] if position + 1 < len(nonempty) else ""
        if _glued_to(line, following):
            continue
        return i
    return None


def _glued_to(line: str, following: str) -> bool:
    """"Who We Are" above "WHO WE AREThe International…": a label and its blurb."""
    if len(line) > 60 or len(following) <= len(line):
        return False
    head = following[: len(line)]
    return head.casefold() == line.casefold() and following[len(line)].isupper()
