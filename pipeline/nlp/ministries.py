"""Ministries and departments named in a release, one name each.

"the Ministries of Justice, Immigration and Integration, as well as the
Ministries of Foreign Affairs" gives three names; a portfolio that is itself
a compound real name ("Labour and Social Security") is kept whole, using
``data/portfolios.txt``. A minister's portfolio names the ministry ("Minister
of Health" -> "Ministry of Health"); "<Portfolio> Ministry" is turned round.
Country attribution comes from a possessive or adjective before the name
("Iran's", "Thai") or "of <Country>" after it; a bracketed acronym after the
name is kept as its alias.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.nlp.gazetteer import country_names, portfolios

# A word of a portfolio; "Expatriates' Welfare", "Women’s Promotion" keep their apostrophe.
_WORD = r"[A-Z][\w&-]*(?:(?:['’]s?)(?= [A-Z]))?"
_CONNECT = r"(?:and|of|for|the|on|&)"
# A portfolio: capitalised words, optionally joined by connectors and commas.
_PORTFOLIO = rf"{_WORD}(?:(?:, | ){_CONNECT}? ?{_WORD}| {_CONNECT} {_WORD})*"
_HEAD = r"(?P<head>Ministry|Ministries|Minister|Ministers|Department|Departments)"
_BEFORE = r"(?:(?P<owner>[A-Z][\w’'-]*(?:\s[A-Z][\w’'-]*)?)(?:['’]s?)?\s+)?"
MINISTRY_RE = re.compile(
    rf"{_BEFORE}{_HEAD} (?:of|for) (?P<portfolio>(?:the )?{_PORTFOLIO})"
    r"(?:\s*\((?P<alias>[A-Z][A-Za-z&]{1,9})\))?"
)
REVERSED_RE = re.compile(
    r"\b(?P<portfolio>(?:Foreign|Interior|Health|Labour|Labor|Justice|Defence|Defense|"
    r"Education|Finance|Agriculture|Environment|Home|Immigration|Foreign Affairs|"
    r"Home Affairs|Social Affairs|Women's Affairs)) Ministry\b"
    r"(?:\s*\((?P<alias>[A-Z][A-Za-z&]{1,9})\))?"
)
_REVERSED_NAMES = {
    "Foreign": "Foreign Affairs",
    "Home": "Home Affairs",
    "Labor": "Labor",
    "Defense": "Defense",
}
# Words that end a portfolio when they follow "and": another actor, not a portfolio.
_NOT_PORTFOLIO = re.compile(r"^(?:[A-Z]{2,}\b|The\b|IOM\b|UN\b|Government\b|Governments\b)")


def _trim(portfolio: str) -> tuple[str, str | None]:
    """Cut a portfolio where a second actor starts ("Health and UNICEF",
    "Home Affairs, the Gift of the Givers", "… of Mauritius and Madagascar's
    Ministry …"); a trailing "of <Country>" is the owner, not the portfolio."""
    parts = re.split(r"(\s+and\s+|,\s+(?:and\s+)?)", portfolio)
    kept = [parts[0]]
    for sep, word in zip(parts[1::2], parts[2::2], strict=False):
        first = word.split()[0] if word.split() else ""
        entry = country_names().get(first)
        if (not word.strip() or _NOT_PORTFOLIO.match(word) or first in ("the", "The")
                or (entry and not entry.demonym) or "Ministry" in word or "Department" in word):
            break
        kept += [sep, word]
    text = "".join(kept).strip()
    owner = None
    m = re.search(r"\s+of\s+(?:the\s+)?([A-Z][\w' -]+)$", text)
    if m and country_names().get(m.group(1)) and not country_names()[m.group(1)].demonym:
        owner, text = country_names()[m.group(1)].iso3, text[: m.start()]
    return text, owner


def split_portfolios(text: str) -> list[str]:
    """'Justice, Immigration and Integration' -> ['Justice', 'Immigration and Integration']."""
    known = portfolios()
    if text in known:
        return [text]
    items = [p.strip() for p in re.split(r",\s*(?:and\s+)?|\s+as well as\s+", text) if p.strip()]
    out: list[str] = []
    for item in items:
        if item in known or " and " not in item:
            out.append(item)
            continue
        # "Health and Education": split unless a known compound starts or ends it.
        for compound in sorted(known, key=len, reverse=True):
            if item.endswith(compound) or item.startswith(compound):
                rest = item.replace(compound, "").strip()
                rest = re.sub(r"^and\s+|\s+and$", "", rest)
                out.extend([p for p in re.split(r"\s+and\s+", rest) if p] + [compound])
                break
        else:
            out.extend(p for p in re.split(r"\s+and\s+", item) if p)
    return out


def _owner_iso3(owner: str | None) -> str | None:
    if not owner:
        return None
    for candidate in (owner, owner.split()[-1]):
        entry = country_names().get(candidate)
        if entry:
            return entry.iso3
    return None


def find_ministries(text: str, person_starts: frozenset[int] = frozenset()) -> list[dict[str, Any]]:
    """Ministries in ``text``; a portfolio stops where a person's name starts."""
    found: dict[str, dict[str, Any]] = {}

    def add(kind: str, portfolio: str, iso3: str | None, alias: str | None) -> None:
        portfolio = portfolio.strip(" ,")
        if not portfolio:
            return
        name = f"{kind} of {portfolio}"
        entry = found.setdefault(name, {"name": name, "iso3": None, "aliases": []})
        if iso3 and not entry["iso3"]:
            entry["iso3"] = iso3
        if alias and alias not in entry["aliases"]:
            entry["aliases"].append(alias)

    for m in MINISTRY_RE.finditer(text):
        head = m.group("head")
        kind = "Department" if head.startswith("Department") else "Ministry"
        start = m.start("portfolio")
        portfolio = m.group("portfolio")
        cut = min((p - start for p in person_starts if start < p < m.end("portfolio")), default=None)
        if cut is not None:
            portfolio = portfolio[:cut]
        if head in ("Minister", "Ministers"):
            # "Minister of Health, Jane Doe": a minister's portfolio ends at a comma.
            portfolio = portfolio.split(",")[0]
            if portfolio.strip() in ("State", "the State"):  # "Minister of State": a rank
                continue
        portfolio, of_owner = _trim(portfolio)
        plural = head.endswith("s")
        parts = split_portfolios(portfolio) if plural else [portfolio]
        iso3 = _owner_iso3(m.group("owner")) or of_owner
        for part in parts:
            add(kind, part, iso3, m.group("alias") if len(parts) == 1 else None)
    for m in REVERSED_RE.finditer(text):
        word = m.group("portfolio")
        add("Ministry", _REVERSED_NAMES.get(word, word), None, m.group("alias"))
    return list(found.values())
