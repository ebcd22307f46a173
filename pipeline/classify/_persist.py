"""Saving and loading the theme model, guarded by its model card.

A joblib file runs code when it is loaded, so only our own files are
loaded: the card beside it records the file's sha256 and the scikit-learn
version it was trained with, and loading refuses a file that does not match.

The model and its card are one unit. ``save`` writes both in full beside
their final names first (``themes.joblib.new``, ``themes.card.json.new``),
then renames the model, then the card. A run killed at any instant leaves
either the old pair, or the new model with its complete card waiting under
``.new``: ``read_card`` and ``load`` finish that swap when the waiting
card's sha256 is the model's (and only then), so the pair always loads. A
card is only ever renamed into place whole, and one that cannot be read is
a ModelError, so ``make train`` rebuilds it instead of failing on it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import joblib
import sklearn

from pipeline.classify._classifier import ThemeClassifier

MODEL_DIR = Path(__file__).resolve().parents[2] / "models"
MODEL_FILE = "themes.joblib"
CARD_FILE = "themes.card.json"


class ModelError(Exception):
    """The model cannot be used; the message says why in one line."""


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _pending(path: Path) -> Path:
    return path.with_name(path.name + ".new")


def save(clf: ThemeClassifier, card: dict, model_dir: Path = MODEL_DIR) -> Path:
    model_dir.mkdir(parents=True, exist_ok=True)
    _settle(model_dir)  # a swap left half-done by a killed save is finished before a new one
    path = model_dir / MODEL_FILE
    card_path = model_dir / CARD_FILE
    new_model, new_card = _pending(path), _pending(card_path)
    with open(new_model, "wb") as fh:
        joblib.dump(clf, fh, compress=3)
        fh.flush()
        os.fsync(fh.fileno())
    card = {**card, "model_file": MODEL_FILE, "model_sha256": file_sha256(new_model)}
    with open(new_card, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(card, indent=2, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    new_model.replace(path)  # from here the waiting card is the model's: _settle completes it
    new_card.replace(card_path)
    return path


def _settle(model_dir: Path) -> Path:
    """The card that belongs to the model: a waiting ``.new`` card whose sha256 is the
    model file's (a save killed between its two renames) is moved into place first."""
    card_path = model_dir / CARD_FILE
    waiting = _pending(card_path)
    try:
        card = json.loads(waiting.read_text(encoding="utf-8"))
        if file_sha256(model_dir / MODEL_FILE) != card["model_sha256"]:
            return card_path  # killed before its model was swapped in: the old pair stands
    except (OSError, ValueError, KeyError, TypeError):
        return card_path  # none waiting, or one cut short while it was written
    try:
        waiting.replace(card_path)
    except OSError:
        return waiting  # a read-only models/ directory: use the waiting card where it is
    return card_path


def read_card(model_dir: Path = MODEL_DIR) -> dict:
    path = _settle(model_dir)
    if not path.exists():
        raise ModelError(f"{path}: no model card; run `make train`")
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: unreadable model card ({exc}); run `make train`") from exc
    if not isinstance(card, dict):
        raise ModelError(f"{path}: not a model card; run `make train`")
    return card


def load(model_dir: Path = MODEL_DIR) -> tuple[ThemeClassifier, dict]:
    card = read_card(model_dir)
    path = model_dir / card.get("model_file", MODEL_FILE)
    if not path.exists():
        raise ModelError(f"{path}: model file missing; run `make train`")
    digest = file_sha256(path)
    if digest != card.get("model_sha256"):
        raise ModelError(
            f"{path}: sha256 {digest[:12]}… does not match the model card "
            f"({str(card.get('model_sha256'))[:12]}…); refusing to load it, run `make train`"
        )
    trained_with = card.get("versions", {}).get("scikit-learn")
    if trained_with != sklearn.__version__:
        raise ModelError(
            f"{path}: trained with scikit-learn {trained_with}, this is {sklearn.__version__}; "
            "run `make train`"
        )
    return joblib.load(path), card
