"""Running the stages over many records: in batches, incremental, per-record errors.

``Stages`` holds what a process needs (the spaCy pipeline of each language,
the theme classifier), each loaded on first use and then kept, so a run
that has nothing to extract never loads spaCy. ``stage_versions`` names
the stages by content (model files, gazetteers, code, model card): a stored
record keeps the ``nlp_key`` and ``classifier`` that made it, and a re-run
redoes only what changed (``Store.work_to_do``): the whole pipeline for new
or changed releases or a new entity stage, the themes alone for a new
classifier (``reclassify_batch``, from the stored text and entities,
without spaCy).

``process_batch`` streams a batch's texts through ``nlp.pipe`` and scores
all of them (and all their paragraphs) with one sparse transform.
``run_batches`` runs batches in this process, in joblib workers or on a
Dask cluster (each worker loads the stages once) and yields their records
in input order as each batch is done; the caller writes them at once, so a
killed run keeps every finished batch.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path

from pipeline import __version__
from pipeline.records import Record, Release, Themes
from pipeline.store import Store

log = logging.getLogger(__name__)

DEFAULT_MAX_CHARS = 1_000_000
BATCH_SIZE = 64
ENGINES = ("local", "joblib", "dask")
_PACKAGE = Path(__file__).resolve().parent
MODEL_DIR = _PACKAGE.parent / "models"  # as pipeline.classify has it, without importing it


# -- the stages and their versions ----------------------------------------------
def _model_dir(model: str | None, language: str = "en") -> Path:
    """The installed directory of a spaCy model package, found without importing spaCy."""
    from pipeline.languages import spec

    names = (model,) if model else spec(language).models
    for name in names:
        try:
            found = importlib.util.find_spec(name)
        except (ImportError, ValueError):  # a path, not a package name
            found = None
        if found is not None and found.submodule_search_locations:
            return Path(next(iter(found.submodule_search_locations)))
    if model and Path(model).is_dir():
        return Path(model)
    raise RuntimeError(f"spaCy model {' or '.join(names)} is not installed: run `make install`")


def _digest(root: Path, paths: Iterable[Path], *extra: str) -> str:
    """sha256 (16 hex digits) over some files' names and contents, and some strings."""
    h = hashlib.sha256()
    for text in extra:
        h.update(text.encode())
    for path in sorted(paths):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _installed_dir(language: str) -> Path | None:
    try:
        return _model_dir(None, language)
    except RuntimeError:
        return None


def _files(root: Path, *patterns: str) -> list[Path]:
    return [p for pattern in patterns for p in root.rglob(pattern)
            if "__pycache__" not in p.parts and p.is_file()]


@cache
def stage_versions(model: str | None = None) -> dict[str, str]:
    """What makes a record, by content. ``nlp_key``: the spaCy model's files,
    the entity stage's code and word lists, the spaCy version;
    ``classifier_key``: the model card (which holds the model file's sha256)
    and the code that reads the model; ``clean_key``: the cleaning code, site
    profiles and input readers (an input file read with other ones is read
    again). Also the names the contract's
    ``versions`` field shows. Neither spaCy nor the models are loaded here."""
    import json
    from importlib.metadata import version

    from pipeline.languages import supported

    model_dir = _model_dir(model)
    meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    nlp_dir = _PACKAGE / "nlp"
    # every language's installed model counts: a French model changed re-reads
    # French releases (a language whose model is missing reads none)
    models = [model_dir] + [d for d in (_installed_dir(lang) for lang in supported()
                                        if lang != "en") if d is not None]
    nlp_key = _digest(Path("/"), [f for d in models for f in _files(d, "*")],
                      version("spacy")) + _digest(
        _PACKAGE, _files(nlp_dir, "*.py", "*.txt", "*.tsv", "*.json")
        + [_PACKAGE / "languages.py", _PACKAGE / "languages.json"])[:8]
    card = MODEL_DIR / "themes.card.json"
    classify_dir = _PACKAGE / "classify"
    classifier_key = _digest(MODEL_DIR, [card]) + _digest(
        _PACKAGE, _files(classify_dir, "*.py", "*.json") + [_PACKAGE / "signal_themes.py"])[:8]
    card_sha = json.loads(card.read_text(encoding="utf-8")).get("model_sha256", "")
    clean_key = _digest(_PACKAGE, _files(_PACKAGE / "clean", "*.py", "*.json", "*.txt")
                        + _files(_PACKAGE / "sites", "*.py", "*.json")
                        + [_PACKAGE / "inputs.py", _PACKAGE / "records.py"])
    return {
        "pipeline": __version__,
        "classifier": f"themes-{card_sha[:12]}",
        "spacy_model": f"{meta.get('name')}-{meta.get('version')}",
        "nlp_key": nlp_key,
        "classifier_key": classifier_key,
        "clean_key": clean_key,
    }


class Stages:
    """What a process needs to make records, each part loaded on first use.

    ``nlp_for(language)`` gives the spaCy pipeline that reads a language
    and ``classifier_for(language)`` its theme reader (the trained model, or
    the language's taxonomy signals), as pipeline/languages.json says; a
    language with no entry is read by the default one, with a warning in the
    record. ``loaded`` names what was loaded, so a caller (or a test) can
    tell that a run did no NLP.
    """

    def __init__(self, model: str | None = None):
        self.model = model  # another spaCy model for the default language
        self.loaded: set[str] = set()
        self._nlp: dict[str, object] = {}
        self._classifier = None
        self._signals: dict[str, object] = {}

    @classmethod
    def load(cls, model: str | None = None) -> Stages:
        """The stages, nothing loaded yet (kept for callers of the eager API)."""
        return cls(model)

    @property
    def versions(self) -> dict[str, str]:
        return stage_versions(self.model)

    def record_versions(self, language: str | None = None) -> dict[str, str]:
        """The ``versions`` field of a record in ``language``: the models that read it."""
        from pipeline.languages import default_language, route, spec

        v = self.versions
        out = {"pipeline": v["pipeline"], "classifier": v["classifier"],
               "spacy_model": v["spacy_model"], "nlp": v["nlp_key"]}
        code = route(language)
        if code != default_language():
            lang = spec(code)
            try:
                meta = json.loads((_model_dir(None, code) / "meta.json").read_text("utf-8"))
                out["spacy_model"] = f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}"
            except (RuntimeError, OSError, ValueError):
                out["spacy_model"] = None  # the record's errors say why
            if lang.signals_file is not None:
                out["classifier"] = _signals_version(lang.signals_file)
        return out

    def nlp_for(self, language: str | None = "en"):
        from pipeline.languages import default_language, route

        key = route(language)
        if key not in self._nlp:
            from pipeline.nlp import load_nlp

            model = self.model if key == default_language() else None
            self._nlp[key] = load_nlp(key, model=model)
            self.loaded.add(f"nlp:{key}")
        return self._nlp[key]

    def classifier_for(self, language: str | None = "en"):
        """The theme reader of ``language``: the trained model, or the
        language's taxonomy signals (pipeline/signal_themes.py)."""
        from pipeline.languages import spec

        lang = spec(language)
        if lang.signals_file is None:
            return self.classifier
        if lang.code not in self._signals:
            from pipeline.signal_themes import SignalThemes

            self._signals[lang.code] = SignalThemes(lang.signals_file, lang.code)
            self.loaded.add(f"signals:{lang.code}")
        return self._signals[lang.code]

    @property
    def nlp(self):
        return self.nlp_for("en")

    @property
    def classifier(self):
        if self._classifier is None:
            from pipeline.classify import load_classifier

            self._classifier = load_classifier()[0]
            self.loaded.add("classifier")
        return self._classifier


@cache
def _signals_version(path: Path) -> str:
    return f"signals-{path.parent.name}-{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}"


def failed(record: Record) -> bool:
    """A record failed when a stage could not do its work (warnings aside)."""
    return any(not e.startswith("warning:") for e in record.errors)


# -- one batch ------------------------------------------------------------------
def _refusal(release: Release, max_chars: int) -> str | None:
    """Why a release gets no NLP at all (its record says so at once), or None."""
    if release.errors and not (release.title.strip() or release.body.strip()):
        return ""  # the reader's own error says why
    if not (release.title.strip() or release.body.strip()):
        return "empty release: no title and no text"
    size = len(release.text)
    if size > max_chars:
        return (f"text of {size:,} characters is over the cap of {max_chars:,} "
                "(--max-chars); not processed")
    return None


def process_release(release: Release, stages: Stages,
                    max_chars: int = DEFAULT_MAX_CHARS) -> Record:
    """One release through the entity and theme stages; never raises."""
    return process_batch([release], stages, max_chars)[0]


def process_batch(releases: list[Release], stages: Stages,
                  max_chars: int = DEFAULT_MAX_CHARS) -> list[Record]:
    """Releases through entities and themes together: their texts piped
    through spaCy in batches, their themes from one sparse transform of the
    batch (releases and paragraphs). A release that is empty or over
    ``max_chars`` gets its error record at once. When a batch fails, each
    release is retried on its own so the error stays with the release that
    caused it. Never raises."""
    refused = [_refusal(r, max_chars) for r in releases]
    todo = [r for r, why in zip(releases, refused, strict=True) if why is None]
    if not todo:  # nothing to read: neither spaCy nor the classifier is imported
        return [Record.assemble(r, None, None, [why] if why else [],
                                stages.record_versions(r.language))
                for r, why in zip(releases, refused, strict=True)]
    from pipeline.classify import classify
    from pipeline.nlp import extract_batch

    try:
        entities = _by_language(todo, lambda group, lang: extract_batch(group,
                                                                        stages.nlp_for(lang)))
        themes = _by_language(todo, lambda group, lang: classify(group,
                                                                 stages.classifier_for(lang)))
    except Exception:
        if len(todo) <= 1:
            done = iter([_one_by_one(r, stages) for r in todo])
        else:
            done = iter([rec for r in todo for rec in process_batch([r], stages, max_chars)])
        return [next(done) if why is None else
                Record.assemble(r, None, None, [why] if why else [],
                                stages.record_versions(r.language))
                for r, why in zip(releases, refused, strict=True)]
    done_parts = iter(zip(entities, themes, strict=True))
    out = []
    for release, why in zip(releases, refused, strict=True):
        versions = stages.record_versions(release.language)
        if why is not None:
            out.append(Record.assemble(release, None, None, [why] if why else [], versions))
            continue
        (ent, errors), th = next(done_parts)
        out.append(Record.assemble(release, ent, th, errors, versions))
    return out


def _by_language(releases: list, read, language=lambda r: r.language) -> list:
    """``read(group, language)`` over the releases of each language together
    (each with its own pipeline or theme reader), results in the releases' order."""
    from pipeline.languages import route

    groups: dict[str, list[int]] = {}
    for i, r in enumerate(releases):
        groups.setdefault(route(language(r)), []).append(i)
    out: list = [None] * len(releases)
    for lang, idx in groups.items():
        for i, result in zip(idx, read([releases[i] for i in idx], lang), strict=True):
            out[i] = result
    return out


def _one_by_one(release: Release, stages: Stages) -> Record:
    """A release whose batch failed: each stage on its own, errors kept."""
    from pipeline.classify import classify
    from pipeline.nlp import extract_entities

    errors: list[str] = []
    entities = themes = None
    try:
        entities, nlp_errors = extract_entities(release, stages.nlp_for(release.language))
        errors.extend(nlp_errors)
    except Exception as exc:  # a batch must go on: the error is the record's
        errors.append(f"nlp: {type(exc).__name__}: {exc}")
    try:
        themes = classify([release], stages.classifier_for(release.language))[0]
    except Exception as exc:
        errors.append(f"classify: {type(exc).__name__}: {exc}")
    return Record.assemble(release, entities, themes, errors,
                           stages.record_versions(release.language))


def reclassify_batch(pairs: list[tuple[Release, Record]], stages: Stages) -> list[Record]:
    """New themes for stored records, from the stored release text; the
    entities are kept as they are and spaCy is not loaded."""
    from pipeline.classify import classify

    try:
        themes = _by_language([release for release, _ in pairs],
                              lambda group, lang: classify(group, stages.classifier_for(lang)))
    except Exception as exc:  # each record keeps its old themes and names the failure
        themes = [None] * len(pairs)
        error = f"classify: {type(exc).__name__}: {exc}"
    out = []
    for (_, record), th in zip(pairs, themes, strict=True):
        new = Record.from_dict(record.as_dict())
        if th is None:
            new.errors = [*record.errors, error]
        else:
            _set_themes(new, th)
        new.versions = stages.record_versions(record.language)
        out.append(new)
    return out


def _set_themes(record: Record, themes: Themes) -> None:
    record.themes = themes.themes
    record.primary_theme = themes.primary_theme
    record.theme_scores = themes.scores


# -- many batches, on an engine ---------------------------------------------------
@cache
def _worker_stages() -> Stages:
    # Once per worker process: the spaCy model and the classifier are the
    # expensive part, the releases are cheap to ship.
    return Stages()


def process_chunk(releases: list[dict], max_chars: int = DEFAULT_MAX_CHARS) -> list[dict]:
    """One batch on a worker (joblib or Dask): plain dicts in and out."""
    records = process_batch([Release.from_dict(r) for r in releases], _worker_stages(), max_chars)
    return [r.as_dict() for r in records]


def batches(items: Iterable, size: int) -> Iterator[list]:
    """Lists of ``size`` items, read lazily from ``items``."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def run_batches(batches_in: Iterable[list[Release]], stages: Stages | None = None,
                engine: str = "local", workers: int = 2, address: str | None = None,
                max_chars: int = DEFAULT_MAX_CHARS
                ) -> Iterator[tuple[list[Release], list[Record]]]:
    """(batch, its records) for each batch, in input order, as each is done.

    Batches are read lazily and at most a few per worker are in flight, so
    an archive of any size streams through in bounded memory.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (one of {', '.join(ENGINES)})")
    if engine == "local":
        stages = stages or Stages()
        for chunk in batches_in:
            yield chunk, process_batch(chunk, stages, max_chars)
    elif engine == "joblib":
        from joblib import Parallel, delayed

        sent: deque[list[Release]] = deque()

        def jobs():
            for chunk in batches_in:
                sent.append(chunk)
                yield delayed(process_chunk)([r.as_dict() for r in chunk], max_chars)

        parallel = Parallel(n_jobs=workers, backend="loky", return_as="generator",
                            pre_dispatch="2*n_jobs")
        for out in parallel(jobs()):
            yield sent.popleft(), [Record.from_dict(d) for d in out]
    else:
        yield from _dask_batches(batches_in, workers, address, max_chars)


# The LocalCluster that `process --engine dask` starts, tuned for long tasks
# that are all Python (spaCy's rules, the entity components):
# - no statistical profiler: it samples the running task's stack every 10 ms,
#   time taken from the task;
# - tasks go to a worker as soon as they are submitted (no queue on the
#   scheduler, which shares this process with the reading and the writing), so
#   a worker always has its next batch at hand;
# - glibc's default trimming: Dask sets MALLOC_TRIM_THRESHOLD_=65536 in its
#   workers, so every free of a batch's docs gives pages back to the kernel and
#   the next batch faults them in again (measured on 2,000 releases, 2 workers:
#   8 s of system time per worker instead of 2, 75 s instead of 62 s wall);
# - the event loop's health tick, memory monitor and system monitor at 1 s, 1 s
#   and 5 s instead of 20 ms, 100 ms and 500 ms: each wakes the worker's loop
#   thread, which then takes the GIL from the task.
DASK_SETTINGS = {
    "distributed.worker.profile.enabled": False,
    "distributed.scheduler.worker-saturation": float("inf"),
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
}


def _dask_batches(batches_in: Iterable[list[Release]], workers: int, address: str | None,
                  max_chars: int) -> Iterator[tuple[list[Release], list[Record]]]:
    import dask
    from distributed import Client, LocalCluster, as_completed

    with dask.config.set(DASK_SETTINGS):
        cluster = None if address else LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    try:  # closed however the loop ends: an error, a kill of the caller's generator
        with Client(address or cluster) as client:
            window = 2 * max(workers, len(client.scheduler_info().get("workers", {})) or 1)
            in_flight: deque = deque()  # (batch, future), in input order
            pending = iter(batches_in)

            def submit(chunk: list[Release]):
                future = client.submit(process_chunk, [r.as_dict() for r in chunk], max_chars,
                                       pure=False)
                in_flight.append((chunk, future))
                return future

            done = as_completed([submit(chunk) for chunk in islice(pending, window)])
            for _ in done:
                # A worker is free: it gets the next batch at once, whatever the
                # order; records still go out in input order.
                for chunk in islice(pending, 1):
                    done.add(submit(chunk))
                while in_flight and in_flight[0][1].done():
                    chunk, future = in_flight.popleft()
                    yield chunk, [Record.from_dict(d) for d in future.result()]
            while in_flight:
                chunk, future = in_flight.popleft()
                yield chunk, [Record.from_dict(d) for d in future.result()]
    finally:
        if cluster is not None:
            cluster.close()


def process_stream(releases: Iterable[Release], stages: Stages | None = None,
                   batch_size: int = BATCH_SIZE, **engine) -> Iterator[Record]:
    """Records of ``releases``, one by one in input order (see ``run_batches``)."""
    for _, records in run_batches(batches(releases, batch_size), stages, **engine):
        yield from records


# -- the store: what is new or changed -------------------------------------------
@dataclass
class CleanSummary:
    pages: int = 0
    releases_new: int = 0
    releases_changed: int = 0
    duplicates: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def near_duplicate_index(store: Store):
    """The index of every stored original release, from stored signatures
    (those an older store lacks are computed once and stored)."""
    from pipeline.clean import NearDuplicateIndex
    from pipeline.clean.dedup import from_bytes, minhash, to_bytes

    for release in store.releases_without_minhash():
        signature = minhash(release.body)
        if signature is not None:
            store.save_minhash(release.id, to_bytes(signature))
    index = NearDuplicateIndex()
    for release_id, data in store.minhashes():
        index.add_signature(release_id, from_bytes(data))
    return index


def clean_stored_pages(store: Store, profile_name: str | None = None,
                       run_id: int | None = None,
                       progress: Callable[[int, int], None] | None = None) -> CleanSummary:
    """Clean every page whose HTML changed since it was last cleaned."""
    from pipeline.clean import clean_page
    from pipeline.clean.dedup import minhash, to_bytes
    from pipeline.sites import get_profile

    profile = get_profile(profile_name) if profile_name else None
    summary = CleanSummary()
    total = store.count_pages_to_clean()
    if not total:
        return summary
    index = near_duplicate_index(store)
    for page in store.pages_to_clean():
        summary.pages += 1
        try:
            releases = clean_page(page, profile)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            summary.failed.append((page.url, reason))
            store.add_error("clean", page.url, reason, run_id)
            continue
        finally:
            if progress:
                progress(summary.pages, total)
        with store.atomic():  # the page's releases, signatures and its cleaned mark: one step
            for release in releases:
                if release.errors and not release.body.strip():
                    summary.failed.append((page.url, "; ".join(release.errors)))
                    store.add_error("clean", page.url, "; ".join(release.errors), run_id)
                    continue
                signature = minhash(release.body)
                duplicate_of = index.add_signature(release.id, signature)
                if duplicate_of == release.id:
                    duplicate_of = None
                summary.duplicates += duplicate_of is not None
                state = store.upsert_release(
                    release, page_url=page.url, duplicate_of=duplicate_of,
                    signature=to_bytes(signature) if signature is not None else None)
                summary.releases_new += state == "new"
                summary.releases_changed += state == "changed"
            store.mark_cleaned(page.url)
    return summary


@dataclass
class ProcessSummary:
    processed: int = 0  # through the whole pipeline
    reclassified: int = 0  # themes only
    unchanged: int = 0  # records still current, reused as stored
    failed: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"processed": self.processed, "reclassified": self.reclassified,
                "unchanged": self.unchanged, "failed": len(self.failed)}


def save_batch(store: Store, releases: list[Release], records: list[Record],
               versions: dict[str, str], summary: ProcessSummary, run_id: int | None,
               with_releases: bool = False) -> None:
    """A batch's records (and the errors of those that failed; and the
    releases themselves when they came from files): one transaction."""
    with store.atomic():
        for release in releases if with_releases else ():
            store.upsert_release(release)
        store.save_records([(rec, rel.content_hash) for rel, rec in
                            zip(releases, records, strict=True)],
                           versions["nlp_key"], versions["classifier_key"])
        for record in records:
            if failed(record):
                reason = "; ".join(record.errors)
                summary.failed.append((record.id, reason))
                store.add_error("process", record.id, reason, run_id)


def process_store(store: Store, stages: Stages | None = None, force: bool = False,
                  run_id: int | None = None, batch_size: int = BATCH_SIZE, engine: str = "local",
                  workers: int = 2, address: str | None = None,
                  max_chars: int = DEFAULT_MAX_CHARS,
                  progress: Callable[[int, int], None] | None = None) -> ProcessSummary:
    """Make the record of every stored release that needs one: the whole
    pipeline where the release or the entity stage changed, the themes
    alone where only the classifier did. Nothing else is touched.

    The store is written here only, in this process, whatever the engine:
    workers get releases and give back records, so SQLite has one writer.
    Each batch is saved as it is done: a killed run keeps every finished one.
    """
    stages = stages or Stages()
    versions = stages.versions
    summary = ProcessSummary()
    n_full, n_themes = store.count_work(versions["nlp_key"], versions["classifier_key"], force)
    total, done = n_full + n_themes, 0
    full, themes_only = store.work_to_do(versions["nlp_key"], versions["classifier_key"], force)
    if n_themes:
        for pairs in batches(themes_only, batch_size * 4):
            records = reclassify_batch(pairs, stages)
            save_batch(store, [rel for rel, _ in pairs], records, versions, summary, run_id)
            summary.reclassified += len(records)
            done += len(records)
            if progress:
                progress(done, total)
    if n_full:
        for chunk, records in run_batches(batches(full, batch_size), stages, engine, workers,
                                          address, max_chars):
            save_batch(store, chunk, records, versions, summary, run_id)
            summary.processed += len(records)
            done += len(records)
            if progress:
                progress(done, total)
    return summary


def process_releases(releases: Iterable[Release], store: Store, stages: Stages | None = None,
                     batch_size: int = BATCH_SIZE, engine: str = "local", workers: int = 2,
                     address: str | None = None, max_chars: int = DEFAULT_MAX_CHARS,
                     run_id: int | None = None, summary: ProcessSummary | None = None
                     ) -> Iterator[list[Record]]:
    """Records of releases read from files, a batch at a time in input order.

    Each batch is stored (releases and records, one transaction) before it
    is given back, so a folder of releases can be browsed and reported like
    a crawl, and a killed run keeps every finished batch. A release whose
    stored record is current (same content, same stages) is not processed
    again: its stored record is given back.
    """
    stages = stages or Stages()
    versions = stages.versions
    summary = summary if summary is not None else ProcessSummary()
    plan: deque[tuple[list[Release], dict[str, Record]]] = deque()

    def to_process() -> Iterator[list[Release]]:
        # Always one (maybe empty) batch out per batch in, so results pair
        # with plans one to one and nothing waits behind a batch of reruns.
        for chunk in batches(releases, batch_size):
            known = store.current_records(chunk, versions["nlp_key"], versions["classifier_key"])
            plan.append((chunk, known))
            yield [r for r in chunk if r.id not in known]

    for todo, records in run_batches(to_process(), stages, engine, workers, address, max_chars):
        chunk, known = plan.popleft()
        save_batch(store, todo, records, versions, summary, run_id, with_releases=True)
        summary.processed += len(todo)
        summary.unchanged += len(chunk) - len(todo)
        fresh = iter(records)
        yield [known[r.id] if r.id in known else next(fresh) for r in chunk]
