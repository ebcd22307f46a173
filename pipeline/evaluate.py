"""Scoring output records against gold: themes and entities, with baselines.

Entities are compared as sets per release, summed over releases (micro):
countries by ISO3; cities, ministries and officials by case-folded name;
contacts by (name, e-mail); amounts by (currency, value). The plain-model
baseline runs the full en_core_web_sm on the same texts: GPE/NORP mapped to
countries by name, GPE that are known cities as cities, every PERSON an
official, ORG spans starting "Ministry"/"Department" as ministries, MONEY
spans as amounts; it has no contacts. "By name" is pycountry's lookup (short,
official and common names, codes): the plain model with the standard country
list, without our demonyms and former names.
"""

from __future__ import annotations

import re
from collections import Counter

from pipeline.classify._metrics import prf

ENTITY_TYPES = ("countries", "cities", "ministries", "officials", "contacts", "amounts")


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "")).strip().casefold()


def entity_keys(kind: str, items: list) -> set:
    if kind == "countries":
        return {i if isinstance(i, str) else i.get("iso3") for i in items} - {None}
    if kind in ("cities", "ministries", "officials"):
        return {_norm(i if isinstance(i, str) else i.get("name")) for i in items}
    if kind == "contacts":
        return {(_norm(i.get("name")), _norm(i.get("email"))) for i in items}
    if kind == "amounts":
        return {(i.get("currency"), float(i.get("value") or 0)) for i in items}
    raise ValueError(kind)


def entity_scores(gold: list[dict], predicted: list[dict]) -> dict[str, dict]:
    counts = {k: Counter() for k in ENTITY_TYPES}
    for g, p in zip(gold, predicted, strict=True):
        for kind in ENTITY_TYPES:
            want, got = entity_keys(kind, g.get(kind, [])), entity_keys(kind, p.get(kind, []))
            counts[kind]["tp"] += len(want & got)
            counts[kind]["fp"] += len(got - want)
            counts[kind]["fn"] += len(want - got)
    out = {}
    for kind, c in counts.items():
        pr, rc, f = prf(c["tp"], c["fp"], c["fn"])
        out[kind] = {"precision": round(pr, 3), "recall": round(rc, 3), "f1": round(f, 3),
                     "support": c["tp"] + c["fn"]}
    return out


def plain_model_entities(texts: list[str], model: str | None = None) -> list[dict]:
    """Entities as the plain pretrained model gives them (the baseline)."""
    import spacy

    from pipeline.nlp import default_model
    from pipeline.nlp.amounts import find_amounts
    from pipeline.nlp.gazetteer import cities

    nlp = spacy.load(model or default_model())
    out = []
    for doc in nlp.pipe(texts, batch_size=16):
        rec: dict[str, list] = {k: [] for k in ENTITY_TYPES}
        for ent in doc.ents:
            text = ent.text[4:] if ent.text.startswith("the ") else ent.text
            if ent.label_ in ("GPE", "NORP"):
                iso3 = _pycountry_iso3(text)
                if iso3:
                    rec["countries"].append(iso3)
                elif ent.label_ == "GPE" and text in cities():
                    rec["cities"].append({"name": text})
            elif ent.label_ == "PERSON":
                rec["officials"].append({"name": ent.text})
            elif ent.label_ == "ORG" and text.startswith(("Ministry", "Ministries", "Department")):
                rec["ministries"].append({"name": text})
            elif ent.label_ == "MONEY":
                rec["amounts"].extend(find_amounts(ent.text))
        out.append(rec)
    return out


def _pycountry_iso3(name: str) -> str | None:
    import pycountry

    try:
        return pycountry.countries.lookup(name).alpha_3
    except LookupError:
        return None


def _hard_wrap_lower(text: str) -> str:
    import textwrap

    return "\n\n".join("\n".join(textwrap.wrap(p, 68)) for p in text.split("\n\n")).lower()


# The agency's real releases are shorter, older and messier than the corpus:
# the same test releases, made to look like that, one way at a time.
DEGRADATIONS = {
    "as written": lambda r: r,
    "first 150 words only": lambda r: {**r, "text": " ".join(r["text"].split()[:150])},
    "no headline, no site tags": lambda r: {**r, "title": "", "site_tags": []},
    "lower case, hard-wrapped": lambda r: {**r, "title": r["title"].lower(),
                                           "text": _hard_wrap_lower(r["text"])},
}


def robustness(gold: list[dict], classifier, labels: list[str]) -> dict[str, dict]:
    """Theme scores of the model and the keyword baseline on degraded copies."""
    from pipeline.classify import KeywordBaseline, theme_scores

    out = {}
    for name, degrade in DEGRADATIONS.items():
        rows = [degrade({"title": g["title"], "text": g["text"],
                         "site_tags": g.get("site_tags") or []}) for g in gold]
        out[name] = {
            "model": theme_scores(gold, classifier.predict(rows, evidence=False), labels),
            "keyword": theme_scores(gold, KeywordBaseline().predict(rows), labels),
        }
    return out
