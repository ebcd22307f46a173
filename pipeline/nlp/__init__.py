"""The entity stage: one spaCy ``nlp`` object, and a release -> Entities step.

``load_nlp(language)`` builds the pipeline of a language once per process
(``pipeline/languages.json`` names its model, its data folder and its NER
labels): the pretrained model with only tok2vec and ner enabled (the parser, tagger and lemmatizer
cost time and nothing here needs them: see the closing note of issue 10 for
what the parser would add), the gazetteer-built country ruler before ner,
and one component per entity type after it (``components.py``), each
initialised with its word lists. ``extract_entities`` turns a cleaned
release into the entity fields of the contract record; the text is first
prepared (``text.py``: hard wraps and metadata lines blanked, offsets kept),
and a text longer than ``nlp.max_length`` is read in paragraph-aligned pieces.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

import spacy
from spacy.language import Language

from pipeline.languages import spec
from pipeline.nlp import components  # registers the factories
from pipeline.nlp.gazetteer import country_names, iso3_names, regions, resolve_city
from pipeline.nlp.ministries import _key as ministry_key
from pipeline.nlp.text import prepare
from pipeline.records import Entities, Release

PIECE_CHARS = 100_000


def default_model(language: str = "en") -> str:
    """The installed spaCy model of ``language`` (English: en_core_web_sm or
    its hash-pinned repackaging)."""
    return spec(language).model()


@cache
def load_nlp(language: str = "en", model: str | None = None) -> Language:
    """The entity pipeline of ``language`` (``model``: another spaCy model for it)."""
    lang = spec(language)
    nlp = spacy.load(model or lang.model(), exclude=list(lang.exclude))
    add_entity_components(nlp, language=lang.code)
    return nlp


def add_entity_components(nlp: Language, config: dict | None = None,
                          language: str = "en") -> Language:
    """Add the country ruler (before ``ner``) and the entity components (after
    it) to a pipeline holding ``ner``, and load their lists. Only these
    components are initialised: ``nlp.initialize()`` would reset the
    pretrained weights. ``config`` maps a component name to its settings."""
    components.add_country_ruler(nlp, language=language)
    labels = spec(language).ner_labels
    if labels:
        nlp.add_pipe("ner_label_mapper", after="ner", config={"labels": labels})
    for name in components.ENTITY_COMPONENTS:
        settings = {"language": language, **(config or {}).get(name, {})}
        pipe = nlp.add_pipe(name, config=settings)
        if hasattr(pipe, "initialize"):
            pipe.initialize(lambda: [], nlp=nlp)
    return nlp


def model_version(nlp: Language) -> str:
    name, lang = nlp.meta.get("name"), nlp.meta.get("lang")
    # English keeps the form its records have always carried ("core_web_sm-3.8.0").
    if lang != "en":
        name = f"{lang}_{name}"
    return f"{name}-{nlp.meta.get('version')}"


def nlp_language(nlp: Language) -> str:
    """The language whose data the pipeline's components read."""
    return nlp.get_pipe("country_resolver").language if "country_resolver" in nlp.pipe_names else "en"


def pieces(text: str, size: int = PIECE_CHARS) -> list[str]:
    """Paragraph-aligned pieces no longer than ``size`` (a paragraph longer
    than that is cut at a sentence end, or hard at ``size``)."""
    if len(text) <= size:
        return [text]
    out, current = [], ""
    for para in text.split("\n\n"):
        while len(para) > size:
            cut = para.rfind(". ", 0, size)
            cut = cut + 1 if cut > size // 2 else size
            out.append(para[:cut])
            para = para[cut:].lstrip()
        if current and len(current) + len(para) + 2 > size:
            out.append(current)
            current = para
        else:
            current = f"{current}\n\n{para}" if current else para
    if current:
        out.append(current)
    return out


def extract_entities(release: Release, nlp: Language) -> tuple[Entities, list[str]]:
    """The entity fields of one release, and the problems met on the way."""
    return extract_batch([release], nlp)[0]


def extract_batch(
    releases: list[Release], nlp: Language, batch_size: int = 32
) -> list[tuple[Entities, list[str]]]:
    """Entities of many releases, their texts piped through spaCy together.

    Texts stream through ``nlp.pipe`` piece by piece (a long text in
    paragraph-aligned pieces) and each doc's fields are folded into its
    release's entities as soon as it is made, so no more than a pipe batch of
    docs is alive at once, whatever one release holds. The whole pass runs in
    a spaCy memory zone: strings and lexemes the texts added to the vocab are
    dropped after it, so a process that reads 100,000 releases does not grow.
    """
    errors: list[list[str]] = [[] for _ in releases]
    language = nlp_language(nlp)
    merged = [_Merged(language) for _ in releases]

    def texts():
        for i, release in enumerate(releases):
            text = prepare(release.text)
            if not text.strip():
                errors[i].append("nlp: empty text, no entities extracted")
                continue
            if release.language and release.language != language:
                errors[i].append(f"warning: language is {release.language!r}; entities read with "
                                 f"the {language!r} pipeline")
            for part in pieces(text):
                yield part, i

    with nlp.memory_zone():
        for doc, owner in nlp.pipe(texts(), batch_size=batch_size, as_tuples=True):
            merged[owner].add(components.record_fields(doc))
    return [
        (parts.entities(release), errs)
        for release, parts, errs in zip(releases, merged, errors, strict=True)
    ]


class _Merged:
    """The entities of one release, gathered from the fields of its pieces."""

    def __init__(self, language: str = "en") -> None:
        self.language = language
        self.counts: Counter[str] = Counter()
        self.fields = Entities()
        self.ministries: set[str] = set()

    def add(self, found: dict) -> None:
        merged = self.fields
        self.counts.update(found["countries"])
        _extend(merged.cities, found["cities"], "name")
        for ministry in found["ministries"]:
            # Two spellings of one ministry in two pieces are one.
            if ministry_key(ministry["name"]) not in self.ministries:
                self.ministries.add(ministry_key(ministry["name"]))
                merged.ministries.append(ministry)
        _extend(merged.officials, found["officials"], "name")
        _extend(merged.contacts, found["contacts"], "name")
        merged.amounts.extend(found["amounts"])
        for org in found["organizations"]:
            if org not in merged.organizations:
                merged.organizations.append(org)

    def entities(self, release: Release) -> Entities:
        merged = self.fields
        merged.countries = [
            {"iso3": iso3, "name": iso3_names().get(iso3, iso3), "mentions": n}
            for iso3, n in self.counts.most_common()
        ]
        first = _dateline_cities(release.dateline, set(self.counts), self.language)
        seen = {c["name"] for c in first}
        merged.cities = first + [c for c in merged.cities if c["name"] not in seen]
        return merged


def _extend(target: list[dict], items: list[dict] | None, key: str) -> None:
    seen = {t[key] for t in target}
    for item in items or ():
        if item[key] not in seen:
            target.append(item)
            seen.add(item[key])


def _dateline_cities(dateline: str | None, context: set[str], language: str = "en") -> list[dict]:
    """Cities of a dateline ("Geneva/Manila", "Zinder – Niger"), first in the list."""
    if not dateline:
        return []
    out = []
    place = re.split(r"\s+[–—-]\s+|,\s*\d", dateline)[0]
    country = None
    tail = re.split(r"\s+[–—-]\s+|,\s*", dateline)[-1].strip()
    names = country_names(language)
    if tail in names:
        country = names[tail].iso3
    parts = [] if "D.C." in place else re.split(r"/|,", place)
    for part in parts or [place]:
        name = re.sub(r"\(.*?\)", "", part).strip()
        if not name or name in names or name in regions(language):
            continue
        city = resolve_city(name, {country} if country else context)
        # A dateline's place is a city even when the gazetteer is too small to know it.
        out.append({"name": name, "iso3": city.iso3 if city else country})
    return out
