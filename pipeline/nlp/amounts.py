"""Sums of money: the text as written, an ISO 4217 currency and a value.

"USD 3 million", "USD 200,000", "$10.5 million", "EUR 1.2 million",
"GBP 500,000", "5 million euros", "US$ 2.5 billion"; in French (a lexicon
whose currencies say ``style decimal ,``) "2 millions de dollars", "1,5
million d'euros", "500 000 euros" (thousands grouped by a space, a no-break
or a narrow no-break space), and "FCFA" as XOF or XAF by the release's
country. Percentages and head counts are not money. How currencies are
written is the language's ``currencies.tsv`` (every ISO 4217 code is also
read before a number: "NPR 110,000").
"""

from __future__ import annotations

import re
import weakref
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

from pipeline.nlp.lexicon import Lexicon, default_lexicon

_SCALE = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9,
    "bn": 1e9, "b": 1e9, "trillion": 1e12,
}
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SC = r"(?:[Tt]housand|[Mm]illion|[Bb]illion|[Tt]rillion|bn|mn|m|k)\b"
_FR_SCALE = {"mille": 1e3, "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9}
_FR_NUM = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_FR_SC = r"(?:millions?|milliards?|mille)\b"


@cache
def _iso_codes() -> dict[str, str]:
    import pycountry

    return {c.alpha_3: c.alpha_3 for c in pycountry.currencies}


@dataclass(frozen=True)
class _Patterns:
    symbols: dict[str, str]
    names: dict[str, str]
    prefix: re.Pattern
    suffix: re.Pattern
    decimal_comma: bool = False


_COMPILED: weakref.WeakKeyDictionary[Lexicon, _Patterns] = weakref.WeakKeyDictionary()


def _patterns(lex: Lexicon) -> _Patterns:
    found = _COMPILED.get(lex)
    if found is None:
        symbols = {**_iso_codes(), **lex.currencies.get("symbol", {})}
        names = dict(lex.currencies.get("name", {}))
        sym = "|".join(re.escape(s) for s in sorted(symbols, key=len, reverse=True))
        written = "|".join(re.escape(w) for w in sorted(names, key=len, reverse=True))
        if lex.currencies.get("style", {}).get("decimal") == ",":
            prefix = re.compile(rf"(?<![\w$€£¥])(?P<cur>{sym})\s?(?P<num>{_FR_NUM})"
                                rf"(?![\d,]*\s?%)(?:\s(?P<scale>{_FR_SC}))?")
            # "2 millions de dollars", "1,2 million d'euros", "500 000 euros"
            suffix = re.compile(rf"(?<![\d,])(?P<num>{_FR_NUM})(?:\s(?P<scale>{_FR_SC}))?"
                                rf"\s(?:(?<=s )de\s|(?<=n )de\s|(?<=d )de\s|d['’])?(?P<cur>{written})\b")
            found = _COMPILED[lex] = _Patterns(symbols, names, prefix, suffix, True)
            return found
        prefix = re.compile(
            rf"(?<![\w$€£¥])(?P<cur>{sym})\s?(?P<num>{_NUM})(?![\d,.]*\s?%)(?:\s?(?P<scale>{_SC}))?"
        )
        suffix = re.compile(
            rf"\b(?P<num>{_NUM})(?:\s(?P<scale>{_SC}))?\s(?P<cur>{written})\b"
        )
        found = _COMPILED[lex] = _Patterns(symbols, names, prefix, suffix)
    return found


def find_amounts(text: str, lex: Lexicon | None = None,
                 countries: Counter | None = None) -> list[dict[str, Any]]:
    """Sums of money in ``text``: text, currency, value, and the span (start, end).
    ``countries``: mentions of each ISO3 in the release (for the franc CFA's zone)."""
    lex = lex or default_lexicon()
    pats = _patterns(lex)
    zones: Counter[str] = Counter()
    for iso3, n in (countries or {}).items():
        if iso3 in lex.currencies.get("cfa_zone", {}):
            zones[lex.currencies["cfa_zone"][iso3]] += n
    cfa = zones.most_common(1)[0][0] if zones else None
    out: list[dict[str, Any]] = []
    spans: list[tuple[int, int]] = []
    for regex, table in ((pats.prefix, pats.symbols), (pats.suffix, pats.names)):
        for m in regex.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in spans):
                continue
            scale = (m.group("scale") or "").lower()
            if pats.decimal_comma:
                value = float(re.sub(r"[ \u00a0\u202f]", "", m.group("num")).replace(",", "."))
                value *= _FR_SCALE.get(scale, 1)
            else:
                value = float(m.group("num").replace(",", ""))
                value *= _SCALE.get(scale, 1)
            written = m.group(0).strip()
            currency = table[m.group("cur")]
            if currency == "XOF" and cfa:
                currency = cfa
            out.append(
                {
                    "text": written,
                    "currency": currency,
                    "value": int(value) if value == int(value) else value,
                    "span": (m.start(), m.start() + len(written)),
                }
            )
            spans.append((m.start(), m.end()))
    return out
