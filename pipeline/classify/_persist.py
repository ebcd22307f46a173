"""Saving and loading the theme model, guarded by its model card.

A joblib file runs code when it is loaded, so only our own files are
loaded: the card beside it records the file's sha256 and the scikit-learn
version it was trained with, and loading refuses a file that does not match.
"""

from __future__ import annotations

import hashlib
import json
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


def save(clf: ThemeClassifier, card: dict, model_dir: Path = MODEL_DIR) -> Path:
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / MODEL_FILE
    tmp = path.with_suffix(".tmp")
    joblib.dump(clf, tmp, compress=3)
    tmp.replace(path)
    card = {**card, "model_file": MODEL_FILE, "model_sha256": file_sha256(path)}
    (model_dir / CARD_FILE).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    return path


def read_card(model_dir: Path = MODEL_DIR) -> dict:
    path = model_dir / CARD_FILE
    if not path.exists():
        raise ModelError(f"{path}: no model card; run `make train`")
    return json.loads(path.read_text())


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
