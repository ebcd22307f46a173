"""ThemeClassifier: the fitted model, its per-label thresholds, and evidence.

Scores are the per-label probabilities of the model. A theme is given when
its score reaches the label's threshold (tuned on the dev split); the
primary theme is the highest score, so it is always one taxonomy id. The
evidence of a theme is the terms that weighed most for it in this release
and the paragraph that scores highest for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.pipeline import Pipeline

from pipeline.classify._model import build_model
from pipeline.records import Themes

_PARA = re.compile(r"\n\s*\n")


@dataclass
class ThemeClassifier:
    labels: list[str]
    model: Pipeline | None = None
    thresholds: dict[str, float] = field(default_factory=dict)
    c: float = 10.0
    seed: int = 0
    # "release": one score per release; "paragraph": the best paragraph's
    # score, blended with the release's. train() keeps the better on dev.
    scoring: str = "release"

    def fit(self, rows: list[dict], y: np.ndarray) -> ThemeClassifier:
        self.model = build_model(c=self.c, seed=self.seed)
        self.model.fit(rows, y)
        return self

    def scores(self, rows: list[dict]) -> np.ndarray:
        return self._scores(rows)[1]

    def _scores(self, rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
        """Whole-release probabilities, and the scores themes are given by."""
        whole = self.model.predict_proba(rows)
        if self.scoring != "paragraph":
            return whole, whole
        out = whole.copy()
        for i, row in enumerate(rows):
            paras = [p for p in _PARA.split(row.get("text", "")) if len(p.strip()) > 40]
            if len(paras) > 1:
                part = self.model.predict_proba(
                    [{"title": row.get("title", ""), "text": p, "site_tags": row.get("site_tags")}
                     for p in paras]
                )
                out[i] = 0.5 * whole[i] + 0.5 * part.max(axis=0)
        return whole, out

    def tune_thresholds(self, rows: list[dict], y: np.ndarray) -> None:
        """Per label, the threshold that maximises F1 on held-out rows."""
        probs = self.scores(rows)
        grid = np.round(np.arange(0.15, 0.86, 0.05), 2)
        for j, label in enumerate(self.labels):
            best, best_f1 = 0.5, -1.0
            for t in grid:
                pred = probs[:, j] >= t
                tp = float(np.sum(pred & (y[:, j] == 1)))
                fp = float(np.sum(pred & (y[:, j] == 0)))
                fn = float(np.sum(~pred & (y[:, j] == 1)))
                f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
                # Ties go to the threshold nearest 0.5: the least tuned one.
                if f1 > best_f1 + 1e-9 or (abs(f1 - best_f1) < 1e-9 and abs(t - 0.5) < abs(best - 0.5)):
                    best, best_f1 = float(t), f1
            self.thresholds[label] = best

    def primary_scores(self, rows: list[dict], whole: np.ndarray) -> np.ndarray:
        """How much each release is about each theme in its headline and lead:
        the geometric mean of the whole release's and the headline+lead's
        probabilities (better than either alone in 5-fold CV on train+dev)."""
        leads = []
        for row in rows:
            paras = [p for p in _PARA.split(row.get("text", "")) if len(p.strip()) > 40]
            leads.append({"title": row.get("title", ""), "text": paras[0] if paras else "",
                          "site_tags": row.get("site_tags")})
        return np.sqrt(whole * self.model.predict_proba(leads))

    def predict(self, rows: list[dict], evidence: bool = True) -> list[Themes]:
        whole, probs = self._scores(rows)
        primary = self.primary_scores(rows, whole)
        return [
            self._themes(row, p, int(np.argmax(w)), evidence)
            for row, w, p in zip(rows, primary, probs, strict=True)
        ]

    def _themes(self, row: dict, p: np.ndarray, top: int, evidence: bool) -> Themes:
        # The primary theme is what the headline and lead are about (see
        # primary_scores); it is always given, even under its threshold.
        primary = self.labels[top]
        chosen = [int(j) for j in np.argsort(-p, kind="stable")
                  if p[j] >= self.thresholds.get(self.labels[j], 0.5) or int(j) == top]
        terms = self.top_terms(row, chosen) if evidence else {}
        paragraphs = self.best_paragraphs(row, chosen) if evidence else {}
        themes = [
            {
                "id": self.labels[j],
                "score": round(float(p[j]), 4),
                "evidence": terms.get(j, []),
                "paragraph": paragraphs.get(j),
            }
            for j in chosen
        ]
        return Themes(
            themes=themes,
            primary_theme=primary,
            scores={lab: round(float(s), 4) for lab, s in zip(self.labels, p, strict=True)},
        )

    def top_terms(self, row: dict, label_idx: list[int], k: int = 5) -> dict[int, list[str]]:
        """The word features present in the release that pushed each label up most."""
        union = self.model.named_steps["features"]
        words = dict(union.transformer_list)["words"]
        vec = words.named_steps["tfidf"]
        x = words.transform([row]).tocsr()
        weight = union.transformer_weights.get("words", 1.0)
        names = vec.get_feature_names_out()
        n_words = x.shape[1]
        estimators = self.model.named_steps["clf"].estimators_
        out = {}
        for j in label_idx:
            coef = estimators[j].coef_.ravel()[:n_words]
            contrib = x.data * coef[x.indices] * weight
            top = np.argsort(-contrib)[: k * 6]
            terms: list[str] = []
            for t in top:
                if contrib[t] <= 0:
                    break
                term = names[x.indices[t]]
                words = term.split()
                # "the men" or "development and" explain nothing to a reader.
                if words[0] in ENGLISH_STOP_WORDS or words[-1] in ENGLISH_STOP_WORDS:
                    continue
                if not any(term in other or other in term for other in terms):
                    terms.append(term)
                if len(terms) == k:
                    break
            out[j] = terms
        return out

    def best_paragraphs(self, row: dict, label_idx: list[int]) -> dict[int, str]:
        paras = [p.strip() for p in _PARA.split(row.get("text", "")) if len(p.strip()) > 40]
        if not paras:
            return {}
        probs = self.model.predict_proba([{"title": "", "text": p, "site_tags": []} for p in paras])
        return {j: paras[int(np.argmax(probs[:, j]))] for j in label_idx}
