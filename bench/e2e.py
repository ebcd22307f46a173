"""End to end (issue 11): the whole `process` command against plain spaCy,
each figure a ratio against a baseline measured in the same run.

Every run is a fresh `python` process (start-up, model loading, reading
the files, cleaning, NLP, themes, the store and the JSONL included), timed
from outside; the baseline is a fresh process that loads `en_core_web_sm`
with all its components and runs `nlp.pipe` over the same texts. Peak RSS
is the sum over the process and all its children (joblib/Dask workers),
sampled every 0.1 s with psutil; with one worker that is the worker.

The releases are a synthetic archive made by varying the gold corpus
(paragraph order, figures, a closing sentence naming the copy), written as
.txt files. Environment: BENCH_N (releases, default 1000), BENCH_WORKERS_N
(the 2-workers-vs-1 rows, default 2000), BENCH_RSS_SIZES (default "500,5000").
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TARGETS = {
    "vs_plain_default": 1.5,
    "vs_plain_bs32": 1.5,
    "joblib_2_vs_1": 1.7,
    "dask_2_vs_1": 1.7,
    "rerun_store": 50.0,
    "rerun_inputs": 50.0,
}
RSS_LIMIT_MB = 700
RSS_SPREAD = 0.10


def make_archive(root: Path, n: int, seed: int = 0) -> list[Path]:
    """``n`` releases varied from the gold corpus, one .txt file each."""
    from pipeline.gold import load_gold

    rng = random.Random(seed)
    gold = load_gold()
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        g = gold[i % len(gold)]
        paras = [p for p in g["text"].split("\n\n") if p.strip()]
        middle = paras[1:-1]
        rng.shuffle(middle)
        paras = paras[:1] + middle + paras[-1:] if len(paras) > 1 else paras
        text = re.sub(r"\d", lambda _: str(rng.randint(0, 9)), "\n\n".join(paras))
        text += f"\n\nThis is copy {i} of the release, kept in the archive's batch {i // 100}."
        path = root / f"{g['id']}-v{i:05d}.txt"
        path.write_text(f"{g['title']}\n\n{text}\n", encoding="utf-8")
        paths.append(path)
    return paths


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """(seconds, peak RSS in MB summed over the process tree) of a command."""
    import psutil

    started = time.perf_counter()
    child = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             env={**os.environ, **(env or {})})
    peak = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            proc = psutil.Process(child.pid)
            while not stop.is_set():
                total = 0
                for p in [proc, *proc.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                peak = max(peak, total / 2**20)
                stop.wait(0.1)
        except psutil.Error:
            return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = child.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    if child.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed ({child.returncode}): {stderr.decode()[-500:]}")
    return seconds, peak


def process_cmd(indir: Path, db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", "process", "--input", str(indir), "--db", str(db),
            "--output", str(db.with_suffix(".jsonl")), *extra]


_PLAIN = """
import sys, pathlib, spacy
from pipeline.nlp import default_model
nlp = spacy.load(default_model())
texts = (p.read_text(encoding="utf-8") for p in sorted(pathlib.Path(sys.argv[1]).glob("*.txt")))
kw = {} if sys.argv[2] == "default" else {"batch_size": int(sys.argv[2])}
for doc in nlp.pipe(texts, **kw):
    pass
"""

_RECLASSIFY = """
import sys
import pipeline.batch as batch
from pipeline.store import Store
real = batch.stage_versions()
batch.stage_versions = lambda model=None: {**real, "classifier_key": "bench-new-classifier"}
with Store(sys.argv[1]) as store:
    summary = batch.process_store(store)
assert summary.reclassified > 0 and summary.processed == 0, summary
"""


def run(n: int, rss_sizes: list[int], workers_n: int | None = None) -> dict:
    workers_n = workers_n or n
    results: dict = {"releases": n, "workers_releases": workers_n, "rows": []}
    rows = results["rows"]
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp:
        tmp = Path(tmp)
        indir = tmp / "archive"
        make_archive(indir, n)
        plain = {}
        for bs in ("default", "32"):
            plain[bs], _ = timed([sys.executable, "-c", _PLAIN, str(indir), bs])
        one, _ = timed(process_cmd(indir, tmp / "one.db"))
        rows.append(("process, 1 worker vs plain nlp.pipe (default batch)", one,
                     plain["default"], "vs_plain_default"))
        rows.append(("process, 1 worker vs plain nlp.pipe (batch_size=32)", one,
                     plain["32"], "vs_plain_bs32"))
        # Workers on an archive of their own size (BENCH_WORKERS_N): a worker's
        # start (a fresh interpreter, spaCy and the theme model loaded) is paid
        # once per run, so the shorter the run, the more it weighs.
        wdir = indir if workers_n == n else tmp / "workers"
        if wdir != indir:
            make_archive(wdir, workers_n, seed=workers_n)
        alone = one if wdir == indir else timed(process_cmd(wdir, tmp / "alone.db"))[0]
        for engine in ("joblib", "dask"):
            two, _ = timed(process_cmd(wdir, tmp / f"{engine}.db", "--engine", engine,
                                       "--workers", "2"))
            rows.append((f"process, 2 workers ({engine}) vs 1, {workers_n:,} releases", two,
                         alone, f"{engine}_2_vs_1"))
        again, _ = timed(process_cmd(indir, tmp / "one.db"))
        rows.append(("unchanged re-run of the same files vs the first run", again, one,
                     "rerun_inputs"))
        store_again, _ = timed([sys.executable, "-m", "pipeline", "process", "--db",
                                str(tmp / "one.db")])
        rows.append(("unchanged re-run of the store (`process`) vs the first run", store_again,
                     one, "rerun_store"))
        reclass, _ = timed([sys.executable, "-c", _RECLASSIFY, str(tmp / "one.db")])
        rows.append(("re-classification (new classifier) vs a full run", reclass, one, None))
        rss = {}
        for size in rss_sizes:
            sub = tmp / f"rss{size}"
            make_archive(sub, size, seed=size)
            _, rss[size] = timed(process_cmd(sub, tmp / f"rss{size}.db"))
        results["plain_s"] = plain
        results["rss_mb"] = rss
    return results


def print_table(results: dict) -> bool:
    ok_all = True
    print(f"{'what':62} {'ours s':>8} {'base s':>8} {'ratio':>7} {'target':>7}  ok")
    for what, ours, base, key in results["rows"]:
        ratio = base / ours
        target = TARGETS.get(key)
        ok = target is None or ratio >= target
        ok_all &= ok
        verdict = "" if target is None else ("pass" if ok else "FAIL")
        print(f"{what:62} {ours:8.1f} {base:8.1f} {ratio:6.2f}x "
              f"{(f'{target:.1f}x' if target else '-'):>7}  {verdict}")
    rss = results["rss_mb"]
    for size, mb in rss.items():
        ok = mb <= RSS_LIMIT_MB
        ok_all &= ok
        print(f"{f'peak RSS, 1 worker, {size:,} releases (MB)':62} {mb:8.0f} {'':8} {'':7} "
              f"{f'<={RSS_LIMIT_MB}':>7}  {'pass' if ok else 'FAIL'}")
    if len(rss) >= 2:
        sizes = sorted(rss)
        spread = rss[sizes[-1]] / rss[sizes[0]] - 1
        ok = abs(spread) <= RSS_SPREAD
        ok_all &= ok
        print(f"{f'peak RSS growth {sizes[0]:,} -> {sizes[-1]:,} releases':62} {spread:+8.1%} "
              f"{'':8} {'':7} {f'<={RSS_SPREAD:.0%}':>7}  {'pass' if ok else 'FAIL'}")
    return ok_all


def main() -> dict:
    n = int(os.environ.get("BENCH_N", "1000"))
    sizes = [int(s) for s in os.environ.get("BENCH_RSS_SIZES", "500,5000").split(",") if s]
    workers_n = int(os.environ.get("BENCH_WORKERS_N", "2000"))
    print(f"\n== end to end: {n} releases ({workers_n:,} for the worker rows), "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start ==")
    results = run(n, sizes, workers_n)
    results["all_pass"] = print_table(results)
    results["load_average_end"] = os.getloadavg()[0]
    print(f"load average {results['load_average_end']:.1f} at the end")
    return results
