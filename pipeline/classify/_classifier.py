"""ThemeClassifier: a scikit-learn estimator for the taxonomy's themes.

As scikit-learn's ``TunedThresholdClassifierCV`` does, ``__init__`` only
stores parameters, ``fit`` learns everything (by cross-validation inside the
rows it is given) and learned state ends in ``_``:

- one logistic regression per theme over the named feature blocks of
  ``_model.build_features``, trained on the releases and on copies of them as
  real archives keep them (cut openings, with and without headline);
- ``calibrators_``: per theme, a sigmoid over the out-of-fold decision values,
  so that a score of 0.8 is right about 8 times in 10;
- ``thresholds_``: per theme, the calibrated score that maximises out-of-fold
  F1, on the releases and on their openings together;
- ``scoring_``: "release" (the whole text's score) or "paragraph" (blended with
  the best paragraph's), whichever scored better out of fold;
- the primary theme: a multinomial model over the headline and lead (what the
  primary is about, taxonomy.md), combined with the themes' scores, then the
  taxonomy's precedence: a cross-cutting theme (policy_governance,
  donor_relations, protection_assistance) yields to a specific theme the
  release is given when that theme's primary score is at least
  ``yield_ratio_`` of its own. ``primary_weight_`` and ``yield_ratio_`` are
  chosen out of fold.

Evidence (terms and paragraphs) is computed outside the estimator, from the
named blocks (``pipeline.classify._evidence``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.multiclass import OneVsRestClassifier

from pipeline.classify._model import (
    AUGMENTATIONS,
    as_opening,
    build_features,
    feature_names,
    lead_text,
    paragraphs,
)
from pipeline.records import Themes
from pipeline.taxonomy import theme_ids

# Cross-cutting themes yield the primary to a specific one (taxonomy.md,
# "Which theme is primary").
CROSS_CUTTING = ("policy_governance", "donor_relations", "protection_assistance")
DEFAULT_WEIGHTS = {"words": 1.0, "headline": 0.8, "lead": 0.6, "chars": 1.0, "signals": 0.5,
                   "meta": 0.4}
_THRESHOLDS = np.round(np.arange(0.10, 0.91, 0.025), 3)
_PRIMARY_WEIGHTS = (0.0, 0.25, 0.5, 0.75)
_YIELD_RATIOS = (1.01, 0.6, 0.4, 0.25, 0.15)


def _subset(m: dict, idx: np.ndarray) -> dict:
    """The matrices of some releases of a batch (their paragraphs included)."""
    where = {int(i): k for k, i in enumerate(idx)}
    keep = np.isin(m["owner"], idx)
    return {
        "x": m["x"][idx], "lead_x": m["lead_x"][idx],
        "para_x": m["para_x"][np.where(keep)[0]] if m["para_x"] is not None and keep.any() else None,
        "owner": np.array([where[int(o)] for o in m["owner"][keep]], dtype=int),
    }


def _slim(features, *estimators) -> None:
    """What a fitted model keeps that predicting never reads: the vectorisers'
    lists of dropped terms (scikit-learn documents them as safe to remove),
    and double precision in the coefficients. Halves the model file."""
    for _, block in features.transformer_list:
        for step in getattr(block, "steps", []):
            if hasattr(step[1], "stop_words_"):
                step[1].stop_words_ = None
    for est in estimators:
        for e in est.estimators_:
            e.coef_ = e.coef_.astype(np.float32)
            e.intercept_ = e.intercept_.astype(np.float32)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


class ThemeClassifier(ClassifierMixin, BaseEstimator):
    def __init__(self, labels: tuple[str, ...] | None = None, C: float = 4.0,
                 weights: dict[str, float] | None = None, augment: bool = True,
                 cv: int = 5, seed: int = 0):
        self.labels = labels
        self.C = C
        self.weights = weights
        self.augment = augment
        self.cv = cv
        self.seed = seed

    # ---- fitting --------------------------------------------------------------------------

    def _matrices(self, features, rows: list[dict], with_paragraphs: bool = True) -> dict:
        """Everything the linear models read for a batch, each in one sparse
        transform: the releases, their paragraphs (with the release each
        belongs to) and their headline + lead."""
        paras, owner = [], []
        for i, r in enumerate(rows if with_paragraphs else []):
            for text in paragraphs(r.get("text", "")):
                paras.append({"title": r.get("title", ""), "text": text,
                              "site_tags": r.get("site_tags")})
                owner.append(i)
        return {
            "x": features.transform(rows),
            "para_x": features.transform(paras) if paras else None,
            "owner": np.array(owner, dtype=int),
            "paragraphs": [p["text"] for p in paras],
            "lead_x": features.transform([{**r, "text": lead_text([r])[0]} for r in rows]),
        }

    def _fit_linear(self, xs: list, leads: list, y: np.ndarray, primary: np.ndarray):
        copies = len(xs)
        themes = OneVsRestClassifier(LogisticRegression(
            C=self.C, class_weight="balanced", solver="liblinear", dual=True, max_iter=5000,
            random_state=self.seed))
        themes.fit(sp.vstack(xs).tocsr(), np.vstack([y] * copies))
        # One-vs-rest too: liblinear is several times faster than a multinomial
        # lbfgs fit on this many sparse columns, and ranks as well.
        prim = OneVsRestClassifier(LogisticRegression(
            C=self.C, solver="liblinear", dual=True, max_iter=5000, random_state=self.seed))
        prim.fit(sp.vstack(leads + xs).tocsr(), np.concatenate([primary] * (2 * copies)))
        return themes, prim

    def fit(self, X: list[dict], y: np.ndarray, primary=None) -> ThemeClassifier:
        """``X`` release dicts, ``y`` the 0/1 theme matrix (columns in
        ``labels`` order), ``primary`` each release's primary theme id."""
        self.labels_ = tuple(self.labels or theme_ids())
        y = np.asarray(y, dtype=int)
        if primary is None:
            raise ValueError("ThemeClassifier.fit needs each release's primary theme")
        index = {lab: j for j, lab in enumerate(self.labels_)}
        prim = np.array([index[p] for p in primary])
        rows = list(X)
        # The vocabulary comes from the releases alone (a copy would let every
        # n-gram pass min_df); the models learn from releases and copies. The
        # cross-validation below reuses these matrices: held-out releases
        # share the vocabulary and IDF, never their labels.
        features = build_features(self.weights or DEFAULT_WEIGHTS).fit(rows)
        views = {"release": rows}
        if self.augment:
            views.update({name: [make(r) for r in rows] for name, make in AUGMENTATIONS.items()})
        else:
            views["opening"] = [as_opening(r) for r in rows]
        # Paragraph scores are read out of fold for the releases and their
        # openings only; the other copies are training rows.
        mats = {name: self._matrices(features, v, with_paragraphs=name in ("release", "opening"))
                for name, v in views.items()}
        train_views = list(mats) if self.augment else ["release"]
        # Out of fold: every release and its opening scored by models that did
        # not see it; calibration, thresholds and the primary rule are chosen
        # on those scores.
        oof = {v: {"whole": np.zeros(y.shape), "para": np.zeros(y.shape), "lead": np.zeros(y.shape)}
               for v in ("release", "opening")}
        folds = KFold(n_splits=self.cv, shuffle=True, random_state=self.seed)
        for train_idx, test_idx in folds.split(rows):
            models = self._fit_linear([mats[v]["x"][train_idx] for v in train_views],
                                      [mats[v]["lead_x"][train_idx] for v in train_views],
                                      y[train_idx], prim[train_idx])
            for v in oof:
                whole, para, lead = self._raw(models, _subset(mats[v], test_idx))
                oof[v]["whole"][test_idx] = whole
                oof[v]["para"][test_idx] = para
                oof[v]["lead"][test_idx] = lead
        self._choose(oof, y, prim)
        self.features_ = features
        self.estimator_, self.primary_estimator_ = self._fit_linear(
            [mats[v]["x"] for v in train_views], [mats[v]["lead_x"] for v in train_views], y, prim)
        self.feature_names_ = feature_names(features)
        _slim(features, self.estimator_, self.primary_estimator_)
        return self

    def _raw(self, models, m: dict):
        """Per theme: decision values of the whole release, the same blended
        with its best paragraph's, and the primary model's probabilities."""
        themes, prim = models
        whole = themes.decision_function(m["x"])
        para = whole.copy()
        owner = m["owner"]
        if m["para_x"] is not None:
            d = themes.decision_function(m["para_x"])
            m["para_decision"] = d
            for i in np.unique(owner):
                mine = owner == i
                if mine.sum() > 1:
                    para[i] = np.maximum(whole[i], d[mine].max(axis=0))
        else:
            m["para_decision"] = np.zeros((0, whole.shape[1]))
        lead = prim.predict_proba(m["lead_x"])
        lead = lead / np.clip(lead.sum(axis=1, keepdims=True), 1e-12, None)
        full = np.zeros((whole.shape[0], len(self.labels_)))
        full[:, prim.classes_] = lead
        return whole, 0.5 * (whole + para), full

    def _choose(self, oof: dict, y: np.ndarray, prim: np.ndarray) -> None:
        both_y = np.vstack([y, y])
        best = None
        for scoring, key in (("release", "whole"), ("paragraph", "para")):
            d = np.vstack([oof["release"][key], oof["opening"][key]])
            cal = np.array([self._platt(d[:, j], both_y[:, j]) for j in range(y.shape[1])])
            probs = _sigmoid(d * cal[:, 0] + cal[:, 1])
            thr = np.array([self._best_threshold(probs[:, j], both_y[:, j])
                            for j in range(y.shape[1])])
            given = probs >= thr
            tp = float(np.sum(given & (both_y == 1)))
            micro = 2 * tp / (2 * tp + np.sum(given & (both_y == 0)) + np.sum(~given & (both_y == 1)))
            lead = np.vstack([oof["release"]["lead"], oof["opening"]["lead"]])
            both_p = np.concatenate([prim, prim])
            for w in _PRIMARY_WEIGHTS:
                for r in _YIELD_RATIOS:
                    pick = self._primary(lead, probs, thr, w, r)
                    acc = float(np.mean(pick == both_p))
                    score = (micro + acc, scoring == "release", -abs(w - 0.25), r)
                    if best is None or score > best[0]:
                        best = (score, scoring, cal, thr, w, r, micro, acc)
        _, self.scoring_, cal, self.thresholds_, self.primary_weight_, self.yield_ratio_, micro, acc = best
        self.calibrators_ = cal
        self.cv_scores_ = {"micro_f1": round(micro, 3), "primary_accuracy": round(acc, 3)}

    @staticmethod
    def _platt(d: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        if y.min() == y.max():
            return 1.0, 0.0
        lr = LogisticRegression(C=100.0).fit(d.reshape(-1, 1), y)
        return float(lr.coef_[0, 0]), float(lr.intercept_[0])

    @staticmethod
    def _best_threshold(p: np.ndarray, y: np.ndarray) -> float:
        best, best_f1 = 0.5, -1.0
        for t in _THRESHOLDS:
            pred = p >= t
            tp = float(np.sum(pred & (y == 1)))
            f1 = 2 * tp / (2 * tp + np.sum(pred & (y == 0)) + np.sum(~pred & (y == 1))) if tp else 0.0
            # Ties go to the threshold nearest 0.5: the least tuned one.
            if f1 > best_f1 + 1e-9 or (abs(f1 - best_f1) < 1e-9 and abs(t - 0.5) < abs(best - 0.5)):
                best, best_f1 = float(t), f1
        return best

    def _primary(self, lead: np.ndarray, probs: np.ndarray, thr: np.ndarray, w: float,
                 ratio: float) -> np.ndarray:
        s = lead ** (1 - w) * np.clip(probs, 1e-9, 1) ** w
        top = np.argmax(s, axis=1)
        cross = np.array([lab in CROSS_CUTTING for lab in self.labels_])
        out = top.copy()
        for i, t in enumerate(top):
            if not cross[t]:
                continue
            cand = np.where(~cross & (probs[i] >= thr) & (s[i] >= ratio * s[i, t]))[0]
            if cand.size:
                out[i] = cand[np.argmax(s[i, cand])]
        return out

    # ---- predicting -----------------------------------------------------------------------

    def _calibrated(self, m: dict) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated scores and the primary model's probabilities, from a
        batch's matrices (``_matrices``)."""
        whole, blended, lead = self._raw((self.estimator_, self.primary_estimator_), m)
        d = whole if self.scoring_ == "release" else blended
        return _sigmoid(d * self.calibrators_[:, 0] + self.calibrators_[:, 1]), lead

    def predict_proba(self, X: list[dict]) -> np.ndarray:
        """Calibrated score of each theme (columns in ``labels_`` order)."""
        return self._calibrated(self._matrices(self.features_, list(X)))[0]

    def decide(self, X: list[dict], keep: dict | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scores, the 0/1 themes given, and the primary theme's index."""
        # ``keep`` (for the evidence) is the batch's matrices, filled in as they are read.
        m = keep if keep is not None else {}
        m.update(self._matrices(self.features_, list(X)))
        return self.decide_matrices(m)

    def decide_matrices(self, m: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``decide`` once a batch's matrices exist."""
        probs, lead = self._calibrated(m)
        primary = self._primary(lead, probs, self.thresholds_, self.primary_weight_,
                                self.yield_ratio_)
        given = probs >= self.thresholds_
        given[np.arange(len(primary)), primary] = True
        return probs, given, primary

    def predict(self, X: list[dict]) -> np.ndarray:
        return self.decide(X)[1].astype(int)

    def themes(self, X: list[dict], evidence: bool = True) -> list[Themes]:
        """Themes records: every theme given, highest score first, with its
        evidence; the primary always one taxonomy id."""
        from pipeline.classify._evidence import explain

        rows = list(X)
        if not rows:
            return []
        keep: dict = {}
        probs, given, primary = self.decide(rows, keep)
        chosen = [[int(j) for j in np.argsort(-p, kind="stable") if g[j]]
                  for p, g in zip(probs, given, strict=True)]
        why = explain(self, keep, chosen) if evidence else [{} for _ in rows]
        out = []
        for p, pick, top, ev in zip(probs, chosen, primary, why, strict=True):
            out.append(Themes(
                themes=[{"id": self.labels_[j], "score": round(float(p[j]), 4),
                         "evidence": ev.get(j, ([], None))[0],
                         "paragraph": ev.get(j, ([], None))[1]} for j in pick],
                primary_theme=self.labels_[int(top)],
                scores={lab: round(float(s), 4) for lab, s in zip(self.labels_, p, strict=True)},
            ))
        return out
