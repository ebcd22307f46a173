"""The rules of French releases for the ministries and officials components.

French writes a ministry in lower case with its portfolio capitalised
("le ministère de l'Intérieur et de la Décentralisation", "les ministères de
la Justice et de la Santé") and an official's title after the name and a
comma, in lower case ("a déclaré NOM, cheffe de mission de l'OIM au Niger"),
or before it ("le secrétaire d'État à l'Asile et la Migration, NOM"; "le
ministre … M. NOM"). The word lists are the language's own (``data/fr/``:
titles, portfolio words, organisations, honorifics); the components and the
record they fill are the English ones.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.nlp.gazetteer import cities, country_names, regions
from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.officials import OfficialRules
from pipeline.nlp.text import ends_cut

_APOS = "['’]"
_UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ"
_CAPWORD = rf"[{_UPPER}][\w’'-]*"
# "de la ", "de l'", "des ", "du ", "de ", "d'", "à l'", "et de la " … inside a portfolio.
_CONNECTOR = rf"(?:de la |de l{_APOS}|des |du |de |d{_APOS}|à l{_APOS}|à la |aux |la |le |l{_APOS})"
# Capitalised words that end a ministry's name: another body starts there.
_NOT_PORTFOLIO = frozenset("République Direction Organisation OIM Programme Union Gouvernement "
                           "Agence Office Commission".split())
_HEAD = re.compile(
    rf"\b(?P<head>[Mm]inistères?)(?P<charge> chargée? )?\s*(?P<conn>{_CONNECTOR})")


class FrenchMinistryRules:
    """Ministries of a French text: ``{name, iso3, aliases, spans}`` as
    ``MinistryRules.find`` gives them; a plural head is split into one
    ministry per portfolio ("les ministères de la Justice et de la Santé")."""

    def __init__(self, lex: Lexicon, from_ministers: bool = False) -> None:
        self.words = frozenset(w.replace("’", "'") for w in lex.portfolios)
        self.from_ministers = from_ministers

    def _segment(self, text: str, pos: int) -> int:
        """End of one portfolio starting at ``pos`` (a capitalised word, then
        the lower-case words and connectors ``portfolios.txt`` allows)."""
        m = re.match(_CAPWORD, text[pos:])
        if not m:
            return pos
        end = pos + m.end()
        while True:
            rest = text[end:]
            low = re.match(rf" (?:{_CONNECTOR}|et )?([\w'’-]+)", rest)
            if low and low.group(1).replace("’", "'") in self.words:
                end += low.end()  # "Santé publique", "Affaires étrangères et européennes"
                continue
            cap = re.match(rf" (?:de la |de l{_APOS}|du |des )({_CAPWORD})", rest)
            if cap and cap.group(1) not in country_names("fr") and cap.group(1) not in _NOT_PORTFOLIO:
                end += cap.end()  # "Protection de l'Enfant", "Affaires de la Migration"
                continue
            return end

    def find(self, text: str, person_starts: frozenset[int] = frozenset()) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for m in _HEAD.finditer(text):
            plural = m.group("head").lower().endswith("s")
            parts: list[tuple[int, int]] = []  # (start of connector, end of portfolio)
            start = m.start("conn")
            while True:
                cm = re.match(_CONNECTOR, text[start:])
                if not cm:
                    break
                end = self._segment(text, start + cm.end())
                if end == start + cm.end():
                    break
                parts.append((start, end))
                # "…, de la Protection de l'Enfant et de la Solidarité": the name goes on.
                more = re.match(rf"(?:,| et|, et) (?=(?:de la |de l{_APOS}|des |du |de |d{_APOS})"
                                rf"{_CAPWORD})", text[end:])
                # "ministère de la Santé publique, Hygiène et Prévention"
                bare = re.match(rf", ({_CAPWORD} et {_CAPWORD})(?![ ][{_UPPER}])", text[end:])
                if not more and bare and not plural:
                    end += bare.end()
                    parts[-1] = (parts[-1][0], end)
                if not more:
                    break
                start = end + more.end()
            if not parts:
                continue
            if not plural:
                parts = [(parts[0][0], parts[-1][1])]
            for a, b in parts:
                if ends_cut(text, b):
                    continue
                head = text[m.start("head") : m.start("conn")] if len(parts) == 1 else (
                    "ministère" + (m.group("charge") or " "))
                head = head.replace("Ministère", "ministère").replace("ministères", "ministère")
                name = re.sub(r"\s+", " ", f"{head.rstrip()} {text[a:b]}")
                key = name.casefold().replace("’", "'")
                entry = found.setdefault(key, {"name": name, "iso3": None, "aliases": [],
                                               "spans": []})
                entry["spans"].append((a, b))
        return list(found.values())


_NAME_TOKEN = rf"[{_UPPER}][\w’'-]*"
_PARTICLE = r"(?:de|du|des|van|von|der|ben|el|ould|da|dos|le|la)"
FR_NAME = re.compile(rf"{_NAME_TOKEN}(?:[ ](?:{_PARTICLE}[ ])?{_NAME_TOKEN}){{1,4}}")
# Capitalised words a sentence or a clause may open with, never a first name.
_OPENERS = frozenset("Pour Selon Le La Les L’ Et Mais Dans Par Avec Depuis Lors En À Au Aux "
                     "Pendant Après Avant Chez Sur Sous Ce Cette Ces Un Une Des Il Elle".split())


class FrenchOfficialRules(OfficialRules):
    """Officials of a French text: a name with a title from ``titles.txt``
    right after it ("NOM, chef de mission de l'OIM au Niger") or right before
    it ("le secrétaire d'État …, NOM", "le ministre …, M. NOM")."""

    def __init__(self, lex: Lexicon) -> None:
        super().__init__(lex)
        titles = "|".join(re.escape(t) for t in sorted(lex.titles, key=len, reverse=True)) or "chef"
        honor = "|".join(re.escape(h.rstrip("*")) for h in lex.honorifics) or r"M\."
        self.honor_re = re.compile(rf"^(?:(?:{honor})(?:\s+|(?<=\.)))+")
        self.right_re = re.compile(
            rf"^,[ ](?P<role>(?:(?:le|la|l{_APOS})[ ]?)?(?:{titles})\b[^,.;:«»()\n]*)")
        self.left_re = re.compile(
            rf"(?:^|[\s(])(?:[Ll]e |[Ll]a |[Ll]{_APOS}|[Uu]n |[Uu]ne )?(?P<role>(?:{titles})\b"
            rf"[^.;:«»()\n]{{0,120}}?),?[ ](?:(?:{honor})\s*)?$")
        self.org_split_re = re.compile(
            rf"[ ](?:à|de|du|au|pour|auprès de)[ ](?:l{_APOS}|la[ ]|le[ ])?"
            rf"(?P<org>(?:{lex.org_alternation or 'OIM'})\b.*|ministère\b.*|bureau\b.*"
            rf"|[{_UPPER}]{{2,}}\b.*)$")

    def looks_like_name(self, name: str, upper_surname: bool = False) -> bool:
        tokens = name.split()
        if not 2 <= len(tokens) <= 5 or tokens[0] in _OPENERS:
            return False
        if any(t.strip(".,") in self.lex.non_name_set for t in tokens):
            return False
        places = country_names("fr")
        if name in places or name in regions("fr") or name in cities():
            return False
        # "Sénégalais de Lausanne", "Coopération du Bénin": a people or a place, not a name.
        if any(t in places or t in regions("fr") for t in tokens):
            return False
        return all(t[:1].isupper() or t.lower() in _PARTICLE for t in tokens)

    def role_follows(self, text: str, end: int) -> bool:
        return bool(self.right_re.match(text[end:]))

    def person_spans(self, text: str, persons: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The NER's people and every run of capitalised words that looks like
        a name, opening words ("Pour", "Selon") and honorifics cut off."""
        spans = set()
        for s, e in [*persons, *((m.start(), m.end()) for m in FR_NAME.finditer(text))]:
            words = text[s:e].split(" ")
            while words and (words[0] in _OPENERS or self.honor_re.match(words[0] + " ")):
                s += len(words[0]) + 1
                words = words[1:]
            name = " ".join(words)
            if "\n" in name:
                continue
            if self.looks_like_name(name):
                spans.add((s, s + len(name)))
        return sorted(spans)

    def _rank_before(self, text: str, start: int) -> str | None:
        """"le Dr NOM": a rank (a starred honorific) right before the name."""
        m = re.search(r"(\S+)\s+$", text[max(0, start - 12) : start])
        return m.group(1) if m and m.group(1) in self.lex.rank_set else None

    def _title_org(self, role: str) -> tuple[str, str | None]:
        role = re.sub(r"^(?:le|la|l['’])\s*", "", role.strip())
        m = self.org_split_re.search(role)
        if not m:
            return role, None
        org = m.group("org").strip()
        # "OIM au Niger", "OIM en Côte d'Ivoire": the office as the agency writes it.
        org = re.sub(r"^(OIM)\s+(?:au|en|à|aux|pour la|pour le|pour l['’]|dans le)\s+", r"\1 ", org)
        return role[: m.start()].strip(), org

    def find_officials(self, text: str, persons: list[tuple[int, int]],
                       exclude_names: set[str] = frozenset()) -> list[dict]:
        out: list[dict] = []
        seen: set[str] = set()
        for start, end in persons:
            name = text[start:end]
            if name in seen or ends_cut(text, end):
                continue
            role = None
            rm = self.right_re.match(text[end:])
            if rm:
                role = rm.group("role")
            else:
                lm = self.left_re.search(text[max(0, start - 160) : start])
                if lm:
                    role = lm.group("role")
            if role is None and self._rank_before(text, start):
                role = self._rank_before(text, start)
            if role is None:
                continue
            # A later short mention ("Lacombe") of a name already taken is the same person.
            if any(name in o["name"] for o in out):
                continue
            title, org = self._title_org(role)
            seen.add(name)
            out.append({"name": name, "title": title or None, "org": org,
                        "start": start, "end": end})
        return out
