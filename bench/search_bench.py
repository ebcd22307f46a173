"""How long a search takes over a big archive: ``python -m bench.search_bench``.

Builds a synthetic store of N releases (default 5,000) by varying the gold
corpus's releases (paragraphs shuffled, a distinct headline suffix, dates
spread over ten years), each with a record made from its gold annotations
(no spaCy: the store's size is what matters here), then times
- ``pipeline.search.search`` (what ``python -m pipeline search`` runs), and
  the whole command, Python's start-up included;
- Datasette's search page for the archive (``/archive/archive?_search=…``,
  HTML with its six facets, and the same as JSON), served by
  ``python -m pipeline browse`` on 127.0.0.1,
over the same queries, printing the median and the slowest of each.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.browse import running  # noqa: E402
from pipeline.gold import load_gold  # noqa: E402
from pipeline.records import Record, Release  # noqa: E402
from pipeline.search import search  # noqa: E402
from pipeline.store import Store  # noqa: E402

QUERIES = ["smuggling Turkey", "cholera", "voluntary return", "flash floods shelter",
           "Chief of Mission", "UNHCR", "trafficking victims Thailand", "labour migration",
           "vaccination", "Director General"]


def build_store(path: Path, n: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    gold = load_gold()
    with Store(path) as store, store.atomic():
        for i in range(n):
            g = gold[i % len(gold)]
            paras = g["text"].split("\n\n")
            rng.shuffle(paras)
            year = 2015 + i % 10
            rel = Release(id=f"synthetic-{i:05d}", title=f"{g['title']} ({i})",
                          body="\n\n".join(paras), date=f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                          url=f"https://{g.get('site') or 'www.iom.int'}/news/synthetic-{i}",
                          dateline=g.get("dateline"))
            store.upsert_release(rel)
            record = Record.assemble(rel, None, None, [], {})
            record.themes = [{"id": t, "score": round(rng.uniform(0.5, 1), 3), "evidence": []}
                             for t in g["themes"]]
            record.primary_theme = g["primary"]
            record.countries = [{"iso3": c, "name": c, "mentions": 1} for c in g["countries"]]
            record.officials = list(g["officials"])
            record.contacts = list(g["contacts"])
            record.organizations = ["UNHCR"] if "UNHCR" in g["text"] else []
            store.save_record(record, rel.content_hash)


def _times(fn, queries: list[str], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        for q in queries:
            t = time.perf_counter()
            fn(q)
            out.append(time.perf_counter() - t)
    return out


def _line(name: str, times: list[float]) -> str:
    return (f"{name:44} median {statistics.median(times) * 1000:7.1f} ms   "
            f"slowest {max(times) * 1000:7.1f} ms   ({len(times)} searches)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--releases", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, metavar="PATH",
                    help="build the synthetic store here and keep it (default: a temporary file)")
    args = ap.parse_args(argv)
    if args.keep and args.keep.exists():
        ap.error(f"{args.keep} exists; give a new path")
    with tempfile.TemporaryDirectory() as tmp:
        db = args.keep or Path(tmp) / "synthetic.db"
        t = time.perf_counter()
        build_store(db, args.releases)
        print(f"synthetic store: {args.releases} releases, built in {time.perf_counter() - t:.1f} s "
              f"({db.stat().st_size / 1e6:.0f} MB)")
        with Store(db) as store:
            hits = {q: len(search(store, q, limit=10_000)) for q in QUERIES}
            print("hits per query: " + ", ".join(f"{q!r} {n}" for q, n in hits.items()))
            print(_line("pipeline search (top 20)",
                        _times(lambda q: search(store, q), QUERIES, args.repeat)))
            print(_line("pipeline search --theme --since (top 20)", _times(
                lambda q: search(store, q, theme="counter_trafficking", since="2020-01-01"),
                QUERIES, args.repeat)))
        cli = [sys.executable, "-m", "pipeline", "search", "--db", str(db)]
        print(_line("python -m pipeline search, whole command", _times(
            lambda q: subprocess.run([*cli, q], cwd=ROOT, check=True, stdout=subprocess.DEVNULL),
            QUERIES[:3], 1)))
        with running(db, timeout=60) as client:
            client.get("/archive/archive", params={"_search": "warm up"})
            print(_line("Datasette search page, HTML with facets", _times(
                lambda q: client.get("/archive/archive", params={"_search": q}).raise_for_status(),
                QUERIES, args.repeat)))
            print(_line("Datasette search, JSON without facets", _times(
                lambda q: client.get("/archive/archive.json", params={
                    "_search": q, "_nofacet": "1"}).raise_for_status(), QUERIES, args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
