"""Scores of theme predictions against gold, and the two baselines.

Per-label precision/recall/F1, micro and macro F1, primary accuracy and the
confusion of primaries. Baselines, run on the same texts: a keyword
baseline built from the taxonomy's signal phrases, and the most frequent
label given to every release.
"""

from __future__ import annotations

import re
from collections import Counter

from pipeline.records import Themes
from pipeline.taxonomy import themes as taxonomy_themes


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def theme_scores(
    gold: list[dict], predicted: list[Themes], labels: list[str]
) -> dict:
    per = {lab: Counter() for lab in labels}
    primary_ok = 0
    confusion: Counter[tuple[str, str]] = Counter()
    for g, p in zip(gold, predicted, strict=True):
        want = set(g["themes"])
        got = {t["id"] for t in p.themes}
        for lab in labels:
            per[lab]["tp"] += lab in want and lab in got
            per[lab]["fp"] += lab not in want and lab in got
            per[lab]["fn"] += lab in want and lab not in got
        primary_ok += p.primary_theme == g["primary"]
        if p.primary_theme != g["primary"]:
            confusion[(g["primary"], p.primary_theme)] += 1
    table = {}
    for lab in labels:
        c = per[lab]
        pr, rc, f = prf(c["tp"], c["fp"], c["fn"])
        table[lab] = {"precision": round(pr, 3), "recall": round(rc, 3), "f1": round(f, 3),
                      "support": c["tp"] + c["fn"]}
    tp = sum(per[lab]["tp"] for lab in labels)
    fp = sum(per[lab]["fp"] for lab in labels)
    fn = sum(per[lab]["fn"] for lab in labels)
    with_support = [lab for lab in labels if table[lab]["support"]]
    return {
        "per_label": table,
        "micro_f1": round(prf(tp, fp, fn)[2], 3),
        "macro_f1": round(sum(table[lab]["f1"] for lab in with_support) / max(1, len(with_support)), 3),
        "primary_accuracy": round(primary_ok / max(1, len(gold)), 3),
        "primary_confusion": [
            {"gold": a, "predicted": b, "count": n} for (a, b), n in confusion.most_common()
        ],
        "n": len(gold),
    }


class KeywordBaseline:
    """Themes whose taxonomy signal words occur in the text; primary = most hits."""

    def __init__(self) -> None:
        self.patterns = {}
        for t in taxonomy_themes():
            words = set(t["signals"]) | {w for w in re.findall(r"[a-z]{5,}", t["name"].lower())}
            self.patterns[t["id"]] = [re.compile(rf"\b{re.escape(w.lower())}") for w in words]

    def predict(self, rows: list[dict]) -> list[Themes]:
        out = []
        for row in rows:
            text = f"{row.get('title', '')} {row.get('text', '')}".lower()
            hits = {tid: sum(len(p.findall(text)) for p in pats) for tid, pats in self.patterns.items()}
            ranked = sorted(hits.items(), key=lambda kv: -kv[1])
            chosen = [tid for tid, n in ranked if n >= 2] or [ranked[0][0]]
            out.append(Themes(themes=[{"id": t, "score": float(hits[t])} for t in chosen],
                              primary_theme=ranked[0][0]))
        return out


class MostFrequentBaseline:
    def __init__(self, train: list[dict]) -> None:
        self.primary = Counter(r["primary"] for r in train).most_common(1)[0][0]

    def predict(self, rows: list[dict]) -> list[Themes]:
        return [Themes(themes=[{"id": self.primary, "score": 1.0}], primary_theme=self.primary)
                for _ in rows]
