"""Training: gold train+dev plus the archivists' reviews -> model + card.

1. fit on train+dev+reviews; the classifier chooses its own settings by
   cross-validation inside those rows (ThemeClassifier.fit);
2. score the test split, with the keyword and most-frequent baselines;
3. the card: labels, thresholds, the primary rule, metrics, sha256 of the
   inputs, library versions, date, seed (written by ``save``).
Same inputs give the same model file: fixed seed, sorted inputs.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import scipy
import sklearn

import pipeline
from pipeline.classify._classifier import CROSS_CUTTING, ThemeClassifier
from pipeline.classify._metrics import KeywordBaseline, MostFrequentBaseline, theme_scores
from pipeline.gold import load_gold, split
from pipeline.taxonomy import theme_ids

SEED = 0
C = 4.0
_CODE = Path(__file__).resolve().parent


def row_of(rec: dict) -> dict:
    return {
        "title": rec.get("title", ""),
        "text": rec.get("text", ""),
        "site_tags": rec.get("site_tags") or [],
    }


def label_matrix(records: list[dict], labels: list[str]) -> np.ndarray:
    y = np.zeros((len(records), len(labels)), dtype=int)
    index = {lab: j for j, lab in enumerate(labels)}
    for i, rec in enumerate(records):
        for t in rec["themes"]:
            y[i, index[t]] = 1
    return y


def review_records(reviews: list[dict]) -> list[dict]:
    """Archivists' reviews as training records (newest review per release)."""
    out = []
    for r in reviews:
        text = "\n\n".join(p for p in (r.get("body"), r.get("contact_block")) if p)
        out.append({"id": r["release_id"], "title": r.get("title") or "", "text": text,
                    "themes": list(r["themes"]), "primary": r["primary_theme"],
                    "site_tags": []})
    return out


def inputs_digest(gold: list[dict], reviews: list[dict]) -> str:
    h = hashlib.sha256()
    for rec in sorted(gold, key=lambda r: r["id"]):
        h.update(json.dumps({k: v for k, v in rec.items() if k != "_source"},
                            sort_keys=True, ensure_ascii=False).encode())
    for rec in sorted(reviews, key=lambda r: r["id"]):
        h.update(json.dumps(rec, sort_keys=True, ensure_ascii=False).encode())
    for path in sorted([*_CODE.glob("*.py"), *_CODE.glob("data/*")]):
        h.update(path.read_bytes())
    return h.hexdigest()


def _merge_reviews(records: list[dict], reviews: list[dict]) -> tuple[list[dict], list[dict]]:
    """Reviews of gold releases replace their labels; the rest are new rows."""
    by_id = {r["id"]: r for r in reviews}
    merged = [
        {**rec, "themes": by_id[rec["id"]]["themes"], "primary": by_id[rec["id"]]["primary"]}
        if rec["id"] in by_id else rec
        for rec in records
    ]
    known = {rec["id"] for rec in records}
    return merged, [r for r in reviews if r["id"] not in known]


def train(
    gold: list[dict] | None = None, reviews: list[dict] | None = None, seed: int = SEED
) -> tuple[ThemeClassifier, dict]:
    started = time.perf_counter()
    gold = gold if gold is not None else load_gold()
    reviews = review_records(reviews or [])
    labels = list(theme_ids())
    train_recs, extra = _merge_reviews(split(gold, "train"), reviews)
    dev_recs, _ = _merge_reviews(split(gold, "dev"), reviews)
    test_recs = split(gold, "test")
    if not train_recs or not dev_recs or not test_recs:
        raise ValueError("the gold corpus has no train/dev/test splits; run "
                         "`python -m pipeline.gold --assign-splits`")
    # Settings (calibration, thresholds, scoring, the primary rule) are chosen
    # inside fit by cross-validation on train+dev (+ reviews); test is only
    # scored, and the blind set is never read here.
    fit_recs = train_recs + dev_recs + extra
    clf = ThemeClassifier(labels=tuple(labels), C=C, seed=seed)
    clf.fit([row_of(r) for r in fit_recs], label_matrix(fit_recs, labels),
            [r["primary"] for r in fit_recs])
    test_rows = [row_of(r) for r in test_recs]
    metrics = theme_scores(test_recs, clf.themes(test_rows, evidence=False), labels)
    baselines = {
        "keyword": theme_scores(test_recs, KeywordBaseline().predict(test_rows), labels),
        "most_frequent": theme_scores(
            test_recs, MostFrequentBaseline(train_recs).predict(test_rows), labels
        ),
    }
    card = {
        "name": "themes",
        "labels": labels,
        "thresholds": {lab: float(t) for lab, t in zip(labels, clf.thresholds_, strict=True)},
        "scoring": clf.scoring_,
        "primary_rule": {"primary_weight": clf.primary_weight_, "yield_ratio": clf.yield_ratio_,
                         "cross_cutting": list(CROSS_CUTTING)},
        "cross_validation": clf.cv_scores_,
        "model": "TF-IDF word 1-2-grams + headline + lead + char 3-5-grams + taxonomy signal "
                 f"counts + site tags; one-vs-rest logistic regression (C={C}, balanced), "
                 "sigmoid-calibrated out of fold; primary: multinomial model on headline+lead "
                 "with the taxonomy's precedence; trained on releases and their archive copies",
        "metrics_test": metrics,
        "baselines_test": {k: {m: v[m] for m in ("micro_f1", "macro_f1", "primary_accuracy")}
                           for k, v in baselines.items()},
        "data": {"sha256": inputs_digest(gold, reviews), "train": len(train_recs),
                 "dev": len(dev_recs), "test": len(test_recs), "reviews": len(reviews)},
        "seed": seed,
        "versions": {"scikit-learn": sklearn.__version__, "numpy": np.__version__,
                     "scipy": scipy.__version__, "python": platform.python_version(),
                     "pipeline": pipeline.__version__},
        "trained_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    return clf, card
