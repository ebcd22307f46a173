"""Running the stages over many records: incremental, per-record errors.

``process_release`` is one release through entities and themes, with every
failure caught into ``Record.errors``; ``process_batch`` does a list of them
(piping texts through spaCy in batches). ``clean_stored_pages`` and
``process_store`` are the incremental steps over the store: only pages whose
HTML changed are re-cleaned, only releases whose content changed are
re-processed, near-duplicate copies are linked to the first and skipped.
The same chunks run in this process, in joblib workers, or on a Dask cluster
(a LocalCluster on this machine, or a scheduler's address).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from pipeline import __version__
from pipeline.records import Record, Release
from pipeline.store import Store

log = logging.getLogger(__name__)


@dataclass
class Stages:
    """What a worker needs to process releases: loaded once per process.
    ``nlp`` and ``classifier`` are the default language's; another
    language's pipeline and theme reader are loaded on first use
    (``nlp_for``, ``classifier_for``; pipeline/languages.json)."""

    nlp: object
    classifier: object
    versions: dict[str, str]
    _by_language: dict = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, model: str | None = None) -> Stages:
        from pipeline.classify import load_classifier
        from pipeline.nlp import load_nlp, model_version

        nlp = load_nlp(model=model)
        clf, card = load_classifier()
        versions = {
            "pipeline": __version__,
            "classifier": f"themes-{card['model_sha256'][:12]}",
            "spacy_model": model_version(nlp),
        }
        return cls(nlp=nlp, classifier=clf, versions=versions)

    def nlp_for(self, language: str | None) -> object:
        """The entity pipeline a release in ``language`` is read with."""
        from pipeline.languages import default_language, route
        from pipeline.nlp import load_nlp

        code = route(language)
        return self.nlp if code == default_language() else load_nlp(code)

    def classifier_for(self, language: str | None) -> object:
        """The theme reader of ``language``: the trained model, or the
        language's taxonomy signals (pipeline/signal_themes.py)."""
        from pipeline.languages import spec
        from pipeline.signal_themes import SignalThemes

        lang = spec(language)
        if lang.signals_file is None:
            return self.classifier
        if lang.code not in self._by_language:
            self._by_language[lang.code] = SignalThemes(lang.signals_file, lang.code)
        return self._by_language[lang.code]

    def versions_for(self, language: str | None) -> dict[str, str]:
        """The versions a record of ``language`` carries: the models that read it."""
        from pipeline.languages import default_language, route, spec
        from pipeline.nlp import model_version

        code = route(language)
        if code == default_language():
            return self.versions
        versions = dict(self.versions)
        try:
            versions["spacy_model"] = model_version(self.nlp_for(code))
            if spec(code).signals_file is not None:
                versions["classifier"] = self.classifier_for(code).version
        except (RuntimeError, OSError, ValueError):
            # The record's errors say why (the release is never lost); nothing
            # here names a model that did not read it.
            versions["spacy_model"] = versions["classifier"] = None
        return versions


def failed(record: Record) -> bool:
    """A record failed when a stage could not do its work (warnings aside)."""
    return any(not e.startswith("warning:") for e in record.errors)


def process_release(release: Release, stages: Stages) -> Record:
    """One release through the entity and theme stages; never raises."""
    return process_batch([release], stages)[0]


def process_batch(releases: list[Release], stages: Stages) -> list[Record]:
    """Releases through entities and themes together (spaCy and scikit-learn
    are faster on batches); when a batch fails, each release is retried on
    its own so the error stays with the release that caused it. Never raises."""
    from pipeline.classify import classify
    from pipeline.languages import route
    from pipeline.nlp import extract_batch

    empty = [not (r.title.strip() or r.body.strip()) for r in releases]
    todo = [r for r, e in zip(releases, empty, strict=True) if not e]
    # Each language's releases go through its own pipeline, together.
    done: dict[int, tuple] = {}
    try:
        for language in dict.fromkeys(route(r.language) for r in todo):
            group = [r for r in todo if route(r.language) == language]
            entities = extract_batch(group, stages.nlp_for(language))
            themes = classify(group, stages.classifier_for(language))
            for r, ent, th in zip(group, entities, themes, strict=True):
                done[id(r)] = (ent, th)
    except Exception:
        if len(releases) == 1:
            return [_one_by_one(releases[0], stages)]
        return [rec for r in releases for rec in process_batch([r], stages)]
    out = []
    for release, is_empty in zip(releases, empty, strict=True):
        versions = stages.versions_for(release.language)
        if is_empty:
            out.append(Record.assemble(release, None, None,
                                       ["empty release: no title and no text"], versions))
            continue
        (ent, errors), th = done[id(release)]
        out.append(Record.assemble(release, ent, th, errors, versions))
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
                           stages.versions_for(release.language))


@dataclass
class CleanSummary:
    pages: int = 0
    releases_new: int = 0
    releases_changed: int = 0
    duplicates: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def clean_stored_pages(store: Store, profile_name: str | None = None,
                       run_id: int | None = None) -> CleanSummary:
    """Clean every page whose HTML changed since it was last cleaned."""
    from pipeline.clean import NearDuplicateIndex, clean_page
    from pipeline.sites import get_profile

    profile = get_profile(profile_name) if profile_name else None
    summary = CleanSummary()
    index = NearDuplicateIndex()
    for release, duplicate_of in store.releases():
        if duplicate_of is None:
            index.add(release.id, release.body)
    for page in store.pages_to_clean():
        summary.pages += 1
        try:
            releases = clean_page(page, profile)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            summary.failed.append((page.url, reason))
            store.add_error("clean", page.url, reason, run_id)
            continue
        for release in releases:
            if release.errors and not release.body.strip():
                summary.failed.append((page.url, "; ".join(release.errors)))
                store.add_error("clean", page.url, "; ".join(release.errors), run_id)
                continue
            duplicate_of = index.add(release.id, release.body)
            if duplicate_of == release.id:
                duplicate_of = None
            summary.duplicates += duplicate_of is not None
            state = store.upsert_release(release, page_url=page.url, duplicate_of=duplicate_of)
            summary.releases_new += state == "new"
            summary.releases_changed += state == "changed"
        store.mark_cleaned(page.url)
    return summary


@dataclass
class ProcessSummary:
    processed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


ENGINES = ("local", "joblib", "dask")


@cache
def _worker_stages() -> Stages:
    # Loaded once per worker process: the spaCy model and the classifier are
    # the expensive part, the releases are cheap to ship.
    return Stages.load()


def process_chunk(releases: list[dict]) -> list[dict]:
    """One chunk on a worker (joblib or Dask): plain dicts in and out."""
    records = process_batch([Release.from_dict(r) for r in releases], _worker_stages())
    return [r.as_dict() for r in records]


def _chunked(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _run_chunks(releases: list[Release], stages: Stages | None, engine: str, workers: int,
                address: str | None, batch_size: int) -> Iterator[tuple[list[Release], list[Record]]]:
    """(chunk, its records) as each chunk is done, on the chosen engine."""
    chunks = _chunked(releases, batch_size)
    if engine == "local":
        for chunk in chunks:
            yield chunk, process_batch(chunk, stages or Stages.load())
    elif engine == "joblib":
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=workers, backend="loky", return_as="generator")
        jobs = (delayed(process_chunk)([r.as_dict() for r in chunk]) for chunk in chunks)
        for chunk, out in zip(chunks, parallel(jobs), strict=True):
            yield chunk, [Record.from_dict(d) for d in out]
    elif engine == "dask":
        from distributed import Client, LocalCluster, as_completed

        cluster = None if address else LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        try:  # closed however the loop ends: an error, a kill of the caller's generator
            with Client(address or cluster) as client:
                futures = {client.submit(process_chunk, [r.as_dict() for r in chunk],
                                         pure=False): chunk for chunk in chunks}
                for future in as_completed(futures):
                    yield futures[future], [Record.from_dict(d) for d in future.result()]
        finally:
            if cluster is not None:
                cluster.close()
    else:
        raise ValueError(f"unknown engine {engine!r} (one of {', '.join(ENGINES)})")


def process_store(store: Store, stages: Stages | None = None, force: bool = False,
                  run_id: int | None = None, batch_size: int = 64, engine: str = "local",
                  workers: int = 2, address: str | None = None) -> ProcessSummary:
    """Process every stored release that is new or changed; one record each.

    The store is written here only, in this process, whatever the engine:
    workers get releases and give back records, so SQLite has one writer.
    """
    summary = ProcessSummary()
    releases = list(store.releases_to_process(force=force))
    for chunk, records in _run_chunks(releases, stages, engine, workers, address, batch_size):
        # Each record is saved in its own transaction as soon as its chunk is
        # done: a killed run keeps every finished record.
        for release, record in zip(chunk, records, strict=True):
            store.save_record(record, release.content_hash)
            summary.processed += 1
            if failed(record):
                reason = "; ".join(record.errors)
                summary.failed.append((record.id, reason))
                store.add_error("process", record.id, reason, run_id)
    return summary
