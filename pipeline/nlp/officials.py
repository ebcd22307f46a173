"""Officials: named people with a role, their title and organisation.

A person is an official when the text gives them a title: before the name
("IOM Chief of Mission in Ghana, Kofi Mensah-Arthur,", "Minister of Interior
Amina Wekesa", "Ambassador Lt. Col. …"), after it ("Aiko Tanaka, IOM Regional
Director for Asia and the Pacific,", "said NAME, IOM Azerbaijan Chief of
Mission", "represented by NAME, IOM UK"), in ordinary words ("the agency's
senior protection specialist for Asia NAME"), or through a possessive office
("IOM Athens' Maria Pappas said"). Later short mentions ("said Veerassamy",
"DG Marsh-Okoro") are merged into the same person. People quoted without a
role are not officials. A name that the end of an excerpt cuts is dropped.

``OfficialRules`` holds the word lists (a ``Lexicon``: titles, honorifics and
ranks, role nouns, organisations, non-name words, speech verbs) and the
patterns built from them; the officials component owns one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from pipeline.clean.contact import NAME_PARTICLE
from pipeline.nlp.gazetteer import cities, country_names, iso3_names, regions
from pipeline.nlp.lexicon import Lexicon, default_lexicon
from pipeline.nlp.text import ends_cut

# A capitalised word; a full stop only on a short abbreviation ("Dr.", "Ma."), so a
# run of words never crosses the end of a sentence.
_CAP = r"(?:[A-Z][a-z]{0,2}\.|[A-Z][\w'’-]*)"
_LINK = r"(?:of|for|in|the|and|on|to|at|de|du|des)"
# The run of capitalised words and connectors (commas too, for portfolios like
# "Economic Inclusion, Small Business, Employment and Skills") before a name.
LEFT_RE = re.compile(rf"((?:{_CAP}|{_LINK})(?:,?[ ](?:{_CAP}|{_LINK}))*)[ ]*,?[ ]*$")
# A person's name: capitalised words, with the particles names carry.
_PARTICLE = NAME_PARTICLE
_NAME_TOKEN = r"(?:[A-Z][a-z]{0,2}\.|[A-Z][\w'’]*(?:-[A-Z]?[\w'’]+)*)"
NAME = rf"{_NAME_TOKEN}(?:[ ](?:{_PARTICLE}[ ])?{_NAME_TOKEN}){{1,4}}"
# A signature: the name on its own line, the title on the next ("Director General, IOM").
SIGNATURE_RE = re.compile(rf"(?m)^(?P<name>{NAME})[ ]*\n(?P<role>[^\n]{{3,120}})$")
# The phrase right after "NAME, ".
RIGHT_RE = re.compile(r"^\s*,\s*([^,.;:()“”\"\n]{3,160}?)(?=\s*(?:,|\.|;|\)|\n|$| said| says))")
_PARTICLES = frozenset(_PARTICLE[3:-1].split("|"))
_INITIAL = re.compile(r"[A-Z]\.")  # "Lamin K. Jallow": a middle initial, not an acronym
_FUNCTION_WORDS = frozenset("The A An In On At But And Or For Of By With From As To This That".split())
# A word as ``_plausible`` compares them: hyphenated parts kept together.
_WORDS = re.compile(r"(?<![\w-])[\w'’]+(?:-[\w'’]+)*(?![\w-])")
_BODY_BEFORE = re.compile(r"\b(?:Ministry|Department|Office|Directorate|Division|Unit|Agency|Bureau|"
                          r"Commission|Council|Centre|Center|Institute)\b[^,]*$")
_MODIFIERS = r"(?:Deputy|Senior|Acting|Assistant|Vice|Interim|Joint|Associate)"
# Where a role described in ordinary words starts: after an article or a possessive.
_ROLE_OPENER = re.compile(r"(?:.*\b(?:the|a|an|its|their|our|his|her|[\w.]+['’]s?)[ ]|^)(.+)$")
@dataclass
class Mention:
    name: str
    start: int
    title: str | None = None
    org: str | None = None


@dataclass
class Official:
    name: str
    start: int
    title: str | None = None
    org: str | None = None
    mentions: list[int] = field(default_factory=list)


class OfficialRules:
    """Officials of a text, by the rules above, with one lexicon's lists."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        orgs = lex.org_alternation or "IOM"
        self.orgs = tuple(lex.organisations)
        verbs = "|".join(re.escape(v) for v in lex.speech_verbs) or "said"
        stop = rf"(?=\s*(?:,|\.|;|:|\)|\(|\n|$|[ ](?:{verbs})\b))"
        # "TITLE [of X, Y and Z], NAME" and "NAME, [IOM …] TITLE": names the NER missed.
        self.after_title_re = re.compile(
            rf"^(?:,?[ ](?:{_CAP}|{_LINK}))*,?[ ](?P<name>{NAME}){stop}")
        self.before_title_re = re.compile(
            rf"(?P<name>{NAME}),[ ](?:the[ ]|an?[ ])?(?:(?:{_CAP}|of|for|and|the|in)[ ])*$")
        self.possessive_re = re.compile(rf"((?:{orgs})(?:[ ]{_CAP}){{0,3}})['’]s?[ ]*$")
        self.org_re = re.compile(rf"\b({orgs})\b")
        self.paren_org_re = re.compile(rf"^[ ]?\(((?:{orgs})(?:[ ]{_CAP}){{0,3}})\)")
        self.of_org_re = re.compile(rf"^(?:of|for|at|with) (?:the )?((?:{orgs})\b.*)$")
        self.org_tail_re = re.compile(rf"\b(?:of|for) (?:the )?({orgs})$")
        # "NAME, IOM UK": an office alone after a name.
        self.office_re = re.compile(rf"^(?:the )?(?:{orgs})(?:['’]s?)?(?:[ ]{_CAP}){{0,4}}$")
        self.low_office_re = re.compile(
            rf"((?:{orgs})[\w ’']*?['’]s?)[ ]+([a-z][a-z -]{{2,40}})[ ]*,?[ ]*$")
        # Speakers: the name right after a reporting verb ("said NAME,"), right
        # before one ("NAME said") or right after a closing quote ('…," NAME, head of').
        reporting = "|".join(re.escape(v) for v in lex.reporting_verbs)
        self.speaker_res = [
            re.compile(rf"\b(?:{reporting})[ ]+(?P<name>{NAME})(?=[ ]*[,.;])"),
            re.compile(rf"(?:^|(?<=[”\"][ ])|(?<=,[ ])|(?<=\n))(?P<name>{NAME})[ ]+(?:{reporting})\b",
                       re.MULTILINE),
            re.compile(rf"(?<=[,!?][”\"][ ])(?P<name>{NAME})(?=,)"),
        ] if reporting else []
        # "NAME, who coordinates IOM's hotline in Chisinau": the role is what they do.
        self.role_verbs = {verb: title for verb, title in lex.role_verbs}
        verbs = "|".join(re.escape(v) for v in sorted(self.role_verbs, key=len, reverse=True))
        self.relative_re = re.compile(
            rf"^[ ]*,[ ]*who[ ]+(?P<verb>{verbs})[ ]+(?P<obj>[^,.;:()“”\"\n]{{3,120}})"
        ) if verbs else None
        role = lex.role_noun_re.pattern
        tail = (r"(?:[ ](?:for|of|in|at|on)[ ](?:the[ ])?[A-Z][\w'’-]*"
                r"(?:[ ](?:and|the|of|for|[A-Z][\w'’-]*))*)")
        # "the agency's senior regional protection specialist for Asia and the Pacific,"
        self.role_left_re = re.compile(
            rf"(?P<phrase>(?:[\w'’.-]+[ ]){{0,8}}?{role}{tail}?)[ ]*,?[ ]*$")
        self.role_anchor_re = re.compile(
            rf"{role}(?:[ ](?:for|of|in|at|on)[ ](?:the[ ])?[A-Z][\w'’-]*"
            rf"(?:[ ](?:and|the|of|for|[A-Z][\w'’-]*))*?)?(?=,?[ ][A-Z])")

    # Roles --------------------------------------------------------------

    def parse_role(self, phrase: str, nearest_last: bool = False) -> tuple[str, str | None] | None:
        """'IOM Chief of Mission in Ghana' -> ('Chief of Mission', 'IOM Ghana').

        A phrase before a name may hold another person's role too ("Rebecca
        Thornbury, Deputy Secretary of …, and IOM Director General"): there the
        title nearest the name, the last one, is the name's (``nearest_last``)."""
        title_re = self.lex.title_re
        phrase = phrase.strip(" ,")
        if nearest_last:
            titles_found = list(title_re.finditer(phrase))
            if titles_found:
                start = max((m.end() for m in re.finditer(r",[ ]|\band[ ]",
                                                           phrase[: titles_found[-1].start()])),
                            default=0)
                phrase = phrase[start:]
        m = title_re.search(phrase)
        if not m:
            return self._described_role(phrase)
        before = phrase[: m.start()].strip()
        title = m.group("title")
        # "Deputy Permanent Secretary", "Acting Chief of Mission": the modifier is the title's.
        mod = re.search(rf"(?:^|\s)({_MODIFIERS}(?:\s{_MODIFIERS})*)$", before)
        if mod:
            title = f"{mod.group(1)} {title}"
            before = before[: mod.start()].strip()
        # "IOM's Medical Coordinator": capitalised words after an owner are the title's.
        owned = re.match(r"^(.*?['’]s?)[ ]+((?:[A-Z][\w-]*[ ]?)+)$", before)
        if owned and not title_re.search(owned.group(2)):
            title = f"{owned.group(2).strip()} {title}"
            before = owned.group(1)
        after = phrase[m.end() :].strip()
        place = None
        # "for Asia and the Pacific", "of Interior" belong to the title; "in X" is a place.
        extra = re.match(r"^((?:of|for) (?:the )?[A-Z][\w'’-]*(?: (?:and|of|the|for|[A-Z][\w'’-]*))*)",
                         after)
        of_org = self.of_org_re.match(after)
        if of_org:
            return title, of_org.group(1).strip()
        body = re.match(r"^(?:of|at) (?:the )?((?:[A-Z][\w'’-]*[ ]){0,3}(?:Ministry|Department|"
                        r"Office|Embassy|Government|Council|Commission|Agency|Directorate|Bureau|"
                        r"National|State)\b[^,;]*)$", after)
        if body:
            # "Deputy Secretary of the Department of Home Affairs": the body is the org.
            return title, body.group(1).strip()
        if extra and not title.endswith((" of", " for")):
            tail = extra.group(1)
            org_in_tail = self.org_tail_re.search(tail)
            if org_in_tail:
                before = (before + " " + org_in_tail.group(1)).strip()
                tail = tail[: org_in_tail.start()].strip()
            title = f"{title} {tail}".strip()
            after = after[extra.end() :].strip()
        loc = re.match(r"^(?:in|to) (?:the )?(.+)$", after)
        if loc:
            place = loc.group(1)
        return title, self._org_from(before, place)

    def _described_role(self, phrase: str) -> tuple[str, str | None] | None:
        """A role not in the title list: "an IOM resettlement operations officer",
        "IOM Community Engagement Assistant", "Surge Team leader"."""
        lm = self.lex.lower_title_re.search(phrase)
        if lm and re.match(r"^(?:an?|the|their|its|our|one of (?:the|our|its))\b", phrase):
            org = self.org_re.search(phrase)
            title = re.sub(r"^(?:(?:an?|the|their|its|our|one|of)[ ])+", "", lm.group(0))
            return title, org.group(1) if org else None
        nouns = list(self.lex.role_noun_re.finditer(phrase))
        if not nouns or len(phrase) > 120:
            return None
        title = _ROLE_OPENER.match(phrase[: nouns[-1].end()]).group(1) + phrase[nouns[-1].end():]
        org = self.org_re.search(phrase)
        if org and title.startswith(org.group(1)):
            title = title[len(org.group(1)) :]
        title = re.sub(r"^(?:['’]s?)?\s*", "", title).strip(" ,")
        # "ward councillor in Pretoria who has taken part …": the clause is no title.
        title = re.split(r"\s+(?:who|which|that|since|and has|and had)\b", title)[0]
        if not title or title.split()[0].lower() in ("and", "or", "of", "with"):
            return None
        return title, org.group(1) if org else None

    def relative_role(self, text: str, end: int) -> tuple[str, str | None] | None:
        """"NAME, who manages the centre for IOM" -> ("Centre Manager", "IOM");
        "…, who coordinates IOM's child protection programme in Tapachula" ->
        ("Child Protection Programme Coordinator", "IOM")."""
        m = self.relative_re.match(text[end:]) if self.relative_re else None
        if not m:
            return None
        obj = m.group("obj").strip()
        org = None
        lead = re.match(rf"^(?:the[ ]+)?({self.lex.org_alternation or 'IOM'})"
                        r"(?:[ ][A-Z][\w'’-]*){0,3}['’]s?[ ]+", obj)
        if lead:
            org, obj = re.sub(r"['’]s?$", "", lead.group(0).strip()), obj[lead.end():]
        obj = re.sub(r"^(?:the|a|an|its|their|our|his|her|the agency['’]s)[ ]+", "", obj)
        rest = re.search(r"[ ]+(?:in|at|for|with|of|on behalf of|across|from)[ ]+", obj)
        core, tail = (obj[: rest.start()], obj[rest.start():]) if rest else (obj, "")
        if not core or not re.fullmatch(r"[\w'’ -]{2,60}", core):
            return None
        if not org:
            found = self.org_re.search(tail)
            if found:
                office = self.lex.office_re.match(tail, found.start())
                org = office.group(0).strip() if office else found.group(1)
        title = " ".join(w[:1].upper() + w[1:] for w in core.split())
        return f"{title} {self.role_verbs[m.group('verb')]}", org

    def _org_from(self, before: str, place: str | None) -> str | None:
        before = re.sub(r"^(?:the|The|and|said|says)\b\s*", "", before).strip(" ,")
        before = re.sub(r"['’]s?$", "", before).strip()
        if place:
            short = _country_short(place)
            if before in self.orgs and short:
                return f"{before} {short}"
        if not before:
            return None
        short = _country_short(before)
        if short and before.split()[0] not in self.orgs:
            return f"Government of {short}"
        return before

    # Names --------------------------------------------------------------

    def clean_name(self, name: str) -> str:
        name = re.sub(r"\s+", " ", name.split("\n")[0]).strip(" ,.;:")
        name = re.sub(r"['’]s?$", "", name)
        name = self.lex.honorific_re.sub("", name).strip()
        tokens = name.split()
        # "Mission Brendan O'Keeffe": the NER took the end of a title with the name.
        while len(tokens) > 2 and tokens[0] in self.lex.title_words:
            tokens = tokens[1:]
        return self.trim_name(" ".join(tokens))

    def looks_like_name(self, name: str, upper_surname: bool = False) -> bool:
        """Two to five capitalised words, none a non-name word or an acronym;
        ``upper_surname``: a surname in capitals ("Grace AYIKORU", as contact
        blocks write them) is a name too, unless it is an organisation's."""
        tokens = name.split()
        orgs = self.lex.organisations

        def acronym(i: int, t: str) -> bool:
            if not (t.isupper() and len(t) > 1):
                return False
            if _INITIAL.fullmatch(t) and 0 < i < len(tokens) - 1:
                return False  # a middle initial
            if t.lower() in _PARTICLES and 0 < i < len(tokens) - 1:
                return False  # "Lorenzo DI SALVO"
            return not upper_surname or i == 0 or len(t) < 3 or t in orgs

        return (
            2 <= len(tokens) <= 5
            and tokens[0] not in _FUNCTION_WORDS
            and all(t[:1].isupper() or t in _PARTICLES for t in tokens)
            and not any(t.strip(".,") in self.lex.non_name_set for t in tokens)
            and not _is_place(name)
            and not any(acronym(i, t) for i, t in enumerate(tokens))
        )

    def trim_name(self, name: str) -> str:
        """Cut what the NER glued to a name: a place before it ("Hamamatsu
        Takashi Miyamoto"), an organisation after it."""
        tokens = name.split()
        for i, t in enumerate(tokens):
            if (t in self.lex.non_name_set or (t.isupper() and len(t) > 1)
                    or re.sub(r"['’]s?$", "", t) in self.lex.organisations):
                tokens = tokens[:i]
                break
        while len(tokens) > 2 and _is_big_place(tokens[0]):
            tokens = tokens[1:]
        return " ".join(tokens)

    def _extend_left(self, text: str, start: int, end: int) -> tuple[int, int]:
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
            # "IOM Athens' Maria Pappas": a possessive is the office, not a first name.
            if word.endswith(("'", "’", "'s", "’s")) or _is_big_place(word):
                break
            if (word in self.lex.title_words or word in self.lex.non_name_set
                    or word in _FUNCTION_WORDS or word in self.lex.rank_set
                    or country_names().get(word) or word in regions()):
                break
            start -= len(m.group(0))
        return start, end

    def _plausible(self, name: str, words: set[str], lowered: str) -> bool:
        """Not a phrase of common words ("Climate Change", "Vocational Training"):
        a name has a word that does not also occur in lower case in the release
        (``words``: the release's words as written; ``lowered``: its text in lower case)."""
        tokens = [t for t in re.findall(r"[\w'’-]+", name) if t[:1].isupper()]
        if not tokens or " and " in name or all(t in self.lex.title_words for t in tokens):
            return False
        return not all(t.lower() in words or t in self.lex.non_name_set for t in tokens
                       ) or tokens[0].lower() not in lowered

    def _name_after(self, text: str, end: int) -> tuple[int, int] | None:
        """The name right after a title or role ending at ``end``."""
        line_end = text.find("\n", end)
        after = text[end : line_end if line_end != -1 else len(text)][:200]
        am = self.after_title_re.match(after)
        if not am:
            return None
        start, stop = end + am.start("name"), end + am.end("name")
        # "Director of the Department of Social Vices Prevention": the words after
        # a body's name are that name's, not a person's.
        if _BODY_BEFORE.search(after[: am.start("name")]):
            return None
        # "…for Diaspora Affairs, Roseline Njeri Kathure": the greedy run may have
        # taken the first names; a name starts after the last comma.
        comma = after.rfind(", ", 0, am.end("name"))
        if comma != -1 and self.looks_like_name(after[comma + 2 : am.end("name")]):
            start = end + comma + 2
        # "… Climate Change and Environmental Coordination, said": the end of
        # a coordinated name, not a person.
        joined = re.search(r"(?:\band|\bof|\bfor|\bthe|&)[ ]$", text[max(0, start - 5) : start])
        name = text[start:stop]
        cleaned = self.lex.honorific_re.sub("", name)
        if cleaned != name and self.looks_like_name(cleaned):
            start += len(name) - len(cleaned)
        elif not self.looks_like_name(name):
            return None
        return None if joined else (start, stop)

    def title_anchored_names(self, text: str) -> list[tuple[int, int]]:
        """Name spans next to a job title or a role, for names the NER missed."""
        spans = []
        anchors = [m.span() for m in self.lex.title_re.finditer(text)]
        # A role's own words may end in a body's name ("director of the Department
        # of Social"): what follows is the rest of that name.
        anchors += [m.span() for m in self.role_anchor_re.finditer(text)
                    if not _BODY_BEFORE.search(m.group(0))]
        for a_start, a_end in anchors:
            found = self._name_after(text, a_end)
            if found:
                spans.append(found)
            line_start = text.rfind("\n", 0, a_start) + 1
            before = text[max(line_start, a_start - 200) : a_start]
            bm = self.before_title_re.search(before)
            if bm and self.looks_like_name(bm.group("name")):
                offset = a_start - len(before)
                spans.append((offset + bm.start("name"), offset + bm.end("name")))
        for speaker_re in self.speaker_res:
            for sm in speaker_re.finditer(text):
                name = self.lex.honorific_re.sub("", sm.group("name"))
                if self.looks_like_name(name):
                    spans.append((sm.end("name") - len(name), sm.end("name")))
        for sm in SIGNATURE_RE.finditer(text):
            if self.looks_like_name(sm.group("name")) and self.lex.title_re.search(sm.group("role")):
                spans.append((sm.start("name"), sm.end("name")))
        return spans

    def person_spans(self, text: str, persons: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Plausible name spans: the NER's PERSONs (first names taken back) and
        the names found next to job titles."""
        spans = {self._extend_left(text, s, e)
                 for s, e in [*persons, *self.title_anchored_names(text)]}
        words = set(_WORDS.findall(text))
        lowered = text.lower()
        return sorted((s, e) for s, e in spans
                      if self._plausible(text[s:e], words, lowered)
                      and not _ends_a_place(text, s, e))

    def role_follows(self, text: str, end: int) -> bool:
        """Is a name ending at ``end`` followed by its role ("NAME (IOM)",
        "NAME, Head of Office")? For names the NER labelled something else."""
        if self.paren_org_re.match(text[end:]):
            return True
        rm = RIGHT_RE.match(text[end:])
        return bool(rm and self.lex.title_re.search(rm.group(1)))

    # Officials ----------------------------------------------------------

    def _role_of(self, text: str, start: int, end: int, raw: str) -> tuple | None:
        line_start = text.rfind("\n", 0, start) + 1
        left = text[line_start:start]
        # "…, and Barrister NAME, a lawyer": an honorific right before the name is
        # its nearest word; a title further left is another person's.
        own = self._honorifics_before(left)
        # "IOM Director General NAME": there the honorific ends a longer title.
        if own and not re.search(r"[A-Z][\w'’.-]*[ ]*$", left[: len(left) - len(own)]):
            left = left[: len(left) - len(own)]
            raw = own + raw
            if re.search(r"(?:^|[ ,])and[ ]*$", left):
                left = ""
        lm = LEFT_RE.search(left)
        if lm:
            role = self.parse_role(lm.group(1), nearest_last=True)
            if role:
                return role
        low = self.low_office_re.search(left)
        if low and self.lex.lower_title_re.fullmatch(low.group(2).strip()):
            return low.group(2).strip(), re.sub(r"['’]s?$", "", low.group(1)).strip()
        rl = self.role_left_re.search(left)
        if rl:
            role = self._described_role(rl.group("phrase"))
            if role:
                return role
        rm = RIGHT_RE.match(text[end:])
        if rm:
            phrase = rm.group(1).strip()
            role = self.parse_role(phrase)
            if role:
                return role
            if self.office_re.match(phrase):
                # "represented by NAME, IOM UK": the office alone.
                return None, re.sub(r"^the ", "", phrase)
        relative = self.relative_role(text, end)
        if relative:
            return relative
        paren = self.paren_org_re.match(text[end:])
        if paren:
            # "Speakers included NAME (IOM) and …"
            return None, paren.group(1)
        cut = re.match(r"^\s*,\s*([^.;:()“”\"\n]{2,120})$", text[end:])
        if cut and ends_cut(text, len(text)):
            # "… said NAME, IOM's Regional" and the excerpt ends: the role is cut off.
            phrase = cut.group(1).strip()
            return self.parse_role(phrase) or (phrase, None)
        sig = re.match(r"[ ]*\n([^\n,]{3,80})", text[end:])
        if sig:
            role = self.parse_role(sig.group(1))
            if role:
                return role
        prefix = self.lex.honorific_re.match(raw)
        rank = self._rank(prefix.group(0) if prefix else "") or self._rank(left)
        if rank:
            return rank, None
        pm = self.possessive_re.search(left)
        if pm:
            return None, pm.group(1).strip()
        return None

    def _honorifics_before(self, left: str) -> str:
        """The honorifics and ranks that end ``left`` (with their spaces), or "":
        the longest run of capitalised words at its end that ``honorific_re``
        reads whole."""
        m = re.search(r"(?:^|(?<=[ ]))([A-Z][\w./]*(?:[ ][A-Z][\w./]*)*)[ ]+$", left)
        if not m:
            return ""
        words = m.group(1).split()
        for k in range(len(words)):
            if self.lex.honorific_re.fullmatch(" ".join(words[k:]) + " "):
                cut = left[: m.start(1)] + " ".join(words[:k]) + (" " if k else "")
                return left[len(cut):]
        return ""

    def _rank(self, words: str) -> str | None:
        """The last rank or office among the honorifics right before a name."""
        m = re.search(r"((?:[A-Z][\w.]*[ ]?)+)$", words.rstrip() + (" " if words else ""))
        if not m:
            return None
        found = None
        chunk = m.group(1).strip()
        for h in sorted(self.lex.rank_set, key=lambda r: (-len(r), r)):
            if chunk == h or chunk.endswith(" " + h) or chunk.startswith(h + " ") or f" {h} " in f" {chunk} ":
                found = h
                break
        return found

    def find_officials(self, text: str, persons: list[tuple[int, int]],
                       exclude_names: set[str] = frozenset()) -> list[dict]:
        """Officials among the name spans (char offsets, see ``person_spans``):
        ``{name, title, org, start, end}``, ``start``/``end`` the first full mention."""
        mentions: list[Mention] = []
        kept: list[tuple[int, int]] = []
        # A title-anchored name inside a PERSON span (or the other way) is one
        # mention; of two overlapping spans the longer is the name ("[Samar Ma].
        # Teresa Abuyen" against "Ma. Teresa Abuyen").
        for start, end in sorted(persons, key=lambda se: (se[0], -(se[1] - se[0]))):
            if kept and start < kept[-1][1]:
                if end - start > kept[-1][1] - kept[-1][0]:
                    kept[-1] = (start, end)
                continue
            kept.append((start, end))
        for start, end in kept:
            raw = text[start:end]
            name = self.clean_name(raw)
            if not name or not name[0].isupper() or len(name) < 3 or _is_place(name):
                continue
            offset = raw.find(name)
            if offset == -1 or ends_cut(text, start + offset + len(name)):
                continue
            # Words cleaned off the front ("Spokesperson Mahmuda Rahman") are context.
            start += offset
            mention = Mention(name=name, start=start)
            role = self._role_of(text, start, start + len(name), raw)
            if role:
                mention.title, mention.org = role
            mentions.append(mention)
        return _merge(mentions, exclude_names)


def _country_short(text: str) -> str | None:
    entry = country_names().get(text) or country_names().get(re.sub(r"^the ", "", text))
    if entry and not entry.demonym:
        return iso3_names().get(entry.iso3, text)
    return None


def _is_place(name: str) -> bool:
    return name in country_names() or name in regions() or name in cities()


def _is_big_place(word: str) -> bool:
    """A country, region or city of a million people: "Hamamatsu Takashi Miyamoto"
    is a place and a name, "Ana Lucía Ferrer" is a name."""
    if word in country_names() or word in regions():
        return True
    return any(c.population >= 1_000_000 for c in cities().get(word, ()))


def _ends_a_place(text: str, start: int, end: int) -> bool:
    """"New Guinea" read as a name inside "Papua New Guinea"."""
    line_start = text.rfind("\n", 0, start) + 1
    words = text[line_start:end].split()
    n = len(text[start:end].split())
    for k in range(n + 1, min(len(words), n + 3) + 1):
        if _is_place(" ".join(words[-k:])):
            return True
    return False


def _merge(mentions: list[Mention], exclude_names: set[str]) -> list[dict]:
    people: list[Official] = []
    for m in sorted(mentions, key=lambda x: (-len(x.name.split()), x.start)):
        person = _same_person(people, m.name)
        if person is None:
            person = Official(name=m.name, start=m.start)
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
        out.append({"name": p.name, "title": p.title, "org": p.org,
                    "start": p.start, "end": p.start + len(p.name)})
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


@cache
def default_rules() -> OfficialRules:
    return OfficialRules(default_lexicon())


def parse_role(phrase: str, nearest_last: bool = False) -> tuple[str, str | None] | None:
    return default_rules().parse_role(phrase, nearest_last)


def looks_like_name(name: str) -> bool:
    return default_rules().looks_like_name(name)
