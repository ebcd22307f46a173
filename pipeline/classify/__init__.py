"""Theme classification: what the CLI and the batch runner use.

``load_classifier`` gives the trained model (refusing a file whose hash or
scikit-learn version does not match its card); ``classify`` turns a release
into Themes; ``train``/``save`` rebuild the model and its card.
"""

from __future__ import annotations

from pipeline.classify._classifier import ThemeClassifier
from pipeline.classify._metrics import KeywordBaseline, MostFrequentBaseline, theme_scores
from pipeline.classify._persist import MODEL_DIR, ModelError, load, read_card, save
from pipeline.classify.train import inputs_digest, review_records, train
from pipeline.records import Release, Themes

__all__ = [
    "MODEL_DIR", "KeywordBaseline", "ModelError", "MostFrequentBaseline", "ThemeClassifier",
    "classify", "inputs_digest", "load", "load_classifier", "read_card", "review_records",
    "save", "theme_scores", "train",
]


def load_classifier(model_dir=MODEL_DIR) -> tuple[ThemeClassifier, dict]:
    return load(model_dir)


def release_row(release: Release) -> dict:
    tags = [t for values in release.site_tags.values() for t in values] if isinstance(
        release.site_tags, dict) else list(release.site_tags or [])
    return {"title": release.title, "text": release.text, "site_tags": tags}


def classify(releases: list[Release], clf: ThemeClassifier) -> list[Themes]:
    if not releases:
        return []
    return clf.themes([release_row(r) for r in releases])
