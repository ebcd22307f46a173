"""Officials: named people with a role, their title and organisation.

A person is an official when the text gives them a title: before the name
("IOM Chief of Mission in Ghana, Kofi Mensah-Arthur,", "Minister of Interior
Amina Wekesa"), after it ("Aiko Tanaka, IOM Regional Director for Asia and
the Pacific,", "said NAME, IOM Azerbaijan Chief of Mission"), or through a
possessive office ("IOM Athens' Maria Pappas said"). Later short mentions
("said Veerassamy", "DG Marsh-Okoro") are merged into the same person.
People quoted without a role are not officials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from pipeline.nlp.gazetteer import country_names, iso3_names, titles

_CAP = r"[A-Z][\w'’.-]*"
_LINK = r"(?:of|for|in|the|and|on|to|at|de|du|des)"
# The run of capitalised words and connectors right before a name.
LEFT_RE = re.compile(rf"((?:{_CAP}|{_LINK})(?:[ ](?:{_CAP}|{_LINK}))*)[ ]*,?[ ]*$")
# The phrase right after "NAME, ".
RIGHT_RE = re.compile(r"^\s*,\s*([^,.;:()“”\"\n]{3,160}?)(?=\s*(?:,|\.|;|\)|\n|$| said| says))")
POSSESSIVE_RE = re.compile(rf"((?:IOM|UNHCR|UNICEF|WFP|WHO|UNDP)(?:[ ]{_CAP}){{0,3}})['’]s?[ ]*$")
NAME_PREFIX = re.compile(
    r"^(?:(?:Ambassador|Minister|Deputy Minister|Governor|Mayor|President|Dr\.?|Prof\.?|Mr\.?|"
    r"Ms\.?|Mrs\.?|DG|DDG|Director General|Director|Chief|Commissioner|Secretary|Judge|"
    r"General|Colonel|Captain|Sheikh|Father|Sister)\s+)+"
)
_ORGS = ("IOM", "UNHCR", "UNICEF", "WFP", "WHO", "UNDP", "ILO", "UNODC", "UNFPA", "OCHA",
         "UNOPS", "UN Women", "UN-Habitat", "EU", "ECOWAS", "IGAD", "ASEAN", "AU")


@cache
def _title_re() -> re.Pattern:
    alts = "|".join(re.escape(t) for t in titles())
    return re.compile(rf"(?<![\w-])(?P<title>{alts})(?![\w-])")


@dataclass
class Mention:
    name: str
    start: int
    title: str | None = None
    org: str | None = None


@dataclass
class Official:
    name: str
    title: str | None = None
    org: str | None = None
    mentions: list[int] = field(default_factory=list)


def parse_role(phrase: str) -> tuple[str, str | None] | None:
    """'IOM Chief of Mission in Ghana' -> ('Chief of Mission', 'IOM Ghana')."""
    phrase = phrase.strip(" ,")
    m = _title_re().search(phrase)
    if not m:
        return None
    before = phrase[: m.start()].strip()
    title = m.group("title")
    after = phrase[m.end() :].strip()
    place = None
    # "for Asia and the Pacific", "of Interior" belong to the title; "in X" is a place.
    extra = re.match(r"^((?:of|for) (?:the )?[A-Z][\w'’-]*(?: (?:and|of|the|for|[A-Z][\w'’-]*))*)",
                     after)
    if extra and not title.endswith((" of", " for")):
        tail = extra.group(1)
        org_in_tail = re.search(r"\b(?:of|for) (?:the )?(" + "|".join(map(re.escape, _ORGS)) + r")$",
                                tail)
        if org_in_tail:
            before = (before + " " + org_in_tail.group(1)).strip()
            tail = tail[: org_in_tail.start()].strip()
        title = f"{title} {tail}".strip()
        after = after[extra.end() :].strip()
    loc = re.match(r"^(?:in|to) (?:the )?(.+)$", after)
    if loc:
        place = loc.group(1)
    org = _org_from(before, place)
    return title, org


def _org_from(before: str, place: str | None) -> str | None:
    before = re.sub(r"^(?:the|The|and|said|says)\s+", "", before).strip(" ,")
    before = re.sub(r"['’]s?$", "", before).strip()
    if place:
        short = _country_short(place)
        if before in ("IOM", "UNHCR", "UNICEF", "WFP", "UNDP") and short:
            return f"{before} {short}"
    if not before:
        return None
    short = _country_short(before)
    if short and before.split()[0] not in _ORGS:
        return f"Government of {short}"
    return before


def _country_short(text: str) -> str | None:
    entry = country_names().get(text) or country_names().get(re.sub(r"^the ", "", text))
    if entry and not entry.demonym:
        return iso3_names().get(entry.iso3, text)
    return None


def clean_name(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" ,.;:")
    name = re.sub(r"['’]s?$", "", name)
    return NAME_PREFIX.sub("", name).strip()


def find_officials(
    text: str, persons: list[tuple[int, int]], exclude_names: set[str] = frozenset()
) -> list[dict[str, str | None]]:
    """Officials from PERSON spans (char offsets) in ``text``."""
    mentions: list[Mention] = []
    for start, end in persons:
        raw = text[start:end]
        name = clean_name(raw)
        if not name or not name[0].isupper() or len(name) < 3:
            continue
        line_start = text.rfind("\n", 0, start) + 1
        left = text[line_start:start]
        mention = Mention(name=name, start=start)
        prefix_title = NAME_PREFIX.match(raw)
        role = None
        lm = LEFT_RE.search(left)
        if lm:
            role = parse_role(lm.group(1))
        if role is None:
            rm = RIGHT_RE.match(text[end:])
            if rm:
                role = parse_role(rm.group(1))
        if role is None and prefix_title:
            role = (prefix_title.group(0).strip(), None)
        if role is None:
            pm = POSSESSIVE_RE.search(left)
            if pm:
                role = (None, pm.group(1).strip())
        if role:
            mention.title, mention.org = role
        mentions.append(mention)
    return _merge(mentions, exclude_names)


def _merge(mentions: list[Mention], exclude_names: set[str]) -> list[dict[str, str | None]]:
    people: list[Official] = []
    for m in sorted(mentions, key=lambda x: (-len(x.name.split()), x.start)):
        person = _same_person(people, m.name)
        if person is None:
            person = Official(name=m.name)
            people.append(person)
        person.mentions.append(m.start)
        if m.title and not person.title:
            person.title = m.title
        if m.org and not person.org:
            person.org = m.org
    excluded = {n.lower() for n in exclude_names}
    out = []
    for p in sorted(people, key=lambda x: min(x.mentions)):
        if not (p.title or p.org) or p.name.lower() in excluded or len(p.name.split()) < 2:
            continue
        out.append({"name": p.name, "title": p.title, "org": p.org})
    return out


def _same_person(people: list[Official], name: str) -> Official | None:
    tokens = name.split()
    for p in people:
        full = p.name.split()
        if name == p.name:
            return p
        # A short mention: the surname (or surname part) of a full name.
        if len(tokens) < len(full) and tokens == full[-len(tokens) :]:
            return p
        if len(tokens) == 1 and tokens[0] in full:
            return p
    return None
