"""The theme model: a scikit-learn Pipeline over release dicts.

Input rows are dicts with ``title``, ``text``, ``site_tags`` (list of str)
and ``countries`` (list of ISO3). Features: TF-IDF word 1-2-grams with
sublinear tf over headline + body; the headline again on its own, so its
words weigh apart from the body's; character 3-5-grams inside word
boundaries (robust to the spelling and hyphenation of older pages); site tags
and country codes as tokens. One logistic regression per label: linear,
L2-regularised, and its probabilities are usable as they come.
"""

from __future__ import annotations

import re

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

_CONTACT = re.compile(r"(?is)\n\s*for (?:more|further) information.*$")


def full_text(rows: list[dict]) -> list[str]:
    return [f"{r.get('title', '')}\n\n{_CONTACT.sub('', r.get('text', ''))}" for r in rows]


def headline(rows: list[dict]) -> list[str]:
    return [r.get("title", "") for r in rows]


def meta_tokens(rows: list[dict]) -> list[str]:
    out = []
    for r in rows:
        raw = r.get("site_tags") or ()
        if isinstance(raw, dict):  # crawled releases: {"Themes": [...], ...}
            raw = [v for values in raw.values() for v in values]
        tags = ["tag_" + re.sub(r"\W+", "_", t.lower()) for t in raw]
        out.append(" ".join(["meta", *tags]))
    return out


def _identity(tokens: str) -> list[str]:
    return tokens.split()


def build_model(c: float = 10.0, seed: int = 0) -> Pipeline:
    features = FeatureUnion(
        [
            (
                "words",
                Pipeline(
                    [
                        ("select", FunctionTransformer(full_text)),
                        (
                            "tfidf",
                            TfidfVectorizer(
                                ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_df=0.9,
                                strip_accents="unicode", lowercase=True,
                            ),
                        ),
                    ]
                ),
            ),
            (
                "headline",
                Pipeline(
                    [
                        ("select", FunctionTransformer(headline)),
                        ("tfidf", TfidfVectorizer(ngram_range=(1, 1), sublinear_tf=True)),
                    ]
                ),
            ),
            (
                "chars",
                Pipeline(
                    [
                        ("select", FunctionTransformer(full_text)),
                        (
                            "tfidf",
                            TfidfVectorizer(
                                analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                min_df=3, max_features=60000,
                            ),
                        ),
                    ]
                ),
            ),
            (
                "meta",
                Pipeline(
                    [
                        ("select", FunctionTransformer(meta_tokens)),
                        ("vec", TfidfVectorizer(tokenizer=_identity, lowercase=False,
                                                token_pattern=None)),
                    ]
                ),
            ),
        ],
        transformer_weights={"words": 1.0, "headline": 0.6, "chars": 2.0, "meta": 0.4},
    )
    clf = OneVsRestClassifier(
        LogisticRegression(C=c, class_weight="balanced", max_iter=2000, random_state=seed)
    )
    return Pipeline([("features", features), ("clf", clf)])
