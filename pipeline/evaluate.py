"""Scoring output records against gold: themes and entities, with baselines.

Entities are compared as sets per release, summed over releases (micro):
countries by ISO3; cities, ministries and officials by case-folded name;
contacts by (name, e-mail), and their phones by (name, number); amounts by
(currency, value). The plain-model
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
# Scored from another type's field: a contact's phone, by (name, E.164 number).
DERIVED_TYPES = {"phones": "contacts"}


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "")).strip().casefold()


def entity_keys(kind: str, items: list) -> set:
    if kind == "countries":
        return {i if isinstance(i, str) else i.get("iso3") for i in items} - {None}
    if kind in ("cities", "ministries", "officials"):
        return {_norm(i if isinstance(i, str) else i.get("name")) for i in items}
    if kind == "contacts":
        return {(_norm(i.get("name")), _norm(i.get("email"))) for i in items}
    if kind == "phones":
        return {(_norm(i.get("name")), i["phone"]) for i in items if i.get("phone")}
    if kind == "amounts":
        return {(i.get("currency"), float(i.get("value") or 0)) for i in items}
    raise ValueError(kind)


def entity_scores(gold: list[dict], predicted: list[dict]) -> dict[str, dict]:
    counts = {k: Counter() for k in (*ENTITY_TYPES, *DERIVED_TYPES)}
    for g, p in zip(gold, predicted, strict=True):
        for kind in counts:
            field = DERIVED_TYPES.get(kind, kind)
            want, got = entity_keys(kind, g.get(field, [])), entity_keys(kind, p.get(field, []))
            counts[kind]["tp"] += len(want & got)
            counts[kind]["fp"] += len(got - want)
            counts[kind]["fn"] += len(want - got)
    out = {}
    for kind, c in counts.items():
        pr, rc, f = prf(c["tp"], c["fp"], c["fn"])
        out[kind] = {"precision": round(pr, 3), "recall": round(rc, 3), "f1": round(f, 3),
                     "support": c["tp"] + c["fn"]}
    return out


def plain_model_entities(texts: list[str], model: str | None = None,
                         language: str = "en") -> list[dict]:
    """Entities as the plain pretrained model of ``language`` gives them (the
    baseline; a French model's LOC is read as a GPE, its PER as a PERSON)."""
    import spacy

    from pipeline.languages import spec
    from pipeline.nlp import default_model
    from pipeline.nlp.amounts import find_amounts
    from pipeline.nlp.gazetteer import cities
    from pipeline.nlp.lexicon import Lexicon

    nlp = spacy.load(model or default_model(language))
    labels = {**spec(language).ner_labels, **({} if language == "en" else {"LOC": "GPE"})}
    lex = Lexicon.load(("currencies",), language)
    out = []
    for doc in nlp.pipe(texts, batch_size=16):
        rec: dict[str, list] = {k: [] for k in ENTITY_TYPES}
        for ent in doc.ents:
            text = ent.text[4:] if ent.text.startswith("the ") else ent.text
            label = labels.get(ent.label_, ent.label_)
            if label in ("GPE", "NORP"):
                iso3 = _pycountry_iso3(text)
                if iso3:
                    rec["countries"].append(iso3)
                elif label == "GPE" and text in cities():
                    rec["cities"].append({"name": text})
            elif label == "PERSON":
                rec["officials"].append({"name": ent.text})
            elif label == "ORG" and text.startswith(("Ministry", "Ministries", "Department",
                                                     "ministère", "Ministère")):
                rec["ministries"].append({"name": text})
            elif label == "MONEY" or (label == "MISC" and any(c.isdigit() for c in text)):
                rec["amounts"].extend(find_amounts(ent.text, lex))
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
            "model": theme_scores(gold, classifier.themes(rows, evidence=False), labels),
            "keyword": theme_scores(gold, KeywordBaseline().predict(rows), labels),
        }
    return out


# ---- the evaluation as `python -m pipeline evaluate` prints it -----------------------------

CALIBRATION_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)


def calibration(gold: list[dict], predicted: list[dict], labels: list[str],
                bins: tuple[float, ...] = CALIBRATION_BINS) -> list[dict]:
    """Reliability by score bin: of the (release, theme) pairs scored in a
    bin, how many does gold give that theme? A calibrated model's observed
    rate is near its mean score in every bin."""
    pairs = [(p.get("theme_scores", {}).get(lab), lab in g["themes"])
             for g, p in zip(gold, predicted, strict=True) for lab in labels]
    pairs = [(s, y) for s, y in pairs if s is not None]
    out = []
    for lo, hi in zip(bins, bins[1:], strict=False):
        inside = [(s, y) for s, y in pairs if lo <= s < hi]
        out.append({"bin": f"{lo:.1f}-{min(hi, 1.0):.1f}", "n": len(inside),
                    "mean_score": round(sum(s for s, _ in inside) / len(inside), 3) if inside else None,
                    "observed": round(sum(y for _, y in inside) / len(inside), 3) if inside else None})
    return out


def primary_matrix(gold: list[dict], predicted: list[dict], labels: list[str]) -> list[list[int]]:
    """Rows: gold primary; columns: predicted primary (``labels`` order)."""
    index = {lab: j for j, lab in enumerate(labels)}
    m = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        if p.get("primary_theme") in index:
            m[index[g["primary"]]][index[p["primary_theme"]]] += 1
    return m


def predict_gold(gold: list[dict], stages) -> list[dict]:
    """Output records for gold releases, as the pipeline makes them from text
    (the headline and the site's theme tags as a crawled page carries them)."""
    from pipeline.batch import process_batch
    from pipeline.clean import clean_text

    releases = []
    for g in gold:
        rel = clean_text(f"{g['title']}\n\n{g['text']}", g["id"])
        rel.title = g["title"]
        if g.get("site_tags"):
            rel.site_tags = {"Themes": list(g["site_tags"])}
        releases.append(rel)
    return [r.as_dict() for r in process_batch(releases, stages)]


def evaluate_set(gold: list[dict], predicted: list[dict], train: list[dict],
                 baselines: bool = True) -> dict:
    """Every figure of one gold set: themes (model, keyword list, most frequent
    label; per theme, primary matrix, calibration) and entities (ours and the
    plain model)."""
    from pipeline.classify import KeywordBaseline, MostFrequentBaseline, theme_scores
    from pipeline.records import Themes
    from pipeline.taxonomy import theme_ids

    labels = list(theme_ids())
    language = (gold[0].get("language") or "en") if gold else "en"
    figures: dict = {"n": len(gold), "language": language}
    if all("themes" in g for g in gold):
        got = [Themes(themes=p.get("themes", []), primary_theme=p.get("primary_theme"))
               for p in predicted]
        figures["themes"] = theme_scores(gold, got, labels)
        figures["primary_matrix"] = primary_matrix(gold, predicted, labels)
        figures["calibration"] = calibration(gold, predicted, labels)
        if baselines and language == "en":
            # (Both baselines are the English corpus's: its signal words, its labels.)
            rows = [{"title": g["title"], "text": g["text"]} for g in gold]
            figures["theme_baselines"] = {
                "keyword list": theme_scores(gold, KeywordBaseline().predict(rows), labels),
                "most frequent": theme_scores(gold, MostFrequentBaseline(train or gold)
                                              .predict(rows), labels),
            }
    figures["entities"] = entity_scores(gold, predicted)
    if baselines:
        plain = entity_scores(gold, plain_model_entities([g["text"] for g in gold],
                                                         language=language))
        plain["contacts"] = plain["phones"] = None
        figures["entities_plain_model"] = plain
    return figures


def format_set(name: str, f: dict) -> str:
    """The figures of one gold set as the tables the README quotes."""
    from pipeline.taxonomy import theme_ids

    labels = list(theme_ids())
    language = f"language {f.get('language', 'en')}"
    out = [f"== {name}: {f['n']} releases" + ("" if name.endswith(language) else f", {language}")
           + " =="]
    if "themes" in f:
        t = f["themes"]
        out.append(f"{'theme':24} {'P':>6} {'R':>6} {'F1':>6} {'n':>4}")
        for lab, m in t["per_label"].items():
            out.append(f"{lab:24} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} "
                       f"{m['support']:4d}")
        out.append(f"\n{'':24} {'micro-F1':>9} {'macro-F1':>9} {'primary':>9}")
        reader = "theme model" if f.get("language", "en") == "en" else "theme signals"
        for who, m in [(reader, t), *f.get("theme_baselines", {}).items()]:
            out.append(f"{who:24} {m['micro_f1']:9.3f} {m['macro_f1']:9.3f} "
                       f"{m['primary_accuracy']:9.3f}")
        short = [lab[:5] for lab in labels]
        out.append("\nprimary: rows gold, columns predicted")
        out.append(f"{'':24}" + "".join(f"{s:>6}" for s in short))
        for lab, row in zip(labels, f["primary_matrix"], strict=True):
            if any(row):
                out.append(f"{lab:24}" + "".join(f"{n or '.':>6}" for n in row))
        out.append(f"\ncalibration {'bin':>9} {'pairs':>6} {'mean score':>11} {'observed':>9}")
        for b in f["calibration"]:
            ms = "-" if b["mean_score"] is None else f"{b['mean_score']:.3f}"
            ob = "-" if b["observed"] is None else f"{b['observed']:.3f}"
            out.append(f"{'':11} {b['bin']:>9} {b['n']:6d} {ms:>11} {ob:>9}")
    plain = f.get("entities_plain_model") or {}
    out.append(f"\n{'entities':12} {'P':>6} {'R':>6} {'F1':>6} {'n':>5} {'plain F1':>9}")
    for kind in (*ENTITY_TYPES, *DERIVED_TYPES):
        m = f["entities"][kind]
        base = plain.get(kind)
        base_f1 = f"{base['f1']:9.3f}" if base else f"{'-':>9}"
        out.append(f"{kind:12} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} "
                   f"{m['support']:5d} {base_f1}")
    return "\n".join(out)
