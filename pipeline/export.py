"""Exports of the output records: JSONL (the contract), CSV and Parquet.

JSONL carries every field as the contract has it. CSV flattens each record
to one row (lists joined with "; ") for spreadsheets, every cell made safe
to open in one (pipeline/spreadsheet.py). Parquet keeps nested
fields as JSON strings and needs the `parquet` extra (pyarrow). Files are
written to a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pipeline.records import Record
from pipeline.spreadsheet import write_rows

CSV_COLUMNS = ["id", "url", "title", "date", "dateline", "language", "primary_theme", "themes",
               "countries", "cities", "ministries", "officials", "contacts", "organizations",
               "amounts", "errors"]


def flat_row(record: Record) -> dict[str, str]:
    return {
        "id": record.id, "url": record.url or "", "title": record.title,
        "date": record.date or "", "dateline": record.dateline or "",
        "language": record.language, "primary_theme": record.primary_theme or "",
        "themes": "; ".join(f"{t['id']}:{t['score']:.2f}" for t in record.themes),
        "countries": "; ".join(f"{c['iso3']}:{c['mentions']}" for c in record.countries),
        "cities": "; ".join(c["name"] for c in record.cities),
        "ministries": "; ".join(m["name"] for m in record.ministries),
        "officials": "; ".join(
            ", ".join(filter(None, (o["name"], o.get("title"), o.get("org"))))
            for o in record.officials),
        "contacts": "; ".join(
            " ".join(filter(None, (c["name"], c.get("email"), c.get("phone"))))
            for c in record.contacts),
        "organizations": "; ".join(record.organizations),
        "amounts": "; ".join(a["text"] for a in record.amounts),
        "errors": "; ".join(record.errors),
    }


def export_records(records: Iterable[Record], path: Path, fmt: str = "jsonl") -> int:
    """Write the records (a list or a stream) to ``path``; how many were written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    if fmt == "jsonl":
        n = 0
        with open(tmp, "w", encoding="utf-8") as fh:
            for r in records:
                fh.write(r.to_json() + "\n")
                n += 1
    elif fmt == "csv":
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            n = write_rows(fh, CSV_COLUMNS, (flat_row(r) for r in records))
    elif fmt == "parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise ValueError("Parquet export needs the `parquet` extra (pyarrow)") from exc
        rows = [
            {k: (json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v)
             for k, v in r.as_dict().items()}
            for r in records
        ]
        pq.write_table(pa.Table.from_pylist(rows), tmp)
        n = len(rows)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    tmp.replace(path)
    return n
