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

from pipeline.nlp.gazetteer import cities, country_names, iso3_names, regions, titles

# A capitalised word; a full stop only on a short abbreviation ("Dr.", "Ma."), so a
# run of words never crosses the end of a sentence.
_CAP = r"(?:[A-Z][a-z]{0,2}\.|[A-Z][\w'’-]*)"
_LINK = r"(?:of|for|in|the|and|on|to|at|de|du|des)"
# The run of capitalised words and connectors (commas too, for portfolios like
# "Economic Inclusion, Small Business, Employment and Skills") before a name.
LEFT_RE = re.compile(rf"((?:{_CAP}|{_LINK})(?:,?[ ](?:{_CAP}|{_LINK}))*)[ ]*,?[ ]*$")
# A person's name: capitalised words, with the particles names carry.
_PARTICLE = r"(?:de|da|del|della|di|do|dos|das|du|van|von|der|den|bin|binti|ibn|al|el|ag|ould|y|le|la)"
_NAME_TOKEN = r"(?:[A-Z][a-z]{0,2}\.|[A-Z][\w'’]*(?:-[A-Z]?[\w'’]+)*)"
NAME = rf"{_NAME_TOKEN}(?:[ ](?:{_PARTICLE}[ ])?{_NAME_TOKEN}){{1,4}}"
_STOP = r"(?=\s*(?:,|\.|;|:|\)|\(|\n|$|[ ](?:said|says|told|added|noted|explained|stressed|"
_STOP += r"welcomed|opened|called|urged|who|has|had|is|was|will|and|announced|highlighted|in|at|"
_STOP += r"on|during|after|before|from|to|as|when|while|recalled|warned|pointed|underlined|"
_STOP += r"emphasized|emphasised|described|insisted|acknowledged|confirmed|reported)\b))"
# "TITLE [of X, Y and Z], NAME" and "NAME, [IOM …] TITLE": names the NER missed.
AFTER_TITLE_RE = re.compile(rf"^(?:,?[ ](?:{_CAP}|{_LINK}))*,?[ ](?P<name>{NAME}){_STOP}")
BEFORE_TITLE_RE = re.compile(
    rf"(?P<name>{NAME}),[ ](?:the[ ]|an?[ ])?(?:(?:{_CAP}|of|for|and|the|in)[ ])*$"
)
# A signature: the name on its own line, the title on the next ("Director General, IOM").
SIGNATURE_RE = re.compile(rf"(?m)^(?P<name>{NAME})[ ]*\n(?P<role>[^\n]{{3,120}})$")
_NOT_NAME_WORDS = frozenset(
    "Ministry Ministries Department Office Organization Organisation IOM UN Government Council "
    "Agency Commission Republic Unit Programme Program Project Centre Center Committee Union "
    "Bank Fund Affairs Development Security Migration Mission Embassy Province State Region "
    "National International Regional Global Federal Coast Guard Police Authority Directorate "
    "Services Service Health Labour Labor Justice Interior Foreign Education University "
    "Institute Association Network Foundation Cross Crescent Red Nations United Coalition "
    "Initiative Partnership Platform Forum Summit Conference Agenda Compact Plan Strategy "
    "Employment Business Inclusion Integration Immigration Emigration Protection Social "
    "Welfare Family Children Women Youth Finance Trade Industry Cooperation Delegation Sub-Office "
    "Headquarters Secretariat Division Section Team Desk Hub Clinic Hospital School Camp".split()
)
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


def _title_variants() -> list[str]:
    out = set(titles())
    out |= {t.replace("'", "’") for t in titles()}
    return sorted(out, key=len, reverse=True)


@cache
def _title_re() -> re.Pattern:
    alts = "|".join(re.escape(t) for t in _title_variants())
    return re.compile(rf"(?<![\w-])(?P<title>{alts})(?![\w-])")


@cache
def _lower_title_re() -> re.Pattern:
    alts = "|".join(re.escape(t.lower()) for t in _title_variants() if t[:1].isupper())
    return re.compile(rf"(?:[a-z-]+[ ]){{0,3}}(?<![\w-])(?:{alts})s?(?![\w-])")


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


def parse_role(phrase: str, nearest_last: bool = False) -> tuple[str, str | None] | None:
    """'IOM Chief of Mission in Ghana' -> ('Chief of Mission', 'IOM Ghana').

    A phrase before a name may hold another person's role too ("Rebecca
    Thornbury, Deputy Secretary of …, and IOM Director General"): there the
    title nearest the name, the last one, is the name's (``nearest_last``)."""
    phrase = phrase.strip(" ,")
    if nearest_last:
        titles_found = list(_title_re().finditer(phrase))
        if titles_found:
            start = max((m.end() for m in re.finditer(r",[ ]|\band[ ]", phrase[: titles_found[-1].start()])),
                        default=0)
            phrase = phrase[start:]
    m = _title_re().search(phrase)
    if not m:
        # "an IOM resettlement operations officer": a role described in lower case.
        lm = _lower_title_re().search(phrase)
        if lm and re.match(r"^(?:an?|the|their|its|our|one of (?:the|our|its))\b", phrase):
            org = re.search(r"\b(" + "|".join(map(re.escape, _ORGS)) + r")\b", phrase)
            return lm.group(0), org.group(1) if org else None
        return None
    before = phrase[: m.start()].strip()
    title = m.group("title")
    # "Deputy Permanent Secretary", "Acting Chief of Mission": the modifier is the title's.
    mod = re.search(r"(?:^|\s)((?:Deputy|Senior|Acting|Assistant|Vice|Interim|Joint|Associate)"
                    r"(?:\s(?:Deputy|Senior|Acting|Assistant|Vice|Interim|Joint|Associate))*)$",
                    before)
    if mod:
        title = f"{mod.group(1)} {title}"
        before = before[: mod.start()].strip()
    after = phrase[m.end() :].strip()
    place = None
    # "for Asia and the Pacific", "of Interior" belong to the title; "in X" is a place.
    extra = re.match(r"^((?:of|for) (?:the )?[A-Z][\w'’-]*(?: (?:and|of|the|for|[A-Z][\w'’-]*))*)",
                     after)
    orgs = "|".join(map(re.escape, _ORGS))
    of_org = re.match(rf"^(?:of|for|at|with) (?:the )?((?:{orgs})\b.*)$", after)
    if of_org:
        return title, of_org.group(1).strip()
    body = re.match(r"^(?:of|at) (?:the )?((?:Ministry|Department|Office|Embassy|Government|"
                    r"Council|Commission|Agency|Directorate|Bureau|National|State)\b[^,;]*)$", after)
    if body:
        # "Deputy Secretary of the Department of Home Affairs": the body is the org.
        return title, body.group(1).strip()
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
    before = re.sub(r"^(?:the|The|and|said|says)\b\s*", "", before).strip(" ,")
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


@cache
def _title_words() -> frozenset[str]:
    words = {w for t in titles() for w in t.split() if w[:1].isupper()}
    return frozenset(words | {"Mission", "Office", "Affairs", "Staff", "Operations", "DG"})


def clean_name(name: str) -> str:
    name = name.split("\n")[0]
    name = re.sub(r"\s+", " ", name).strip(" ,.;:")
    name = re.sub(r"['’]s?$", "", name)
    name = NAME_PREFIX.sub("", name).strip()
    tokens = name.split()
    # "Mission Brendan O'Keeffe": the NER took the end of a title with the name.
    while len(tokens) > 2 and tokens[0] in _title_words():
        tokens = tokens[1:]
    return trim_name(" ".join(tokens))


def looks_like_name(name: str) -> bool:
    tokens = name.split()
    return (
        2 <= len(tokens) <= 5
        and tokens[0] not in _FUNCTION_WORDS
        and all(t[:1].isupper() or t in _PARTICLES for t in tokens)
        and not any(t.strip(".,") in _NOT_NAME_WORDS for t in tokens)
        and not _is_place(name)
        and not any(t.isupper() and len(t) > 1 for t in tokens)
    )


def _is_place(name: str) -> bool:
    return name in country_names() or name in regions() or name in cities()


def _is_big_place(word: str) -> bool:
    """A country, region or city of a million people: "Hamamatsu Takashi Miyamoto"
    is a place and a name, "Ana Lucía Ferrer" is a name."""
    if word in country_names() or word in regions():
        return True
    return any(c.population >= 1_000_000 for c in cities().get(word, ()))


def trim_name(name: str) -> str:
    """Cut what the NER glued to a name: a place before it ("Hamamatsu
    Takashi Miyamoto"), an organisation after it."""
    tokens = name.split()
    for i, t in enumerate(tokens):
        if t in _NOT_NAME_WORDS or (t.isupper() and len(t) > 1):
            tokens = tokens[:i]
            break
    while len(tokens) > 2 and _is_big_place(tokens[0]):
        tokens = tokens[1:]
    return " ".join(tokens)


_PARTICLES = frozenset(_PARTICLE[3:-1].split("|"))
_FUNCTION_WORDS = frozenset("The A An In On At But And Or For Of By With From As To This That".split())


def _extend_left(text: str, start: int, end: int) -> tuple[int, int]:
    """Take back first names the NER left out ("said Luz [Marina Cárdenas]")."""
    for _ in range(2):
        before = text[max(0, start - 40) : start]
        m = re.search(r"([A-Z][\w'’-]*|[A-Z][a-z]?\.)[ ]$", before)
        if not m or len(text[start:end].split()) >= 4:
            break
        word = m.group(1)
        # "Governor of Aceh Teuku Rizal Fahmi": the word after "of" is the title's.
        if re.search(r"\b(?:of|for|in|at)[ ]$", before[: m.start()]):
            break
        if (word in _title_words() or word in _NOT_NAME_WORDS or word in _FUNCTION_WORDS
                or country_names().get(word) or word in regions()):
            break
        start -= len(m.group(0))
    return start, end


def _plausible(text: str, name: str) -> bool:
    """Not a phrase of common words ("Climate Change", "Vocational Training"):
    a name has a word that does not also occur in lower case in the release."""
    tokens = [t for t in re.findall(r"[\w'’-]+", name) if t[:1].isupper()]
    if not tokens or " and " in name or all(t in _title_words() for t in tokens):
        return False
    lowered = text.lower()
    return not all(
        re.search(rf"(?<![\w-]){re.escape(t.lower())}(?![\w-])", text) is not None
        or (t in _NOT_NAME_WORDS)
        for t in tokens
    ) or tokens[0].lower() not in lowered


def title_anchored_names(text: str) -> list[tuple[int, int]]:
    """Name spans next to a job title, for names the statistical NER missed."""
    spans = []
    for m in _title_re().finditer(text):
        line_end = text.find("\n", m.end())
        after = text[m.end() : line_end if line_end != -1 else len(text)][:200]
        am = AFTER_TITLE_RE.match(after)
        if am:
            start, end = m.end() + am.start("name"), m.end() + am.end("name")
            # "…for Diaspora Affairs, Roseline Njeri Kathure": the greedy run may have
            # taken the first names; a name starts after the last comma.
            comma = after.rfind(", ", 0, am.end("name"))
            if comma != -1 and looks_like_name(after[comma + 2 : am.end("name")]):
                start = m.end() + comma + 2
            # "… Climate Change and Environmental Coordination, said": the end of
            # a coordinated name, not a person.
            joined = re.search(r"(?:\band|\bof|\bfor|\bthe|&)[ ]$", text[max(0, start - 5) : start])
            if looks_like_name(text[start:end]) and not joined:
                spans.append((start, end))
        line_start = text.rfind("\n", 0, m.start()) + 1
        before = text[max(line_start, m.start() - 200) : m.start()]
        bm = BEFORE_TITLE_RE.search(before)
        if bm and looks_like_name(bm.group("name")):
            offset = m.start() - len(before)
            spans.append((offset + bm.start("name"), offset + bm.end("name")))
    for sm in SIGNATURE_RE.finditer(text):
        if looks_like_name(sm.group("name")) and _title_re().search(sm.group("role")):
            spans.append((sm.start("name"), sm.end("name")))
    return spans


def find_officials(
    text: str, persons: list[tuple[int, int]], exclude_names: set[str] = frozenset()
) -> list[dict[str, str | None]]:
    """Officials among the name spans (char offsets, see ``person_spans``)."""
    mentions: list[Mention] = []
    spans = persons
    # A title-anchored name inside a PERSON span (or the other way) is one mention.
    kept: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda se: (se[0], -(se[1] - se[0]))):
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end))
    for start, end in kept:
        raw = text[start:end]
        name = clean_name(raw)
        if not name or not name[0].isupper() or len(name) < 3 or _is_place(name):
            continue
        # Words cleaned off the front ("Spokesperson Mahmuda Rahman") are context.
        if raw.find(name) > 0:
            start += raw.find(name)
        line_start = text.rfind("\n", 0, start) + 1
        left = text[line_start:start]
        mention = Mention(name=name, start=start)
        prefix_title = NAME_PREFIX.match(raw)
        role = None
        lm = LEFT_RE.search(left)
        if lm:
            role = parse_role(lm.group(1), nearest_last=True)
        if role is None:
            low = re.search(
                r"((?:IOM|UNHCR|UNICEF|WFP|WHO)[\w ’']*?['’]s?)[ ]+([a-z][a-z -]{2,40})[ ]*,?[ ]*$", left
            )
            if low and _lower_title_re().fullmatch(low.group(2).strip()):
                role = (low.group(2).strip(), re.sub(r"['’]s?$", "", low.group(1)).strip())
        if role is None:
            rm = RIGHT_RE.match(text[end:])
            if rm:
                role = parse_role(rm.group(1))
        if role is None:
            sig = re.match(r"[ ]*\n([^\n,]{3,80})", text[end:])
            if sig:
                role = parse_role(sig.group(1))
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


def person_spans(text: str, persons: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Plausible name spans: the NER's PERSONs (first names taken back) and
    the names found next to job titles."""
    spans = {_extend_left(text, s, e) for s, e in [*persons, *title_anchored_names(text)]}
    return sorted((s, e) for s, e in spans
                  if _plausible(text, text[s:e]) and not _ends_a_place(text, s, e))


def _ends_a_place(text: str, start: int, end: int) -> bool:
    """"New Guinea" read as a name inside "Papua New Guinea"."""
    line_start = text.rfind("\n", 0, start) + 1
    words = text[line_start:end].split()
    n = len(text[start:end].split())
    for k in range(n + 1, min(len(words), n + 3) + 1):
        if _is_place(" ".join(words[-k:])):
            return True
    return False


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
    out = []
    for p in sorted(people, key=lambda x: min(x.mentions)):
        # A press contact named in the body with a role is an official too; one
        # without a role is filtered out here like anybody else.
        if not (p.title or p.org) or len(p.name.split()) < 2:
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
