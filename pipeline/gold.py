"""The gold corpus: loading it, its splits, and the checks every record passes.

Gold records (corpus/gold/*.jsonl) have the fields of the output record in
their gold form (shared/CONTRACT.md). ``validate`` returns one readable line
per problem; the corpus test asserts there are none.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.languages import spec, supported
from pipeline.taxonomy import theme_ids

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus" / "gold"
# Written apart from the model by writers who saw only the taxonomy, the
# sites' description and WRITING.md; never trained or tuned on.
BLIND_DIR = Path(__file__).resolve().parent.parent / "corpus" / "blind"
BLIND_FILE = BLIND_DIR / "blind.jsonl"
REQUIRED = (
    "id", "title", "text", "themes", "primary", "countries", "cities",
    "ministries", "officials", "contacts", "amounts",
)
SPLITS = ("train", "dev", "test")
_SHINGLE = 5
_NEAR_DUPLICATE = 0.5


def load_gold(paths: Iterable[Path] | None = None) -> list[dict[str, Any]]:
    """Every gold record, in file then line order."""
    files = sorted(paths) if paths is not None else sorted(CORPUS_DIR.glob("*.jsonl"))
    records = []
    for path in files:
        for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: not JSON ({exc.msg})") from exc
            rec["_source"] = f"{Path(path).name}:{lineno}"
            records.append(rec)
    return records


def blind_sets(folder: Path = BLIND_DIR) -> dict[str, list[dict[str, Any]]]:
    """Every frozen blind file (``corpus/blind/blind*.jsonl``: each a batch
    written apart from the model, scored on its own), by file name."""
    return {p.name: load_gold([p]) for p in sorted(folder.glob("blind*.jsonl"))}


# Blind files whose errors were read after their first look, and for what:
# from then on they are tuning sets for that (corpus/blind/README.md).
TUNED_AFTER_FIRST_LOOK = {
    "blind.jsonl": "entities",
    "blind3.jsonl": "contacts",
    "blind4.jsonl": "contacts",
    "blind5.jsonl": "contacts",
    "blind6.jsonl": "contacts",
    "blind8.jsonl": "contacts",
}


def blind_note(file: str) -> str:
    """How a blind file stands: never tuned on, or tuned on for what since."""
    tuned = TUNED_AFTER_FIRST_LOOK.get(file)
    if tuned is None:
        return "written apart from the model; never trained or tuned on"
    return (f"written apart from the model; never trained on; its {tuned} errors read after "
            f"the first look, so a tuning set for {tuned}")


def split(records: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [r for r in records if r.get("split") == name]


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _shingles(text: str) -> set[int]:
    words = re.findall(r"\w+", text.lower())
    return {hash(tuple(words[i : i + _SHINGLE])) for i in range(max(1, len(words) - _SHINGLE + 1))}


def validate(records: list[dict[str, Any]], check_splits: bool = False) -> list[str]:
    import pycountry

    valid_themes = set(theme_ids())
    problems: list[str] = []
    seen: dict[str, str] = {}
    for rec in records:
        where = f"{rec.get('_source', '?')} {rec.get('id', '?')}"
        missing = [f for f in REQUIRED if f not in rec]
        if missing:
            problems.append(f"{where}: missing fields {missing}")
            continue
        if rec["id"] in seen:
            problems.append(f"{where}: id also at {seen[rec['id']]}")
        seen[rec["id"]] = where
        text = rec["text"]
        themes = rec["themes"]
        if not 1 <= len(themes) <= 4 or len(set(themes)) != len(themes):
            problems.append(f"{where}: needs 1 to 4 distinct themes, has {themes}")
        for t in set(themes) | {rec["primary"]}:
            if t not in valid_themes:
                problems.append(f"{where}: unknown theme id {t!r}")
        if rec["primary"] not in themes:
            problems.append(f"{where}: primary {rec['primary']!r} not among its themes")
        for code in rec["countries"]:
            if pycountry.countries.get(alpha_3=code) is None:
                problems.append(f"{where}: {code!r} is not an ISO 3166 alpha-3 code")
        if len(set(rec["countries"])) != len(rec["countries"]):
            problems.append(f"{where}: repeated country codes")
        strings = [("city", c) for c in rec["cities"]]
        strings += [("official", o.get("name")) for o in rec["officials"]]
        for c in rec["contacts"]:
            strings.append(("contact", c.get("name")))
            if c.get("email"):
                strings.append(("email", c["email"]))
        strings += [("amount", a.get("text")) for a in rec["amounts"]]
        for kind, value in strings:
            if not value or value not in text:
                problems.append(f"{where}: {kind} {value!r} does not occur in the text")
        for o in rec["officials"]:
            if not (o.get("title") or o.get("org")):
                problems.append(f"{where}: official {o.get('name')!r} has no title or office")
        language = rec.get("language") or "en"
        if language not in supported():
            problems.append(f"{where}: language {language!r} is not one of {supported()}")
        pattern, form = spec(language).gold_ministry
        for m in rec["ministries"]:
            if not re.match(pattern, m):
                problems.append(f"{where}: ministry {m!r} is not '{form}'")
        for a in rec["amounts"]:
            if not isinstance(a.get("value"), int | float) or not re.fullmatch(
                r"[A-Z]{3}", str(a.get("currency"))
            ):
                problems.append(f"{where}: amount {a!r} needs a number value and ISO currency")
        if check_splits and rec.get("split") not in SPLITS:
            problems.append(f"{where}: split {rec.get('split')!r} is not one of {SPLITS}")
    problems += _near_duplicates(records)
    return problems


def _near_duplicates(records: list[dict[str, Any]]) -> list[str]:
    sets = [(r.get("id"), _shingles(r.get("text", ""))) for r in records]
    out = []
    for i, (id_a, a) in enumerate(sets):
        for id_b, b in sets[i + 1 :]:
            inter = len(a & b)
            if inter and inter / len(a | b) >= _NEAR_DUPLICATE:
                out.append(f"{id_a} and {id_b}: near-duplicate texts ({inter / len(a | b):.2f})")
    return out


def assign_splits(records: list[dict[str, Any]], seed: int = 0) -> int:
    """Give records without a split one (70/15/15), by multi-label iterative
    stratification over their themes and primary theme. Records that have a
    split keep it, so figures stay comparable as the corpus grows."""
    import numpy as np
    from iterstrat.ml_stratifiers import MultilabelStratifiedShuffleSplit

    new = [r for r in records if r.get("split") not in SPLITS]
    if not new:
        return 0
    ids = list(theme_ids())
    y = np.zeros((len(new), 2 * len(ids)), dtype=int)
    for i, r in enumerate(new):
        for t in r["themes"]:
            y[i, ids.index(t)] = 1
        y[i, len(ids) + ids.index(r["primary"])] = 1
    if len(new) < 10:
        for r in new:
            r["split"] = "train"
        return len(new)
    outer = MultilabelStratifiedShuffleSplit(n_splits=1, test_size=0.30, random_state=seed)
    train_idx, held_idx = next(outer.split(np.zeros(len(new)), y))
    inner = MultilabelStratifiedShuffleSplit(n_splits=1, test_size=0.5, random_state=seed)
    dev_rel, test_rel = next(inner.split(np.zeros(len(held_idx)), y[held_idx]))
    for i in train_idx:
        new[i]["split"] = "train"
    for i in held_idx[dev_rel]:
        new[i]["split"] = "dev"
    for i in held_idx[test_rel]:
        new[i]["split"] = "test"
    return len(new)


def write_back(records: list[dict[str, Any]]) -> None:
    """Rewrite the gold files with the records' current fields, order kept."""
    by_file: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_file.setdefault(r["_source"].rsplit(":", 1)[0], []).append(r)
    for name, recs in by_file.items():
        lines = [
            json.dumps({k: v for k, v in r.items() if k != "_source"}, ensure_ascii=False)
            for r in recs
        ]
        (CORPUS_DIR / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if args[:1] == ["--assign-splits"]:
        records = load_gold()
        n = assign_splits(records)
        write_back(records)
        counts = {s: len(split(records, s)) for s in SPLITS}
        print(f"assigned {n} records; splits now {counts}")
        return 0
    records = load_gold([Path(a) for a in args] if args else None)
    problems = validate(records)
    for p in problems:
        print(p)
    words = sorted(word_count(r["text"]) for r in records)
    median = words[len(words) // 2] if words else 0
    print(f"{len(records)} records, {len(problems)} problems, median {median} words")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
