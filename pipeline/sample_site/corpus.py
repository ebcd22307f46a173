"""Reading the gold corpus for the sample site: every release it must show.

The site renders ``corpus/gold/*.jsonl`` (and ``corpus/extra/fr.jsonl``, the
French releases, when present). Files may be half-written while the team
adds to them, so a line that is not a whole JSON object with an id, a title
and a text is skipped and named in the manifest rather than failing the
build; the first record with a given id wins.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "corpus"
REQUIRED = ("id", "title", "text")


def load_records(corpus_dir: Path | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """Gold (and French) records in file order, and the lines that were skipped."""
    root = Path(corpus_dir) if corpus_dir is not None else DEFAULT_CORPUS
    files = sorted((root / "gold").glob("*.jsonl"))
    french = root / "extra" / "fr.jsonl"
    if french.is_file():
        files.append(french)
    records: list[dict[str, Any]] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for path in files:
        is_french = path == french
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.relative_to(root)}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                skipped.append(f"{where}: not JSON")
                continue
            if not isinstance(record, dict) or not all(
                isinstance(record.get(k), str) and record[k].strip() for k in REQUIRED
            ):
                skipped.append(f"{where}: no id, title or text")
                continue
            if record["id"] in seen:
                skipped.append(f"{where}: duplicate id {record['id']}")
                continue
            seen.add(record["id"])
            if is_french:
                record.setdefault("language", "fr")
            records.append(record)
    return records, skipped
