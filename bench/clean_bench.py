"""Cleaning benchmark: our cleaner against trafilatura on the sample site.

For every article page of the sample site that holds gold releases, both
extractors read the same HTML and their text is compared with the gold
text, token by token (lower-cased words; bag-of-tokens precision, recall
and F1 per page, then the mean over pages). The reference is what the
cleaner is asked to put in the body, so it is the gold ``text`` without:
- the contact block (the cleaner moves it to ``contact_block``): every
  paragraph from the first one that opens a contact block ("For more
  information…", or a bare "Name / Office / Tel: …" card) to the end of
  its item;
- "Posted: …" metadata lines (the cleaner reads them as the date);
- photo credits ("©IOM/…", "Photo: IOM/…") and the one-sentence caption
  right above a credit (captions are not body text).
A press briefing note's items keep their titles in the reference (gold
writes them as paragraphs), so our text for a page that gives several
releases is each item's title and body. trafilatura is not asked to split
contact blocks off, so ``f1_with_contact`` also compares whole outputs
(our body and contact block; trafilatura's text) with the reference that
keeps the contact blocks. Chrome left is the number of
output lines that are exactly a label of the sample site's chrome (menus,
footers, share and related-news titles, in every layout and language).
Pages per second time the extraction alone, after one warm-up page each.

Run: ``.venv/bin/python -m bench.clean_bench [SITE_DIR]`` (builds the
sample site into a temporary directory when none is given).
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from pipeline.clean import clean_page, decode_html
from pipeline.records import Page

_TOKEN = re.compile(r"\w+", re.UNICODE)
_CONTACT = re.compile(
    r"^(?:For (?:more|further) information|For more details|For media enquiries|"
    r"Media contact|Press contact|Pour (?:plus|de plus amples) d.informations|"
    r"Pour toute information|Para más información|Per ulteriori informazioni)",
    re.IGNORECASE,
)
_CREDIT = re.compile(r"^(?:©|Photo\s*:|Photo credit\s*:)", re.IGNORECASE)
_CONTACT_ITEM = re.compile(r"^(?:Tel|Phone|Mobile|Email|E-mail|Fax)\s*:", re.IGNORECASE)
_POSTED = re.compile(r"^Posted:\s", re.IGNORECASE)
_CAPTION_MAX = 160


def load_manifest(site_dir: Path) -> dict[str, Any]:
    manifest = site_dir / "manifest.json"
    if not manifest.is_file():
        from pipeline.sample_site import build_site

        return build_site(site_dir)
    return json.loads(manifest.read_text(encoding="utf-8"))


def gold_records() -> dict[str, dict[str, Any]]:
    """Gold (and French) records as the sample site renders them, by id."""
    from pipeline.sample_site.corpus import load_records

    records, _skipped = load_records()
    return {r["id"]: r for r in records}


def article_pages(site_dir: Path, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Article pages with gold releases: the Page as the crawler would store it."""
    from pipeline.sample_site.paths import file_for

    pages = []
    for entry in manifest["articles"]:
        if not entry.get("gold_ids") or entry.get("disallowed"):
            continue
        raw = (site_dir / "www" / file_for(entry["path"])).read_bytes()
        url = "http://127.0.0.1" + entry["path"]
        html = decode_html(raw, "text/html; charset=utf-8")
        pages.append({**entry, "page": Page(url=url, fetched_at="", status=200, html=html)})
    return pages


def reference_text(record: dict[str, Any], with_contact: bool = False) -> str:
    """The gold text the body should hold (see the module docstring).

    ``with_contact`` keeps the contact block: the reference for comparing
    whole outputs (body and contact block) with an extractor that does not
    split the contact block off.
    """
    paragraphs = [p for p in record["text"].split("\n\n") if p.strip()]
    kept: list[str] = []
    in_contact = False
    for i, paragraph in enumerate(paragraphs):
        stripped = paragraph.strip()
        following = paragraphs[i + 1].strip() if i + 1 < len(paragraphs) else ""
        if i and (_CONTACT.match(stripped) or _is_card(stripped)):
            in_contact = True
            if with_contact:
                kept.append(paragraph)
            continue
        if in_contact:
            # A press briefing note goes on with its next item's title.
            if "\n" in stripped or "@" in stripped or _CONTACT_ITEM.match(stripped):
                if with_contact:
                    kept.append(paragraph)
                continue
            in_contact = False
        lines = stripped.split("\n")
        if _POSTED.match(stripped) or _CREDIT.match(stripped):
            continue
        if len(lines) == 2 and _CREDIT.match(lines[1].strip()):
            continue  # caption and credit written as one paragraph
        if _CREDIT.match(following) and len(stripped) <= _CAPTION_MAX:
            continue
        kept.append(paragraph)
    return "\n\n".join(kept)


def _is_card(paragraph: str) -> bool:
    """A contact card with no opening sentence: "Name\\nOffice\\nTel: …"."""
    lines = paragraph.split("\n")
    return len(lines) >= 2 and any(_CONTACT_ITEM.match(line) for line in lines)


def tokens(text: str) -> Counter[str]:
    return Counter(t.casefold() for t in _TOKEN.findall(text or ""))


def token_scores(predicted: str, reference: str) -> tuple[float, float, float]:
    got, want = tokens(predicted), tokens(reference)
    overlap = sum((got & want).values())
    precision = overlap / max(sum(got.values()), 1)
    recall = overlap / max(sum(want.values()), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def chrome_labels() -> set[str]:
    """Every label of the sample site's chrome, lower-cased."""
    data = json.loads(
        (Path(__file__).resolve().parents[1] / "pipeline" / "sample_site" / "chrome.json")
        .read_text(encoding="utf-8")
    )
    labels: set[str] = set()

    def menu(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, str):
                labels.add(item)
            else:
                labels.add(item["label"])
                labels.update(item.get("children", []))
                if item.get("intro_title"):
                    labels.add(item["intro_title"])

    for site in data["global"].values():
        menu(site["menu"])
        labels.update(label for label, _ in site["languages"])
        labels.update(label for label, _ in site["footer"])
        labels.update(site["share"])
        for key in ("share_title", "related_title", "footer_title", "scope_label"):
            labels.add(site[key])
        labels.update(site["type_labels"].values())
    country = data["country"]
    menu(country["menu"])
    labels.update(country["menu_plain"])
    labels.update(label for label, _ in country["footer"])
    labels.update(country["share"])
    labels.update([country["share_title"], country["related_title"]])
    labels.update(data["drupal7"]["menu"])
    labels.update(data["drupal7"]["footer"])
    return {label.casefold() for label in labels if label}


def chrome_lines(text: str, labels: set[str]) -> int:
    return sum(
        1 for line in text.split("\n") if line.strip(" -•*").strip().casefold() in labels
    )


def ours(page: Page) -> tuple[str, str]:
    """(bodies, bodies with their contact blocks); item titles for several releases."""
    releases = clean_page(page)
    several = len(releases) > 1
    bodies, full = [], []
    for r in releases:
        head = [r.title] if several else []
        bodies.append("\n\n".join(head + [r.body]))
        full.append("\n\n".join(head + [r.text]))
    return "\n\n".join(bodies), "\n\n".join(full)


def theirs(page: Page) -> tuple[str, str]:
    import trafilatura

    text = trafilatura.extract(page.html, include_comments=False, include_tables=True) or ""
    return text, text


def _measure(name: str, extract, pages: list[dict[str, Any]], gold: dict[str, dict[str, Any]],
             labels: set[str]) -> list[dict[str, Any]]:
    extract(pages[0]["page"])  # warm-up: model loads, caches
    # Best of three passes, for both extractors alike: the machine's noise out.
    seconds = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        outputs = [extract(entry["page"]) for entry in pages]
        seconds = min(seconds, time.perf_counter() - start)
    per_layout: dict[str, list[tuple[float, ...]]] = {}
    for entry, (body, full) in zip(pages, outputs, strict=True):
        records = [gold[g] for g in entry["gold_ids"] if g in gold]
        p, r, f = token_scores(body, "\n\n".join(reference_text(g) for g in records))
        *_, f_full = token_scores(
            full, "\n\n".join(reference_text(g, with_contact=True) for g in records)
        )
        for key in (entry["layout"], "all"):
            per_layout.setdefault(key, []).append((p, r, f, chrome_lines(full, labels), f_full))
    rows = []
    for layout, scores in sorted(per_layout.items(), key=lambda kv: (kv[0] == "all", kv[0])):
        n = len(scores)
        rows.append({
            "extractor": name,
            "layout": layout,
            "pages": n,
            "precision": round(sum(s[0] for s in scores) / n, 4),
            "recall": round(sum(s[1] for s in scores) / n, 4),
            "f1": round(sum(s[2] for s in scores) / n, 4),
            "f1_with_contact": round(sum(s[4] for s in scores) / n, 4),
            "chrome_lines": sum(s[3] for s in scores),
            "pages_with_chrome": sum(1 for s in scores if s[3]),
            "pages_per_second": round(len(pages) / seconds, 1) if layout == "all" else None,
        })
    return rows


def run(site_dir: Path) -> list[dict[str, Any]]:
    """One row per extractor and layout (and "all"): token precision, recall
    and F1 of the body, F1 with the contact block, chrome lines left, and
    pages per second (on the "all" row)."""
    site_dir = Path(site_dir)
    manifest = load_manifest(site_dir)
    gold = gold_records()
    pages = [p for p in article_pages(site_dir, manifest) if any(g in gold for g in p["gold_ids"])]
    labels = chrome_labels()
    return _measure("ours", ours, pages, gold, labels) + _measure(
        "trafilatura", theirs, pages, gold, labels
    )


def print_table(rows: list[dict[str, Any]]) -> None:
    columns = ("extractor", "layout", "pages", "precision", "recall", "f1", "f1_with_contact",
               "chrome_lines",
               "pages_with_chrome", "pages_per_second")
    widths = {c: max(len(c), *(len(str(r[c] if r[c] is not None else "")) for r in rows))
              for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(str(row[c] if row[c] is not None else "").ljust(widths[c])
                        for c in columns))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args:
        print_table(run(Path(args[0])))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        print_table(run(Path(tmp)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
