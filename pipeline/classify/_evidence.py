"""Why a release was given a theme: the terms that weighed most, and the
paragraph that scores highest for it.

Read from the fitted classifier's named feature blocks (``feature_names_``,
"words__…", "headline__…"), never from positions in the FeatureUnion, and
from the matrices the classifier already computed for the batch (one sparse
transform for all releases, one for all their paragraphs).
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# Blocks whose features are words a reader can check in the text.
TERM_BLOCKS = ("headline", "words", "lead")
# Words in nearly every release: true, and no explanation of a theme.
NOT_EVIDENCE = frozenset({"iom", "migration", "migrants", "said", "agency", "un"})


def _term_mask(names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    block = np.array([n.split("__", 1)[0] for n in names])
    terms = np.array([n.split("__", 1)[1] if "__" in n else n for n in names], dtype=object)
    return np.isin(block, TERM_BLOCKS), terms


def explain(clf, keep: dict, chosen: list[list[int]], k: int = 5
            ) -> list[dict[int, tuple[list[str], str | None]]]:
    """Per release, per chosen theme index: (evidence terms, best paragraph)."""
    x = keep["x"].tocsr()
    readable, terms = _term_mask(clf.feature_names_)
    coefs = np.vstack([est.coef_.ravel() for est in clf.estimator_.estimators_])
    owner, para_d, paras = keep["owner"], keep["para_decision"], keep["paragraphs"]
    out = []
    for i, labels in enumerate(chosen):
        row = x.getrow(i)
        idx = row.indices[readable[row.indices]]
        vals = row.data[readable[row.indices]]
        mine = np.where(owner == i)[0]
        found: dict[int, tuple[list[str], str | None]] = {}
        for j in labels:
            contrib = vals * coefs[j, idx]
            picked: list[str] = []
            for t in np.argsort(-contrib, kind="stable"):
                if contrib[t] <= 0 or len(picked) == k:
                    break
                term = str(terms[idx[t]])
                words = term.split()
                # "the men" or "development and" explain nothing to a reader.
                if {words[0], words[-1]} & (ENGLISH_STOP_WORDS | NOT_EVIDENCE):
                    continue
                if not any(term in other or other in term for other in picked):
                    picked.append(term)
            best = paras[mine[int(np.argmax(para_d[mine, j]))]] if mine.size else None
            found[j] = (picked, best)
        out.append(found)
    return out
