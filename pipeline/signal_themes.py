"""Themes read through the taxonomy's signal phrases of a language.

For a language without a trained theme model (French today), a release's
themes come from its language's signal file (``languages.json`` names it):
per theme, the phrases found in the headline, the lead and the whole text,
weighted by where they are. A theme is given when its weighted hits reach
``min_score`` (the headline and lead count more, as they do for a reader);
the primary is the theme the headline and lead weigh most for, then the
taxonomy's precedence: a cross-cutting theme (policy_governance,
donor_relations, protection_assistance) yields to a specific theme given to
the release whose lead weight is at least ``yield_ratio`` of its own. As
the taxonomy says, a sentence naming a donor and a sum of money adds
``donor_relations``: ``_money_sentence`` in the signal file gives the theme,
the phrases that name the giving ("financé par", "a accordé") and the
weight such a sentence adds. The theme ids and the record are the English
model's; the settings are written in the signal file (``_settings``)
beside the phrases.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path

from pipeline.records import Themes
from pipeline.taxonomy import theme_ids

# The taxonomy's precedence (shared/taxonomy.md, "Which theme is primary"),
# as the trained model applies it (pipeline/classify/_classifier.py).
CROSS_CUTTING = ("policy_governance", "donor_relations", "protection_assistance")
_PARA = re.compile(r"\n\s*\n")
DEFAULTS = {"headline": 3.0, "lead": 2.0, "text": 1.0, "min_score": 3.0, "yield_ratio": 0.5,
            "cap_per_phrase": 3}


def _phrase_re(phrase: str) -> str:
    stem = re.escape(phrase.rstrip("*"))
    return stem + (r"\w*" if phrase.endswith("*") else "")


class SignalThemes:
    """``themes(rows)`` as the trained classifier gives it, from a signal file."""

    def __init__(self, path: Path, language: str) -> None:
        from pipeline.nlp.lexicon import Lexicon

        self.path = Path(path)
        raw = self.path.read_bytes()
        data = json.loads(raw)
        self.settings = {**DEFAULTS, **data.get("_settings", {})}
        self.money = data.get("_money_sentence")
        self.money_re = re.compile(r"(?<!\w)(?:" + "|".join(
            _phrase_re(p) for p in self.money["phrases"]) + r")(?!\w)", re.IGNORECASE
        ) if self.money else None
        self.lex = Lexicon.load(("currencies",), language)
        self.labels = tuple(theme_ids())
        unknown = [t for t in data if not t.startswith("_") and t not in self.labels]
        if unknown:
            raise ValueError(f"{self.path}: not taxonomy ids: {', '.join(unknown)}")
        self.patterns = {
            t: re.compile(r"(?<!\w)(?:" + "|".join(
                _phrase_re(p) for p in sorted(data[t], key=len, reverse=True)) + r")(?!\w)",
                re.IGNORECASE)
            for t in self.labels if data.get(t)
        }
        self.version = f"signals-{self.path.parent.name}-{hashlib.sha256(raw).hexdigest()[:12]}"

    def _hits(self, text: str) -> dict[str, list[str]]:
        cap = int(self.settings["cap_per_phrase"])
        out: dict[str, list[str]] = {}
        for theme, pattern in self.patterns.items():
            found = [m.group(0).lower() for m in pattern.finditer(text)]
            # A phrase repeated ten times is one subject, not ten pieces of evidence.
            kept = [p for i, p in enumerate(found) if found[:i].count(p) < cap]
            if kept:
                out[theme] = kept
        return out

    def scores(self, row: dict) -> tuple[dict[str, float], dict[str, float], dict[str, list[str]]]:
        """Per theme: the weighted score, the headline+lead weight, and the phrases found."""
        s = self.settings
        title = row.get("title", "") or ""
        text = row.get("text", "") or ""
        paragraphs = [p for p in _PARA.split(text) if p.strip()]
        lead = paragraphs[0] if paragraphs else ""
        head, first, whole = self._hits(title), self._hits(lead), self._hits(text)
        total, front = {}, {}
        for theme in self.labels:
            h, ld, t = (len(x.get(theme, [])) for x in (head, first, whole))
            front[theme] = s["headline"] * h + s["lead"] * ld
            total[theme] = front[theme] + s["text"] * t
        phrases = {t: list(dict.fromkeys(head.get(t, []) + whole.get(t, []))) for t in self.labels}
        for sentence in self._money_sentences(text):
            total[self.money["theme"]] += self.money["weight"]
            phrases[self.money["theme"]].insert(0, sentence)
        return total, front, phrases

    def _money_sentences(self, text: str) -> list[str]:
        """The giving phrases of sentences that also name a sum of money."""
        from pipeline.nlp.amounts import find_amounts

        if self.money_re is None:
            return []
        out = []
        for sentence in re.split(r"(?<=[.!?»])\s+", text):
            m = self.money_re.search(sentence)
            if m and find_amounts(sentence, self.lex):
                out.append(m.group(0).lower())
        return out

    def themes(self, rows: list[dict], evidence: bool = True) -> list[Themes]:
        s = self.settings
        out = []
        for row in rows:
            total, front, phrases = self.scores(row)
            given = [t for t in self.labels if total[t] >= s["min_score"]]
            ranked = sorted(self.labels, key=lambda t: (-(front[t] + 0.1 * total[t]),
                                                        self.labels.index(t)))
            primary = ranked[0]
            if primary in CROSS_CUTTING:
                top = front[primary] + 0.1 * total[primary]
                specific = [t for t in ranked if t not in CROSS_CUTTING and t in given
                            and front[t] + 0.1 * total[t] >= s["yield_ratio"] * top]
                if specific:
                    primary = specific[0]
            if primary not in given:
                given.append(primary)
            given.sort(key=lambda t: -total[t])
            score = {t: round(1 - math.exp(-total[t] / s["min_score"]), 4) for t in self.labels}
            out.append(Themes(
                themes=[{"id": t, "score": score[t],
                         "evidence": phrases[t][:5] if evidence else [], "paragraph": None}
                        for t in given],
                primary_theme=primary,
                scores=score,
            ))
        return out
