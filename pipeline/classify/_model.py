"""The theme features: a scikit-learn FeatureUnion over release dicts, with named blocks.

Input rows are dicts with ``title``, ``text`` and ``site_tags`` (list of str,
or the crawler's {"Themes": [...]} dict). Blocks, each named so that
evidence and tests find them by name, never by position:

- ``words``: TF-IDF word 1-2-grams with sublinear tf over headline + body;
- ``headline``: the headline's words on their own, since real releases carry
  most of their signal there;
- ``lead``: the words of the headline and first paragraph (what the primary
  theme is about, taxonomy.md);
- ``chars``: character 3-5-grams inside word boundaries (spelling,
  hyphenation and hard wraps of older pages);
- ``signals``: counts of the taxonomy's signal phrases (data/signals.json) in
  the headline, the lead and the whole text, per theme;
- ``meta``: the site's own theme tags as tokens.

The augmentations make the copies the model also trains on: real archives
keep the opening of a page cut near 2,000 characters mid-sentence, often
without headline or tags.
"""

from __future__ import annotations

import json
import re
import zlib
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

SIGNALS_FILE = Path(__file__).resolve().parent / "data" / "signals.json"
_CONTACT = re.compile(r"(?is)\n\s*for (?:more|further) information.*$")
_PARA = re.compile(r"\n\s*\n")
# Lines real archives keep above the body: publication stamps, photo credits.
_NOT_LEAD = re.compile(r"(?i)^\s*(date publish|posted|photo|©|credit|image)\b|^\s*\S+\s*$")
LEAD_CHARS = 600


def paragraphs(text: str, min_chars: int = 40) -> list[str]:
    return [p.strip() for p in _PARA.split(text or "") if len(p.strip()) > min_chars]


def lead_of(text: str) -> str:
    """The first paragraph that is body text (not a stamp or a caption), at
    most LEAD_CHARS characters, and cut at a word end."""
    for para in _PARA.split(_CONTACT.sub("", text or "")):
        para = para.strip()
        if len(para) > 80 and not _NOT_LEAD.match(para):
            if len(para) > LEAD_CHARS:
                para = para[:LEAD_CHARS].rsplit(None, 1)[0]
            return para
    return (text or "")[:LEAD_CHARS]


def site_tags_of(row: dict) -> list[str]:
    raw = row.get("site_tags") or ()
    if isinstance(raw, dict):  # crawled releases: {"Themes": [...], ...}
        raw = [v for values in raw.values() for v in values]
    return list(raw)


def full_text(rows: list[dict]) -> list[str]:
    return [f"{r.get('title', '')}\n\n{_CONTACT.sub('', r.get('text', ''))}" for r in rows]


def headline(rows: list[dict]) -> list[str]:
    return [r.get("title", "") for r in rows]


def lead_text(rows: list[dict]) -> list[str]:
    return [f"{r.get('title', '')}\n\n{lead_of(r.get('text', ''))}" for r in rows]


def meta_tokens(rows: list[dict]) -> list[str]:
    return [" ".join(["meta", *("tag_" + re.sub(r"\W+", "_", t.lower()) for t in site_tags_of(r))])
            for r in rows]


def _identity(tokens: str) -> list[str]:
    return tokens.split()


@cache
def signal_pattern(path: Path = SIGNALS_FILE) -> tuple[re.Pattern, tuple[str, ...]]:
    """One pattern for every theme's phrases (a named group per theme), so a
    text is scanned once; longer phrases are tried first."""
    data = json.loads(path.read_text(encoding="utf-8"))
    themes = tuple(t for t in data if not t.startswith("_"))
    groups = []
    for j, theme in enumerate(themes):
        alts = sorted((re.escape(p.rstrip("*")) + (r"\w*" if p.endswith("*") else "")
                       for p in data[theme]), key=len, reverse=True)
        groups.append(f"(?P<t{j}>" + "|".join(alts) + ")")
    # A lookahead for the phrases' first letters: the same matches, but a
    # position no phrase starts at fails at once instead of trying every one.
    firsts = sorted({p[0] for theme in themes for p in data[theme]})
    first = "(?=[" + "".join(re.escape(c) for c in firsts) + "])"
    return re.compile(r"\b" + first + "(?:" + "|".join(groups) + r")\b", re.IGNORECASE), themes


@cache
def _lower_signal_pattern(path: Path = SIGNALS_FILE) -> re.Pattern:
    """``signal_pattern`` without IGNORECASE, for lower-cased text: the same
    matches (the phrases are lower case, data/signals.json) three times as
    fast, since the engine no longer folds the case of every character it
    compares."""
    return re.compile(signal_pattern(path)[0].pattern)


@lru_cache(maxsize=4096)
def _signal_groups(text: str) -> tuple[int, ...]:
    """The pattern's group (theme) of each signal phrase in ``text``. Cached:
    one classification reads the same headline, lead and paragraphs several
    times (the release, its paragraphs and its lead are each scored)."""
    return tuple(int(m.lastgroup[1:]) for m in _lower_signal_pattern().finditer(text.lower()))


def signal_hits(text: str) -> dict[str, list[str]]:
    """The signal phrases found in a text, per theme."""
    pattern, themes = signal_pattern()
    out: dict[str, list[str]] = {}
    for m in pattern.finditer(text or ""):
        out.setdefault(themes[int(m.lastgroup[1:])], []).append(m.group(0))
    return out


class SignalCounts(TransformerMixin, BaseEstimator):
    """Per theme, log(1 + hits) of its signal phrases in the headline, the
    lead and the whole text (hits in the text per 1,000 characters, so a long
    release does not look more of everything)."""

    PARTS = ("headline", "lead", "text")

    def __init__(self, themes: tuple[str, ...] = ()):
        self.themes = themes

    def fit(self, rows, y=None):
        self.themes_ = tuple(self.themes) or signal_pattern()[1]
        return self

    def transform(self, rows) -> sp.csr_matrix:
        _, known = signal_pattern()
        col = {t: j for j, t in enumerate(self.themes_)}
        group_col = np.array([col.get(t, -1) for t in known])
        n_parts = len(self.PARTS)
        out = np.zeros((len(rows), len(self.themes_) * n_parts))
        for i, r in enumerate(rows):
            text = _CONTACT.sub("", r.get("text", "") or "")
            parts = (r.get("title", "") or "", lead_of(text), text)
            for k, part in enumerate(parts):
                for group in _signal_groups(part):
                    j = group_col[group]
                    if j >= 0:
                        out[i, j * n_parts + k] += 1
            out[i, 2::n_parts] *= 1000.0 / max(len(text), 1000)
        return sp.csr_matrix(np.log1p(out))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.array([f"{t}@{p}" for t in self.themes_ for p in self.PARTS], dtype=object)


class WordCharTfidf(TfidfVectorizer):
    """``TfidfVectorizer(analyzer="char_wb")`` that counts each distinct word's
    n-grams once. A char_wb n-gram never crosses a word boundary, so a text's
    counts are the sum of its words' counts; a batch of releases, their
    paragraphs and their leads repeat most words. Fitting is the parent's; the
    matrix ``transform`` gives is the parent's too, entry for entry (tested),
    in a fraction of the time (the parent looks up every n-gram of every word).
    """

    CACHE_WORDS = 200_000  # words kept (about 40 MB); the cache starts again past it

    def _count_vocab(self, raw_documents, fixed_vocab):
        if not fixed_vocab or self.analyzer != "char_wb":
            return super()._count_vocab(raw_documents, fixed_vocab)
        preprocess = self.build_preprocessor()
        cache = self.__dict__.setdefault("_word_counts", {})
        if len(cache) > self.CACHE_WORDS:
            cache.clear()
        vocabulary = self.vocabulary_
        # documents x distinct words (how often), then words x n-grams: the
        # counts are their product, one sparse multiplication.
        raw_documents = list(raw_documents)
        column: dict[str, int] = {}
        rows, cols = [], []
        for i, doc in enumerate(raw_documents):
            for word in preprocess(self.decode(doc)).split():
                rows.append(i)
                cols.append(column.setdefault(word, len(column)))
        per_word = []
        for word in column:
            grams = cache.get(word)
            if grams is None:
                grams = cache[word] = self._word_grams(word, vocabulary)
            per_word.append(grams)
        docs = sp.csr_matrix((np.ones(len(rows), dtype=self.dtype), (rows, cols)),
                             shape=(len(raw_documents), len(column)))
        lengths = np.fromiter((len(g[0]) for g in per_word), dtype=np.int64, count=len(per_word))
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        words = sp.csr_matrix(
            (np.concatenate([g[1] for g in per_word]) if per_word else np.zeros(0, self.dtype),
             np.concatenate([g[0] for g in per_word]) if per_word else np.zeros(0, np.int32),
             indptr), shape=(len(column), len(vocabulary)))
        X = (docs @ words).tocsr()
        X.sort_indices()
        return vocabulary, X

    def _word_grams(self, word: str, vocabulary: dict) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        for gram in self._char_wb_ngrams(word):
            j = vocabulary.get(gram)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        return (np.fromiter(counts.keys(), dtype=np.int32, count=len(counts)),
                np.fromiter(counts.values(), dtype=self.dtype, count=len(counts)))

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_word_counts", None)
        return state


def _tfidf_block(select, vectorizer=TfidfVectorizer, **kw) -> Pipeline:
    return Pipeline([("select", FunctionTransformer(select)), ("tfidf", vectorizer(**kw))])


def build_features(weights: dict[str, float]) -> FeatureUnion:
    blocks = {
        "words": _tfidf_block(full_text, ngram_range=(1, 2), sublinear_tf=True, min_df=2,
                              max_df=0.9, strip_accents="unicode"),
        "headline": _tfidf_block(headline, ngram_range=(1, 2), sublinear_tf=True,
                                 strip_accents="unicode"),
        "lead": _tfidf_block(lead_text, ngram_range=(1, 1), sublinear_tf=True, min_df=2,
                             strip_accents="unicode"),
        "chars": _tfidf_block(full_text, WordCharTfidf, analyzer="char_wb", ngram_range=(3, 5),
                              sublinear_tf=True, min_df=3, max_features=40000),
        "signals": SignalCounts(),
        "meta": _tfidf_block(meta_tokens, tokenizer=_identity, lowercase=False,
                             token_pattern=None),
    }
    kept = [(name, block) for name, block in blocks.items() if weights.get(name, 0) > 0]
    return FeatureUnion(kept, transformer_weights={name: weights[name] for name, _ in kept})


def feature_names(features: FeatureUnion) -> np.ndarray:
    """"block__feature" for every column of a fitted ``build_features`` union."""
    names = []
    for name, block in features.transformer_list:
        last = block[-1] if isinstance(block, Pipeline) else block
        names += [f"{name}__{n}" for n in last.get_feature_names_out()]
    return np.array(names, dtype=object)


# ---- the copies of real archives ------------------------------------------------------

def _cut_length(row: dict) -> int:
    # 1,500 to 2,200 characters, the same for the same release every time.
    return 1500 + zlib.crc32((row.get("title", "") + row.get("text", "")[:200]).encode()) % 700


def as_opening(row: dict) -> dict:
    """The page opening an archive keeps: cut mid-sentence, no contact block."""
    text = _CONTACT.sub("", row.get("text", ""))
    n = _cut_length(row)
    if len(text) > n:
        text = text[:n].rsplit(None, 1)[0]
    return {**row, "text": text}


def without_headline(row: dict) -> dict:
    return {**row, "title": "", "site_tags": []}


# No lower-cased, hard-wrapped copy: every block folds case and splits on
# any white space, so such a copy has the features of the release itself.
AUGMENTATIONS = {"opening": as_opening, "no_headline": lambda r: without_headline(as_opening(r))}
