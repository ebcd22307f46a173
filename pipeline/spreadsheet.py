"""Cells that are safe to open in a spreadsheet, and back.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and,
in some, a tab or carriage return) as a formula: ``=HYPERLINK(…)`` in a
scraped headline would run on the archivist's machine. Following OWASP's
rule, every CSV the project writes goes through ``safe_cell``, which puts a
single quote in front of such a cell (a spreadsheet shows the text as
written), and ``review import`` reads every cell back through
``original_cell``. A cell that already starts with a quote gets one more, so
``original_cell(safe_cell(x)) == x`` for every string: the prefix is undone
exactly, never guessed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"
_PREFIXED = (*FORMULA_STARTS, _QUOTE)


def safe_cell(value: Any) -> Any:
    """A string a spreadsheet shows as text; anything else unchanged."""
    if isinstance(value, str) and value.startswith(_PREFIXED):
        return _QUOTE + value
    return value


def original_cell(value: str | None) -> str | None:
    """Undo ``safe_cell``: the cell as it was before it was written."""
    if value and value.startswith(_QUOTE) and value[1:].startswith(_PREFIXED):
        return value[1:]
    return value


def write_rows(fh: IO[str], columns: list[str], rows: Iterable[dict[str, Any]]) -> int:
    """A header and the rows, every cell made safe; the number of rows."""
    writer = csv.DictWriter(fh, fieldnames=columns)
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
        n += 1
    return n
