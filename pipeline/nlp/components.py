"""spaCy components of the entity stage, registered with ``@Language.factory``.

``country_ruler`` (an EntityRuler built from the gazetteers, before ``ner``
so the statistical model keeps its spans) marks country names, demonyms and
regions; ``country_resolver`` gives every GPE/NORP span an ``._.iso3`` (or
None for a region); ``release_entities`` reads the doc once more for cities,
ministries, officials, contacts and money, and leaves them on ``doc._``.
"""

from __future__ import annotations

import re
from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.nlp import amounts, contacts, ministries, officials
from pipeline.nlp.gazetteer import country_names, is_city_name, regions, resolve_city

REGION_ID = "REGION"
_CAPITALISED_RUN = re.compile(r"[A-Z][\w'’-]*(?:[ ][A-Z][\w'’-]*)*")
_WORD_IN_RUN = re.compile(r"[^ ]+")

# ent_spans: the doc's entity spans as the resolver read them (Doc.ents walks
# every token each time it is read, so it is read once).
for _name in ("countries", "cities", "ministries", "officials", "contacts", "amounts",
              "organizations", "ent_spans"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)
if not Span.has_extension("iso3"):
    Span.set_extension("iso3", default=None)
if not Span.has_extension("title"):
    Span.set_extension("title", default=None)


def country_patterns() -> list[dict]:
    patterns = [
        {"label": "NORP" if entry.demonym else "GPE", "pattern": text, "id": entry.iso3}
        for text, entry in country_names().items()
    ]
    # Regions: matched too, so "Latin American" is one region and not "American".
    patterns += [{"label": "LOC", "pattern": text, "id": REGION_ID} for text in regions()]
    return patterns


def add_country_ruler(nlp: Language) -> None:
    ruler = nlp.add_pipe(
        "entity_ruler",
        name="country_ruler",
        before="ner",
        config={"phrase_matcher_attr": "ORTH", "overwrite_ents": True},
    )
    ruler.add_patterns(country_patterns())


@Language.factory("country_resolver")
def make_country_resolver(nlp: Language, name: str):
    return CountryResolver()


class CountryResolver:
    """ISO3 for every GPE/NORP span; counts of mentions per country on the doc."""

    def __call__(self, doc: Doc) -> Doc:
        names = country_names()
        counts: Counter[str] = Counter()
        doc._.ent_spans = ents = list(doc.ents)
        for ent in ents:
            if ent.label_ not in ("GPE", "NORP", "LOC"):
                continue
            iso3 = ent.ent_id_ or None
            if iso3 is None:
                key = ent.text[4:] if ent.text.startswith("the ") else ent.text
                entry = names.get(ent.text) or names.get(key)
                iso3 = entry.iso3 if entry else None
            if iso3 == REGION_ID:
                iso3 = None
            ent._.iso3 = iso3
            if iso3:
                counts[iso3] += 1
        doc._.countries = counts
        return doc


@Language.factory("release_entities")
def make_release_entities(nlp: Language, name: str):
    return ReleaseEntities()


class ReleaseEntities:
    """Cities, ministries, officials, contacts, organisations and money of a doc."""

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        blocks = contacts.contact_blocks(text)

        def in_block(start: int) -> bool:
            return any(s <= start < e for s, e in blocks)

        ents = doc._.ent_spans if doc._.ent_spans is not None else list(doc.ents)
        persons = [(e.start_char, e.end_char) for e in ents if e.label_ == "PERSON"]
        found: list[dict] = []
        for start, end in blocks:
            # The NER often reads a name in a contact block as something else.
            people = [
                (e.start_char - start, e.end_char - start)
                for e in ents
                if start <= e.start_char < end and e.label_ in ("PERSON", "WORK_OF_ART", "ORG")
                and officials.looks_like_name(e.text.strip())
            ]
            for contact in contacts.parse_contacts(text[start:end], people):
                if all(c["name"] != contact["name"] for c in found):
                    found.append(contact)
        doc._.contacts = found
        contact_names = {c["name"] for c in found}
        names = officials.person_spans(text, persons)
        doc._.officials = officials.find_officials(
            text, [n for n in names if not in_block(n[0])], contact_names
        )
        doc._.ministries = ministries.find_ministries(text, frozenset(s for s, _ in names))
        doc._.amounts = amounts.find_amounts(text)
        doc._.cities = self._cities(doc, ents)
        doc._.organizations = self._organizations(doc, ents)
        return doc

    @staticmethod
    def _cities(doc: Doc, ents: list[Span]) -> list[dict]:
        """Places the NER found that the gazetteer knows as cities, and large
        cities and capitals the NER missed, in order of first mention."""
        context = set(doc._.countries or ())
        names = country_names()
        found: dict[str, tuple[int, dict]] = {}

        def add(name: str, start: int, any_size: bool) -> None:
            if name in names or name in regions() or name in found:
                return
            city = resolve_city(name, context)
            if city and (any_size or city.population >= 100_000 or city.capital):
                found[name] = (start, {"name": name, "iso3": city.iso3})

        for ent in ents:
            if ent.label_ in ("GPE", "LOC", "ORG", "FAC") and not ent._.iso3:
                add(ent.text[4:] if ent.text.startswith("the ") else ent.text, ent.start_char, True)
            elif ent.label_ == "PERSON" and len(ent) == 1:
                # The small model often reads a lone city name ("Dakar") as a person.
                add(ent.text, ent.start_char, False)
        text = doc.text
        in_person = bytearray(len(text))  # 1 where a PERSON, ORG or NORP span is
        for e in ents:
            if e.label_ in ("PERSON", "ORG", "NORP"):
                in_person[e.start_char : e.end_char] = b"\x01" * (e.end_char - e.start_char)
        text_lower = text.lower()
        # Runs of capitalised words; the longest known city name at each start wins.
        for run in _CAPITALISED_RUN.finditer(text):
            words = list(_WORD_IN_RUN.finditer(run.group(0)))
            i = 0
            while i < len(words):
                # "El Salvador", "Papua New Guinea": a country's words are not cities.
                skip = next((n for n in range(min(4, len(words) - i), 0, -1)
                             if " ".join(w.group(0) for w in words[i : i + n]) in names), 0)
                if skip:
                    i += skip
                    continue
                for n in range(min(4, len(words) - i), 0, -1):
                    start = run.start() + words[i].start()
                    end = run.start() + words[i + n - 1].end()
                    if in_person[start]:
                        continue
                    name = text[start:end]
                    # "Mobile", "Reading": a common word is a word where it also occurs
                    # in lower case; "Mobile:" is a label.
                    if n == 1 and (f" {name.lower()} " in text_lower
                                   or text[end : end + 2].strip()[:1] in (":", "/", "+")):
                        continue
                    if name == "Washington" and text[end : end + 6] == ", D.C.":
                        name = "Washington, D.C."
                    if is_city_name(name):
                        add(name, start, False)
                        i += n - 1
                        break
                i += 1
        return [entry for _, entry in sorted(found.values(), key=lambda x: x[0])]

    @staticmethod
    def _organizations(doc: Doc, ents: list[Span]) -> list[str]:
        out: list[str] = []
        places = {c["name"] for c in doc._.cities or ()}
        ministry_words = ("Ministry", "Ministries", "Department")
        for ent in ents:
            if ent.label_ != "ORG":
                continue
            name = ent.text[4:] if ent.text.startswith("the ") else ent.text
            name = name.strip(" ,.")
            if len(name) < 2 or name.startswith(ministry_words) or "@" in name or name in places:
                continue
            # A lone capitalised word ("Swahili", "Chargé") is seldom an organisation;
            # an acronym ("UNHCR") is.
            if " " not in name and not name.isupper():
                continue
            if name not in out:
                out.append(name)
        return out
