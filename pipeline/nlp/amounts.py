"""Sums of money: the text as written, an ISO 4217 currency and a value.

"USD 3 million", "USD 200,000", "$10.5 million", "EUR 1.2 million",
"GBP 500,000", "5 million euros", "US$ 2.5 billion". Percentages and head
counts are not money.
"""

from __future__ import annotations

import re
from typing import Any

_SYMBOLS = {
    "US$": "USD", "USD": "USD", "$": "USD", "EUR": "EUR", "€": "EUR", "GBP": "GBP",
    "£": "GBP", "CHF": "CHF", "JPY": "JPY", "¥": "JPY", "AUD": "AUD", "A$": "AUD",
    "CAD": "CAD", "C$": "CAD", "NOK": "NOK", "SEK": "SEK", "DKK": "DKK", "KRW": "KRW",
    "CNY": "CNY", "INR": "INR", "KES": "KES", "NGN": "NGN", "ZAR": "ZAR", "TRY": "TRY",
    "MXN": "MXN", "BRL": "BRL", "SAR": "SAR", "AED": "AED", "QAR": "QAR", "NZD": "NZD",
}
_WORDS = {
    "dollars": "USD", "US dollars": "USD", "U.S. dollars": "USD", "euros": "EUR",
    "euro": "EUR", "pounds": "GBP", "pounds sterling": "GBP", "Swiss francs": "CHF",
    "yen": "JPY", "Norwegian kroner": "NOK", "Swedish kronor": "SEK", "Danish kroner": "DKK",
    # Local currencies whose name says which one it is.
    "CFA francs": "XOF", "lari": "GEL", "quetzales": "GTQ", "afghanis": "AFN",
    "pa'anga": "TOP", "pa’anga": "TOP", "ringgit": "MYR", "naira": "NGN", "birr": "ETB",
    "taka": "BDT", "somoni": "TJS", "tenge": "KZT", "hryvnias": "UAH", "hryvnia": "UAH",
    "Turkish lira": "TRY", "rand": "ZAR", "cedis": "GHS", "Kenyan shillings": "KES",
    "Ugandan shillings": "UGX", "Nepali rupees": "NPR", "Pakistani rupees": "PKR",
    "Indian rupees": "INR", "Sri Lankan rupees": "LKR", "Mexican pesos": "MXN",
    "Colombian pesos": "COP", "Philippine pesos": "PHP", "bolívares": "VES",
}
_SCALE = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9,
    "bn": 1e9, "b": 1e9, "trillion": 1e12,
}
def _iso_codes() -> dict[str, str]:
    """Every ISO 4217 code written before an amount ("NPR 110,000", "XOF 5,000")."""
    import pycountry

    return {c.alpha_3: c.alpha_3 for c in pycountry.currencies}


_SYMBOLS = {**_iso_codes(), **_SYMBOLS}
_SYM = "|".join(re.escape(s) for s in sorted(_SYMBOLS, key=len, reverse=True))
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SC = r"(?:[Tt]housand|[Mm]illion|[Bb]illion|[Tt]rillion|bn|mn|m|k)\b"
PREFIX_RE = re.compile(
    rf"(?<![\w$€£¥])(?P<cur>{_SYM})\s?(?P<num>{_NUM})(?![\d,.]*\s?%)(?:\s?(?P<scale>{_SC}))?"
)
SUFFIX_RE = re.compile(
    rf"\b(?P<num>{_NUM})(?:\s(?P<scale>{_SC}))?\s(?P<cur>"
    + "|".join(re.escape(w) for w in sorted(_WORDS, key=len, reverse=True))
    + r")\b"
)


def find_amounts(text: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    spans: list[tuple[int, int]] = []
    for regex, table in ((PREFIX_RE, _SYMBOLS), (SUFFIX_RE, _WORDS)):
        for m in regex.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in spans):
                continue
            value = float(m.group("num").replace(",", ""))
            scale = (m.group("scale") or "").lower()
            value *= _SCALE.get(scale, 1)
            out.append(
                {
                    "text": m.group(0).strip(),
                    "currency": table[m.group("cur")],
                    "value": int(value) if value == int(value) else value,
                }
            )
            spans.append((m.start(), m.end()))
    return out
