"""Ministries and government departments named in a release, one name each.

"the Ministries of Justice, Immigration and Integration, as well as the
Ministries of Foreign Affairs" gives three names; a portfolio that is itself
a compound real name ("Labour and Social Security") is kept whole, using
``data/portfolios.txt``. "<Portfolio> Ministry" is turned round ("Health
Ministry" -> "Ministry of Health"). Country attribution comes from a
possessive or adjective before the name ("Iran's", "Thai") or "of <Country>"
after it; a bracketed acronym after the name is kept as its alias.

Nothing is invented: every name is a span of the text, or one part of a
coordinated plural whose parts are spans. So
- a minister's title does not name a ministry ("Minister of Health" alone
  gives none) unless ``from_ministers`` is set (the corpus's annotation rule
  counts it; the agency's archivists do not);
- a sub-unit is cut off its ministry ("Ministry of Interior's Department for
  Migration" -> "Ministry of Interior"), and a department that is a unit of a
  ministry or of an international organisation ("IOM's Department of
  Operations", "the UN Department of …") is not a ministry;
- a name cut off by the end of an excerpt is dropped;
- two spellings of one ministry ("Ministry of the Interior", "Interior
  Ministry") are one, under the first spelling.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pipeline.nlp.gazetteer import country_names
from pipeline.nlp.lexicon import Lexicon, default_lexicon
from pipeline.nlp.text import ends_cut

# A word of a portfolio; "Expatriates' Welfare", "Women’s Promotion" keep their apostrophe.
_WORD = r"[A-Z][\w&-]*(?:(?:['’]s?)(?= [A-Z]))?"
_CONNECT = r"(?:and|of|for|the|on|&)"
# A portfolio: capitalised words, optionally joined by connectors and commas.
_PORTFOLIO = (rf"{_WORD}(?:(?:, | ){_CONNECT}? ?{_WORD}| {_CONNECT} {_WORD}|,? and of (?:the )?{_WORD}"
              rf"| and the {_WORD})*")
_HEAD = r"(?P<head>Ministry|Ministries|Minister|Ministers|Department|Departments)"
_BEFORE = r"(?:(?P<owner>[A-Z][\w’'-]*(?:\s[A-Z][\w’'-]*)?)(?P<poss>['’]s?)?\s+)?"
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
_REVERSED_NAMES = {"Foreign": "Foreign Affairs", "Home": "Home Affairs"}
# A unit inside a ministry: where a portfolio stops ("… Interior's Department for …").
_UNIT = re.compile(r"(?:['’]s?)?\s+(?:Department|Departments|Directorate|Bureau|Office|Division|"
                   r"Unit|Section|Agency|General Directorate|Directorate-General)\b.*$")


class MinistryRules:
    """Ministries of a text, by the rules above, with one lexicon's lists."""

    def __init__(self, lex: Lexicon, from_ministers: bool = False) -> None:
        self.portfolios = frozenset(lex.portfolios)
        self.from_ministers = from_ministers
        orgs = lex.org_alternation or "IOM"
        # Words that end a portfolio when they follow "and": another actor.
        self.not_portfolio = re.compile(
            rf"^(?:[A-Z]{{2,}}\b|The\b|{orgs}\b|UN\b|Government\b|Governments\b)")
        # A department owned by an international organisation or a university.
        self.not_government = re.compile(
            rf"(?:\b(?:{orgs}|UN|United Nations|University|university|Police|police)(?:['’]s?)?"
            r"(?:\s+[A-Z][\w'’-]*){0,3}\s*$)")

    def _trim(self, portfolio: str, after: str = "") -> tuple[str, str | None]:
        """Cut a portfolio where a second actor starts ("Health and UNICEF",
        "Home Affairs, the Gift of the Givers", "… of Mauritius and Madagascar's
        Ministry …", "Social Welfare and Canadian employers": an adjective of
        a country that a lower-case noun follows) or a unit of it starts; a trailing "of <Country>" is the
        owner, not the portfolio."""
        portfolio = _UNIT.sub("", portfolio)
        parts = re.split(r"(\s+and\s+|,\s+(?:and\s+)?)", portfolio)
        kept = [parts[0]]
        last = len(parts) - 1
        for i in range(1, last, 2):
            sep, word = parts[i], parts[i + 1]
            first = word.split()[0] if word.split() else ""
            entry = country_names().get(first)
            if (not word.strip() or self.not_portfolio.match(word)
                    or (first in ("the", "The") and not self._the_portfolio(word))
                    or (entry and not entry.demonym) or "Ministry" in word or "Department" in word
                    or (entry and i + 1 == last and word.strip() == first
                        and re.match(r"\s+[a-z]", after))):
                break
            kept += [sep, word]
        text = "".join(kept).strip()
        owner = None
        m = re.search(r"\s+of\s+(?:the\s+)?([A-Z][\w' -]+)$", text)
        if m and country_names().get(m.group(1)) and not country_names()[m.group(1)].demonym:
            owner, text = country_names()[m.group(1)].iso3, text[: m.start()]
        return text, owner

    def _the_portfolio(self, item: str) -> bool:
        """"the Interior", "the Interior of Belize": a portfolio written with
        "the" (data/portfolios.txt), not a second actor ("the Gift of the Givers")."""
        m = re.fullmatch(r"(the [A-Z][\w-]*)(?:\s+of\s+(?:the\s+)?(?P<owner>[A-Z][\w' -]*))?",
                         item.strip())
        if not m or m.group(1) not in self.portfolios:
            return False
        owner = country_names().get(m.group("owner") or "")
        return m.group("owner") is None or (owner is not None and not owner.demonym)

    def split_portfolios(self, text: str) -> list[str]:
        """'Justice, Immigration and Integration' -> ['Justice', 'Immigration and Integration'].

        A repeated "of" marks where each portfolio starts, so what lies between
        two is one whole portfolio: "Justice and of Health, Labour and Welfare"
        -> Justice; Health, Labour and Welfare; "Labour, Employment and Social
        Security, and of Foreign Affairs" -> Labour, Employment and Social
        Security; Foreign Affairs."""
        parts = [p.strip() for p in
                 re.split(r"(?:,\s+(?:and\s+)?|,?\s+and\s+)of\s+(?:the\s+(?=[A-Z]))?", text)]
        parts = [p for p in parts if p]
        return parts if len(parts) > 1 else self._split_list(text)

    def _split_list(self, text: str) -> list[str]:
        known = self.portfolios
        if text in known:
            return [text]
        items = [p.strip() for p in re.split(r",\s*(?:and\s+)?|\s+as well as\s+", text)
                 if p.strip()]
        out: list[str] = []
        for item in items:
            if item in known or " and " not in item:
                out.append(item)
                continue
            # "Health and Education": split unless a known compound starts or ends it.
            for compound in sorted(known, key=lambda c: (-len(c), c)):
                if item.endswith(compound) or item.startswith(compound):
                    rest = item.replace(compound, "").strip()
                    rest = re.sub(r"^and\s+|\s+and$", "", rest)
                    others = [p for p in re.split(r"\s+and\s+", rest) if p]
                    # In the order written, so each part is found in the text.
                    out.extend([compound, *others] if item.startswith(compound)
                               else [*others, compound])
                    break
            else:
                out.extend(p for p in re.split(r"\s+and\s+", item) if p)
        return out

    def find(self, text: str, person_starts: frozenset[int] = frozenset()) -> list[dict[str, Any]]:
        """Ministries in ``text`` (``{name, iso3, aliases, spans}``, ``spans`` the
        (start, end) of each portfolio mention); a portfolio stops where a
        person's name starts."""
        found: dict[str, dict[str, Any]] = {}

        def add(kind: str, portfolio: str, start: int, iso3: str | None,
                alias: str | None) -> None:
            portfolio = portfolio.strip(" ,")
            if not portfolio or ends_cut(text, start + len(portfolio)):
                return
            name = f"{kind} of {portfolio}"
            entry = found.setdefault(_key(name), {"name": name, "iso3": None, "aliases": [],
                                                  "spans": []})
            entry["spans"].append((start, start + len(portfolio)))
            if iso3 and not entry["iso3"]:
                entry["iso3"] = iso3
            if alias and alias not in entry["aliases"]:
                entry["aliases"].append(alias)

        for m in MINISTRY_RE.finditer(text):
            head = m.group("head")
            is_minister = head in ("Minister", "Ministers")
            if is_minister and not self.from_ministers:
                continue
            kind = "Department" if head.startswith("Department") else "Ministry"
            if kind == "Department" and not self._is_government_department(text, m):
                continue
            start = m.start("portfolio")
            portfolio = m.group("portfolio")
            cut = min((p - start for p in person_starts if start < p < m.end("portfolio")),
                      default=None)
            if cut is not None:
                portfolio = portfolio[:cut]
            if is_minister:
                # "Minister of Health, Jane Doe": a minister's portfolio ends at a comma.
                portfolio = portfolio.split(",")[0]
                if portfolio.strip() in ("State", "the State"):  # "Minister of State": a rank
                    continue
            portfolio, of_owner = self._trim(portfolio, text[m.end("portfolio"):][:30])
            plural = head.endswith("s")
            parts = self.split_portfolios(portfolio) if plural else [portfolio]
            iso3 = _owner_iso3(m.group("owner")) or of_owner
            pos = start
            for part in parts:
                at = text.find(part, pos, m.end("portfolio"))
                if at == -1:  # a part that is not written as such: no span to give it
                    continue
                add(kind, part, at, iso3, m.group("alias") if len(parts) == 1 else None)
                pos = at + len(part)
        for m in REVERSED_RE.finditer(text):
            word = m.group("portfolio")
            if ends_cut(text, m.end()):
                continue
            add("Ministry", _REVERSED_NAMES.get(word, word), m.start(), None, m.group("alias"))
        return list(found.values())

    def _is_government_department(self, text: str, m: re.Match) -> bool:
        """Not a unit of a ministry ("Ministry of X's Department for …", "the
        Department of Y of the Ministry of X") nor of an organisation."""
        before = text[max(0, m.start("head") - 80) : m.start("head")]
        if re.search(r"Ministry of [^.;]*['’]s?\s*$", before) or self.not_government.search(before):
            return False
        after = text[m.end("portfolio") : m.end("portfolio") + 40]
        return not re.match(r"\s+(?:of|at|within|in) the (?:[A-Z][\w'’-]* )?Ministry\b", after)


def _key(name: str) -> str:
    """One key for the spellings of a ministry: case, "the", "for"/"of", "&"."""
    key = name.casefold().replace("&", "and")
    key = re.sub(r"^(ministry|department) (?:of|for) (?:the )?", r"\1 of ", key)
    return re.sub(r"\s+", " ", key)


def _owner_iso3(owner: str | None) -> str | None:
    if not owner:
        return None
    for candidate in (owner, owner.split()[-1]):
        entry = country_names().get(candidate)
        if entry:
            return entry.iso3
    return None


@cache
def default_rules() -> MinistryRules:
    return MinistryRules(default_lexicon())


def find_ministries(text: str, person_starts: frozenset[int] = frozenset()) -> list[dict[str, Any]]:
    return default_rules().find(text, person_starts)


def split_portfolios(text: str) -> list[str]:
    return default_rules().split_portfolios(text)
