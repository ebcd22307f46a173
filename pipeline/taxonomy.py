"""The thematic taxonomy (shared/taxonomy.md) as data: ids, names, signals.

The ids are stable; outputs, models, the gold corpus and every evaluation
use them. ``taxonomy.json`` is generated from the shared table and checked
against it by the tests.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

_DATA = Path(__file__).with_name("taxonomy.json")


@cache
def themes() -> tuple[dict, ...]:
    return tuple(json.loads(_DATA.read_text(encoding="utf-8")))


def theme_ids() -> tuple[str, ...]:
    return tuple(t["id"] for t in themes())
