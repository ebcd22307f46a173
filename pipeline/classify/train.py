"""Training: gold train+dev plus the archivists' reviews -> model + card.

1. fit on the train split (and the reviews), tune per-label thresholds and
   choose release- or paragraph-level scoring on the dev split;
2. refit on train+dev+reviews with those settings;
3. score the test split, with the keyword and most-frequent baselines;
4. write models/themes.joblib and its card (labels, thresholds, metrics,
   sha256 of the inputs, library versions, date, seed).
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
from pipeline.classify._classifier import ThemeClassifier
from pipeline.classify._metrics import KeywordBaseline, MostFrequentBaseline, theme_scores
from pipeline.gold import load_gold, split
from pipeline.taxonomy import theme_ids

SEED = 0
C = 10.0
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
    for path in sorted(_CODE.glob("*.py")):
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
    fit_recs = train_recs + extra
    # 1. settings chosen on dev
    clf = ThemeClassifier(labels=labels, c=C, seed=seed)
    clf.fit([row_of(r) for r in fit_recs], label_matrix(fit_recs, labels))
    y_dev = label_matrix(dev_recs, labels)
    dev_rows = [row_of(r) for r in dev_recs]
    choice = {}
    for scoring in ("release", "paragraph"):
        clf.scoring = scoring
        clf.thresholds = {}
        clf.tune_thresholds(dev_rows, y_dev)
        scores = theme_scores(dev_recs, clf.predict(dev_rows, evidence=False), labels)
        choice[scoring] = (scores["micro_f1"] + scores["primary_accuracy"], dict(clf.thresholds),
                           scores)
    scoring = max(choice, key=lambda k: (choice[k][0], k == "release"))
    # 2. refit on everything but test
    final = ThemeClassifier(labels=labels, c=C, seed=seed, scoring=scoring,
                            thresholds=choice[scoring][1])
    all_recs = train_recs + dev_recs + extra
    final.fit([row_of(r) for r in all_recs], label_matrix(all_recs, labels))
    # 3. test
    test_rows = [row_of(r) for r in test_recs]
    metrics = theme_scores(test_recs, final.predict(test_rows, evidence=False), labels)
    baselines = {
        "keyword": theme_scores(test_recs, KeywordBaseline().predict(test_rows), labels),
        "most_frequent": theme_scores(
            test_recs, MostFrequentBaseline(train_recs).predict(test_rows), labels
        ),
    }
    card = {
        "name": "themes",
        "labels": labels,
        "thresholds": final.thresholds,
        "scoring": scoring,
        "scoring_on_dev": {k: {"micro_f1": v[2]["micro_f1"],
                               "primary_accuracy": v[2]["primary_accuracy"]}
                           for k, v in choice.items()},
        "model": "TF-IDF word 1-2-grams + headline + char 3-5-grams + site tags; "
                 f"one-vs-rest logistic regression (C={C}, balanced classes)",
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
    return final, card
