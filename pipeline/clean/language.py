"""Language of a release, by py3langid over a closed set of languages.

The model is loaded once per process (about half a second) and restricted
to the languages the agency publishes in (``data/languages.json``). Texts
too short to judge keep the language the page declares, else the default.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

_DATA = json.loads((Path(__file__).parent / "data" / "languages.json").read_text("utf-8"))
DEFAULT_LANGUAGE: str = _DATA["default"]
_NON_LETTERS = re.compile(r"[\W\d_]+")


@cache
def _identifier():
    from py3langid import langid

    identifier = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE)
    identifier.set_languages(_DATA["languages"])
    return identifier


def detect_language(text: str, declared: str | None = None) -> str:
    """ISO 639-1 code of ``text``; ``declared`` (e.g. ``<html lang>``) for short texts."""
    fallback = _primary_subtag(declared) or DEFAULT_LANGUAGE
    # A few hundred characters decide a language as well as the whole text
    # does, and the identifier's time grows with its input.
    sample = text[: _DATA["sample_chars"]]
    if len(_NON_LETTERS.sub("", sample)) < _DATA["min_chars"]:
        return fallback
    code, _score = _identifier().classify(sample)
    return code


def _primary_subtag(tag: str | None) -> str | None:
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None
