"""Command line: parse, call the stages, print. ``python -m pipeline --help``.

Exit status (shared/CONTRACT.md): 0 success; 1 some records failed (each
named on stderr, the rest done), or an internal error (one line, no
traceback); 2 bad usage or unusable input (one line on stderr, no
traceback). Text from pages and file names reaches stderr only through
``printable``: a control character in a record id must not drive the terminal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

from pipeline import __version__

DEFAULT_DB = "out/pipeline.db"
OUT_DIR = Path("out")


class UsageError(Exception):
    """Bad usage or unusable input: one line to stderr, exit 2."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="iom-pipeline",
        description="Crawl, clean, extract entities from and classify press releases of the "
        "migration agency's websites, into a SQLite store, JSONL exports and an HTML report.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--db", default=DEFAULT_DB, help=f"the store (default {DEFAULT_DB})")

    def crawl_opts(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("sources", nargs="*", metavar="SOURCE",
                        help="listing page, RSS/Atom feed or sitemap URL")
        sp.add_argument("--site-profile", help="site layout to use (else by host or markup)")
        sp.add_argument("--max-pages", type=int, help="fetch at most N release pages")
        sp.add_argument("--since", help="stop paging listings at releases older than YYYY-MM-DD")
        sp.add_argument("--rate", type=float, default=1.0,
                        help="requests per second per host (default 1)")
        sp.add_argument("--refresh", action="store_true",
                        help="refetch stored release pages (conditional GET)")
        sp.add_argument("--allow-host", action="append", metavar="HOST",
                        help="also fetch from this host (sources' hosts are allowed already)")

    def engine_opts(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--engine", choices=["local", "joblib", "dask"], default="local",
                        help="where stored releases are processed: this process (default), "
                        "joblib workers, or a Dask cluster")
        sp.add_argument("--workers", type=int, default=2,
                        help="worker processes for joblib or a local Dask cluster (default 2)")
        sp.add_argument("--address", help="Dask scheduler, e.g. tcp://10.0.0.1:8786 "
                        "(default: a LocalCluster on this machine)")

    sp = sub.add_parser("crawl", help="fetch releases from listing pages, feeds, sitemaps")
    crawl_opts(sp)
    common(sp)

    sp = sub.add_parser(
        "process",
        help="clean, extract and classify new or changed releases (or --input files)",
        description="Without --input: every stored page or release that is new or changed. "
        "With --input: .txt (first line the headline), .html/.htm pages or .jsonl "
        '({"id","title","text"} or {"id","url","html"} a line); the record id is the file '
        "name without extension, or the id given.",
    )
    sp.add_argument("--input", nargs="+", metavar="PATH",
                    help="files, directories (searched recursively for .txt, .html, .htm, "
                    ".jsonl) or glob patterns")
    sp.add_argument("--max-chars", type=int, default=1_000_000, metavar="N",
                    help="longest text processed (default 1,000,000 characters); a longer "
                    "one, or an HTML page over 5 bytes a character, gets an error record at once")
    sp.add_argument("--output", type=Path, metavar="FILE.jsonl",
                    help="write the output records here (default: out/releases.jsonl)")
    sp.add_argument("--force", action="store_true", help="reprocess everything stored")
    sp.add_argument("--batch-size", type=int, default=64, metavar="N",
                    help="releases a batch (default 64): piped through spaCy and classified "
                    "together, and written when done")
    sp.add_argument("--site-profile", help="site layout for HTML input")
    engine_opts(sp)
    common(sp)

    sp = sub.add_parser("run", help="crawl + process + export + report")
    crawl_opts(sp)
    sp.add_argument("--sample-site", action="store_true",
                    help="serve the bundled sample site on 127.0.0.1 and crawl it")
    engine_opts(sp)
    common(sp)

    sp = sub.add_parser("train", help="train the theme classifier (gold corpus + reviews)")
    sp.add_argument("--if-changed", action="store_true",
                    help="do nothing when the inputs match the model card")
    sp.add_argument("--check", action="store_true",
                    help="train nothing: exit 0 when the model card matches its inputs, "
                         "1 when `make train` is due")
    sp.add_argument("--model", type=Path, metavar="DIR",
                    help="write the model and its card here (default: the package's models/)")
    common(sp)

    sp = sub.add_parser("evaluate", help="score predictions (or a fresh run) against gold")
    sp.add_argument("--gold", type=Path, help="gold JSONL (default: the corpus test split)")
    sp.add_argument("--split", default="test", choices=["train", "dev", "test", "all"],
                    help="corpus split when --gold is not given (default test)")
    sp.add_argument("--predictions", type=Path, help="output records JSONL to score")
    sp.add_argument("--no-baselines", action="store_true", help="skip the baselines")
    sp.add_argument("--no-blind", action="store_true",
                    help="skip the blind sets (corpus/blind/, written apart from the model)")
    sp.add_argument("--robustness", action="store_true",
                    help="also score themes on degraded copies (truncated, no headline, "
                    "lower case and hard-wrapped), as real archives are")
    sp.add_argument("--json", type=Path, help="also write the figures as JSON here")
    common(sp)

    sp = sub.add_parser("report", help="write the HTML report (or one release's page)")
    sp.add_argument("--output", type=Path, help="default out/report.html, or "
                    "out/release-ID.html with --release")
    sp.add_argument("--release", metavar="ID",
                    help="one release: its text with the entities marked, and its record")
    common(sp)

    sp = sub.add_parser("export", help="export the records: JSONL, CSV or Parquet")
    sp.add_argument("--output", type=Path, default=OUT_DIR / "releases.jsonl")
    sp.add_argument("--format", choices=["jsonl", "csv", "parquet"], default=None)
    common(sp)

    sp = sub.add_parser("review", help="the archivists' correction loop (CSV)")
    rsub = sp.add_subparsers(dest="review_command", required=True, metavar="ACTION")
    ex = rsub.add_parser("export", help="write a CSV of releases to review, least certain first")
    ex.add_argument("--output", type=Path, default=OUT_DIR / "review.csv")
    ex.add_argument("--theme", help="only releases given this theme")
    ex.add_argument("--since", help="only releases dated on or after YYYY-MM-DD")
    ex.add_argument("--limit", type=int)
    common(ex)
    im = rsub.add_parser("import", help="import a corrected CSV (all rows or none)")
    im.add_argument("file", type=Path)
    im.add_argument("--reviewer", help="reviewer name for rows that leave it empty")
    common(im)

    sp = sub.add_parser("search", help="full-text search of the store, best match first")
    sp.add_argument("query", metavar="QUERY", help='words (all required) or "a phrase"')
    sp.add_argument("--theme", help="only releases with this theme id")
    sp.add_argument("--country", metavar="ISO3", help="only releases naming this country")
    sp.add_argument("--since", help="only releases dated on or after YYYY-MM-DD")
    sp.add_argument("--limit", type=int, default=20, help="at most N hits (default 20)")
    sp.add_argument("--json", action="store_true", help="one JSON object per hit")
    common(sp)

    sp = sub.add_parser("browse", help="serve the store in a browser (Datasette, 127.0.0.1)")
    sp.add_argument("--port", type=int, default=8001, help="port on 127.0.0.1 (default 8001)")
    common(sp)

    sp = sub.add_parser("serve-sample", help="serve the sample site on 127.0.0.1")
    sp.add_argument("--port", type=int, default=8000)
    sp.add_argument("--faults", type=float, default=0.0, help="fault rate, 0 to 1")
    sp.add_argument("--dir", type=Path, help="a built site (default: build one)")
    sp.add_argument("--seed", type=int, default=0, help="seed of the random faults")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"error: {printable(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        from pipeline.classify import ModelError
        from pipeline.store import StoreError

        if isinstance(exc, ModelError | StoreError):  # unusable model or store: the user acts
            print(f"error: {printable(str(exc))}", file=sys.stderr)
            return 2
        if isinstance(exc, OSError | ValueError):  # ours, not bad usage: say what, no traceback
            print(f"error: {type(exc).__name__}: {printable(str(exc))}", file=sys.stderr)
            return 1
        raise


def printable(text: str) -> str:
    """``text`` with every control or invisible character written as its escape (\\x1b)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


# -- helpers -----------------------------------------------------------------
def _open_store(args, must_exist: bool = False):
    from pipeline.store import Store

    if must_exist and not Path(args.db).exists():
        raise UsageError(f"{args.db}: no store there yet; run `crawl` and `process` (or `run`) first")
    return Store(args.db)


def _stages():
    from pipeline.batch import Stages

    return Stages.load()


def _report_failures(failed: list[tuple[str, str]], what: str) -> None:
    for subject, reason in failed:
        print(printable(f"{what} failed: {subject}: {reason}"), file=sys.stderr)


def _check_engine(args) -> None:
    """Engine options checked before anything is written."""
    if args.engine != "local" and args.workers < 1:
        raise UsageError("--workers must be at least 1")


def _since(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise UsageError(f"--since {value!r} is not a date YYYY-MM-DD") from exc


# -- commands ----------------------------------------------------------------
def cmd_crawl(args, store=None) -> int:
    from pipeline.crawl import CrawlSettings, crawl

    if not args.sources:
        raise UsageError("crawl needs at least one SOURCE URL")
    own = store is None
    store = store or _open_store(args)
    since = _since(args.since)
    run_id = store.start_run("crawl " + " ".join(args.sources))
    settings = CrawlSettings(
        min_delay=1.0 / args.rate if args.rate > 0 else 0.0,
        max_pages=args.max_pages,
        since=dt.date.fromisoformat(since) if since else None,
        refresh=args.refresh,
    )
    if args.rate > 50:  # our own server on 127.0.0.1: more requests in flight
        settings.workers, settings.per_host = 4, 4
    settings.extra_hosts = tuple(args.allow_host or ())
    from pipeline.progress import progress

    with progress("crawl") as update:
        summary = crawl(args.sources, store, settings, profile_name=args.site_profile,
                        run_id=run_id, progress=update)
    store.finish_run(run_id, {"crawl": summary.as_dict()})
    print(f"crawl: {summary.sources_fetched} listing/feed/sitemap pages, "
          f"{summary.fetched} releases fetched ({summary.stored_new} new, "
          f"{summary.stored_changed} changed, {summary.unchanged} unchanged), "
          f"{summary.already_stored} already stored, {summary.failed} failed, "
          f"{summary.skipped_robots} disallowed by robots.txt, "
          f"{summary.refused_offsite} off-site or private links refused, "
          f"{summary.skipped_offsite} release links to other sites skipped")
    _report_failures(summary.failures, "fetch")
    if own:
        store.close()
    return 1 if summary.failures else 0


def cmd_process(args, store=None) -> int:
    from pipeline.batch import Stages, clean_stored_pages, process_store
    from pipeline.progress import progress

    if args.max_chars < 1 or args.batch_size < 1:
        raise UsageError("--max-chars and --batch-size must be at least 1")
    _check_engine(args)
    if args.input:
        return _process_inputs(args)
    own = store is None
    store = store or _open_store(args)
    started = time.perf_counter()
    run_id = store.start_run("process")
    with progress("clean") as update:
        cleaned = clean_stored_pages(store, args.site_profile, run_id, progress=update)
    with progress("process") as update:
        summary = process_store(store, Stages(), force=args.force, run_id=run_id,
                                batch_size=args.batch_size, engine=args.engine,
                                workers=args.workers, address=args.address,
                                max_chars=args.max_chars, progress=update)
    run = {"pages_cleaned": cleaned.pages, "releases_new": cleaned.releases_new,
           "releases_changed": cleaned.releases_changed, "duplicates": cleaned.duplicates,
           "clean_failed": len(cleaned.failed), **summary.as_dict(),
           "seconds": round(time.perf_counter() - started, 2)}
    store.finish_run(run_id, run)
    print(f"cleaned {cleaned.pages} pages: {cleaned.releases_new} new releases, "
          f"{cleaned.releases_changed} changed, {cleaned.duplicates} near-duplicates linked; "
          f"processed {summary.processed} releases, re-classified {summary.reclassified}, "
          f"{len(summary.failed)} with errors ({run['seconds']} s)")
    _report_failures(cleaned.failed, "clean")
    _report_failures(summary.failed, "record")
    if args.output:
        _export(store, args.output, "jsonl")
    if own:
        store.close()
    return 1 if summary.failed or cleaned.failed else 0


def _process_inputs(args) -> int:
    """``process --input``: records written as each batch is done, to the
    JSONL output (a .tmp renamed at the end) and to the store."""
    from pipeline.batch import ProcessSummary, Stages, failed, process_releases
    from pipeline.inputs import InputError, input_files, read_releases
    from pipeline.progress import progress

    try:
        paths = input_files(args.input)
    except InputError as exc:
        raise UsageError(str(exc)) from exc
    if args.site_profile:
        from pipeline.sites import get_profile

        get_profile(args.site_profile)  # an unknown name: one line, before any work
    started = time.perf_counter()
    out_path = args.output or OUT_DIR / "releases.jsonl"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_suffix(out_path.suffix + ".tmp")
    summary = ProcessSummary()
    n = bad = 0
    with _open_store(args) as store:
        run_id = store.start_run("process --input " + " ".join(map(str, args.input)))
        stages = Stages()
        releases = read_releases(paths, args.max_chars, args.site_profile, store,
                                 stages.versions["clean_key"])
        batches = process_releases(releases, store, stages, args.batch_size, args.engine,
                                   args.workers, args.address, args.max_chars, run_id, summary)
        # Unbuffered, one write a batch: a killed run leaves whole lines only.
        with open(tmp, "wb", buffering=0) as fh, progress("process") as update:
            for records in batches:
                fh.write("".join(r.to_json() + "\n" for r in records).encode("utf-8"))
                for record in records:
                    n += 1
                    if failed(record):
                        bad += 1
                        print(printable(f"record {record.id}: {'; '.join(record.errors)}"),
                              file=sys.stderr)
                update(n, None)
        tmp.replace(out_path)
        run = {"files": len(paths), "records": n, "with_errors": bad, **summary.as_dict(),
               "seconds": round(time.perf_counter() - started, 2)}
        store.finish_run(run_id, run)
    print(f"{n} records written to {out_path} and {args.db} ({summary.processed} processed, "
          f"{summary.unchanged} unchanged, {bad} with errors; {run['seconds']} s)")
    return 1 if bad else 0


def _export(store, path: Path, fmt: str | None) -> int:
    from pipeline.export import export_records

    fmt = fmt or {".csv": "csv", ".parquet": "parquet"}.get(path.suffix.lower(), "jsonl")
    return export_records(store.records(), path, fmt)


def cmd_export(args) -> int:
    with _open_store(args, must_exist=True) as store:
        n = _export(store, args.output, args.format)
    print(f"{n} records written to {args.output}")
    return 0


def cmd_report(args) -> int:
    from pipeline.report import release_view, write_report

    with _open_store(args, must_exist=True) as store:
        if args.release:
            html = release_view(store, args.release)
            if html is None:
                raise UsageError(f"no processed release {args.release!r} in {args.db}")
            path = args.output or OUT_DIR / f"release-{args.release.replace('/', '_')}.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(html, encoding="utf-8")
        else:
            path = write_report(store, args.output or OUT_DIR / "report.html")
    print(f"report written to {path}")
    return 0


def cmd_run(args) -> int:
    from pipeline.report import write_report

    _check_engine(args)
    started = time.perf_counter()
    server = site_dir = None
    if args.sample_site:
        import tempfile

        from pipeline.sample_site import SampleServer, build_site, sample_sources

        site_dir = tempfile.TemporaryDirectory(prefix="sample-site-")
        build_site(Path(site_dir.name))
        server = SampleServer(Path(site_dir.name)).start()
        args.sources = sample_sources(Path(site_dir.name), server.base_url) + list(args.sources)
        # Our own server on 127.0.0.1: politeness limits are for other people's.
        args.rate = max(args.rate, 200.0)
        print(f"sample site served at {server.base_url} ({len(args.sources)} listings)")
    if not args.sources:
        raise UsageError("run needs SOURCE URLs, or --sample-site")
    try:
        with _open_store(args) as store:
            crawl_status = cmd_crawl(args, store)
            args.input, args.output, args.force = None, None, False
            args.max_chars, args.batch_size = 1_000_000, 64
            process_status = cmd_process(args, store)
            out_dir = Path(args.db).parent
            n = _export(store, out_dir / "releases.jsonl", "jsonl")
            report = write_report(store, out_dir / "report.html")
            print(f"{n} records in {args.db}\n"
                  f"export: {out_dir / 'releases.jsonl'}\nreport: {report}\n"
                  f"browse: python -m pipeline browse --db {args.db} (or make browse)\n"
                  f"done in {time.perf_counter() - started:.1f} s")
    finally:
        if server:
            server.stop()
        if site_dir:
            site_dir.cleanup()
    return max(crawl_status, process_status)


def cmd_train(args) -> int:
    from pipeline.classify import ModelError, inputs_digest, read_card, review_records, save, train
    from pipeline.gold import load_gold

    gold = load_gold()
    model_dir = [args.model] if args.model else []
    reviews = []
    if Path(args.db).exists():
        with _open_store(args) as store:
            reviews = store.latest_reviews()
    if args.if_changed or args.check:
        try:
            card = read_card(*model_dir)
            if card["data"]["sha256"] == inputs_digest(gold, review_records(reviews)):
                print("model is up to date with its inputs (models/themes.card.json)")
                return 0
        except (ModelError, KeyError):
            pass
        if args.check:
            print("model is out of date with its inputs (corpus, reviews or training code "
                  "changed): run `make train`")
            return 1
    started = time.perf_counter()
    clf, card = train(gold, reviews)
    path = save(clf, card, *model_dir)
    _print_theme_table(card["metrics_test"], card["baselines_test"])
    print(f"scoring: {card['scoring']}; trained on {card['data']['train']}+{card['data']['dev']} "
          f"gold + {card['data']['reviews']} reviews in {time.perf_counter() - started:.1f} s")
    print(f"model written to {path}")
    return 0


def _print_theme_table(metrics: dict, baselines: dict | None = None) -> None:
    print(f"{'theme':24} {'P':>6} {'R':>6} {'F1':>6} {'n':>4}")
    for label, m in metrics["per_label"].items():
        print(f"{label:24} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['support']:4d}")
    rows = [("model", metrics)] + list((baselines or {}).items())
    print(f"\n{'':24} {'micro-F1':>9} {'macro-F1':>9} {'primary':>9}")
    for name, m in rows:
        print(f"{name:24} {m['micro_f1']:9.3f} {m['macro_f1']:9.3f} {m['primary_accuracy']:9.3f}")


def cmd_evaluate(args) -> int:
    from pipeline.evaluate import evaluate_set, format_set, predict_gold, robustness
    from pipeline.gold import blind_note, blind_sets, load_gold, split

    corpus = load_gold()
    if args.gold:
        if not args.gold.exists():
            raise UsageError(f"{args.gold}: no such file")
        sets = {str(args.gold): load_gold([args.gold])}
    else:
        name = "the corpus's own split" if args.split == "all" else f"corpus {args.split} split"
        sets = {f"{name} (written with the model; settings chosen on train+dev)":
                corpus if args.split == "all" else split(corpus, args.split)}
        for file, blind in ({} if args.no_blind else blind_sets()).items():
            sets[f"blind set {file} ({blind_note(file)})"] = blind
    if not any(sets.values()):
        raise UsageError("no gold records to evaluate")
    sets = _by_language(sets)
    preds = _read_predictions(args.predictions) if args.predictions else None
    stages = None if preds else _stages()
    figures = {}
    for name, gold in sets.items():
        if preds is not None:
            missing = [g["id"] for g in gold if g["id"] not in preds]
            if missing:
                raise UsageError(f"{args.predictions}: no prediction for {len(missing)} gold ids, "
                                 f"e.g. {missing[0]}")
            predicted = [preds[g["id"]] for g in gold]
        else:
            predicted = predict_gold(gold, stages)
        figures[name] = evaluate_set(gold, predicted, split(corpus, "train"),
                                     baselines=not args.no_baselines)
        print(format_set(name, figures[name]) + "\n")
    if args.robustness:
        from pipeline.classify import load_classifier
        from pipeline.taxonomy import theme_ids

        gold = next(iter(sets.values()))
        figures["robustness"] = robust = robustness(gold, load_classifier()[0], list(theme_ids()))
        print(f"{'degraded copies':28} {'micro-F1':>9} {'macro-F1':>9} {'primary':>9}"
              f" {'keyword micro-F1':>17}")
        for name, r in robust.items():
            m = r["model"]
            print(f"{name:28} {m['micro_f1']:9.3f} {m['macro_f1']:9.3f} "
                  f"{m['primary_accuracy']:9.3f} {r['keyword']['micro_f1']:17.3f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


def _by_language(sets: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Each gold set split by the records' language: every language is
    scored apart, and the name says which it is."""
    out = {}
    for name, gold in sets.items():
        languages = dict.fromkeys(g.get("language") or "en" for g in gold)
        for language in languages:
            part = [g for g in gold if (g.get("language") or "en") == language]
            out[f"{name}, language {language}" if len(languages) > 1 else name] = part
    return out


def _read_predictions(path: Path) -> dict[str, dict]:
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    preds = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                obj = json.loads(line)
                preds[obj["id"]] = obj
            except (ValueError, TypeError, KeyError) as exc:
                raise UsageError(f"{path}:{lineno}: not an output record "
                                 f"({type(exc).__name__}: {exc})") from exc
    return preds


def cmd_review(args) -> int:
    from pipeline.review import ReviewFileError, export_reviews, import_reviews

    with _open_store(args, must_exist=True) as store:
        if args.review_command == "export":
            from pipeline.classify import read_card

            n = export_reviews(store, args.output, read_card().get("thresholds", {}),
                               theme=args.theme, since=_since(args.since), limit=args.limit)
            print(f"{n} releases written to {args.output}, least certain first")
            return 0
        if not args.file.exists():
            raise UsageError(f"{args.file}: no such file")
        try:
            n = import_reviews(store, args.file, args.reviewer)
        except ReviewFileError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            raise UsageError(f"{args.file}: {exc}") from exc
        print(f"{n} reviews imported; `make train` will learn from them")
        return 0


def cmd_search(args) -> int:
    from pipeline.search import search
    from pipeline.taxonomy import theme_ids

    if args.theme and args.theme not in theme_ids():
        raise UsageError(f"--theme {args.theme!r} is not a theme id ({', '.join(theme_ids())})")
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    with _open_store(args, must_exist=True) as store:
        hits = search(store, args.query, theme=args.theme, country=args.country,
                      since=_since(args.since), limit=args.limit)
    for hit in hits:
        if args.json:
            from dataclasses import asdict

            print(json.dumps(asdict(hit), ensure_ascii=False))
            continue
        themes = ", ".join(f"{t['id']} {t['score']:.2f}" for t in hit.themes) or "no theme"
        print(printable(f"{hit.date or 'no date':10}  {hit.title}\n"
                        f"{'':10}  {hit.id} · {themes} · {' '.join(hit.countries)}\n"
                        f"{'':10}  {hit.snippet}"))
    if not args.json:
        print(f"{len(hits)} hit(s)" + (f" (--limit {args.limit})" if len(hits) == args.limit else ""))
    return 0


def cmd_browse(args) -> int:
    from pipeline.browse import serve

    if not Path(args.db).exists():
        raise UsageError(f"{args.db}: no store there yet; run `make run` (or crawl and process) first")
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port}: not a port number")
    serve(Path(args.db), args.port)
    return 0


def cmd_serve_sample(args) -> int:
    from pipeline.sample_site.server import main as serve_main

    argv = ["--port", str(args.port), "--faults", str(args.faults), "--seed", str(args.seed)]
    if args.dir:
        argv += ["--dir", str(args.dir)]
    return serve_main(argv)


COMMANDS = {
    "crawl": cmd_crawl,
    "process": cmd_process,
    "run": cmd_run,
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "report": cmd_report,
    "export": cmd_export,
    "review": cmd_review,
    "search": cmd_search,
    "browse": cmd_browse,
    "serve-sample": cmd_serve_sample,
}
