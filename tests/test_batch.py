"""Running the stages over a store: incremental, per-record errors, engines."""

import json
import subprocess
import sys

import pytest

from pipeline.batch import Stages, clean_stored_pages, process_batch, process_store
from pipeline.gold import load_gold
from pipeline.records import Page, Release
from pipeline.store import Store


@pytest.fixture(scope="module")
def stages():
    return Stages.load()


def fill(store, n=8):
    for g in load_gold()[:n]:
        store.upsert_release(Release(id=g["id"], title=g["title"], body=g["text"]))


def comparable(records):
    return {r.id: {k: v for k, v in r.as_dict().items() if k != "versions"} for r in records}


def test_only_new_or_changed_releases_are_processed_again(tmp_path, stages):
    with Store(tmp_path / "p.db") as store:
        fill(store, 4)
        assert process_store(store, stages).processed == 4
        assert process_store(store, stages).processed == 0
        rel = store.get_release(load_gold()[0]["id"])
        rel.body += "\n\nA paragraph added later."
        store.upsert_release(rel)
        assert process_store(store, stages).processed == 1


def test_a_bad_release_fails_alone_and_the_batch_goes_on(tmp_path, stages):
    with Store(tmp_path / "p.db") as store:
        fill(store, 3)
        store.upsert_release(Release(id="empty", title="", body=""))
        summary = process_store(store, stages)
        assert summary.processed == 4
        assert [rid for rid, _ in summary.failed] == ["empty"]
        assert "empty release" in summary.failed[0][1]
        assert len(list(store.records())) == 4


def test_dask_local_cluster_gives_the_same_records_as_one_process(tmp_path, stages):
    pytest.importorskip("distributed")
    with Store(tmp_path / "local.db") as local, Store(tmp_path / "dask.db") as dask:
        fill(local)
        fill(dask)
        process_store(local, stages)
        summary = process_store(dask, engine="dask", workers=2, batch_size=3)
        assert summary.processed == 8 and summary.failed == []
        assert comparable(dask.records()) == comparable(local.records())


def _worker_settings():
    import os

    import dask

    return (os.environ.get("MALLOC_TRIM_THRESHOLD_"), os.environ.get("OMP_NUM_THREADS"),
            dask.config.get("distributed.admin.tick.interval"))


def test_the_dask_cluster_keeps_glibcs_trimming_and_a_quiet_event_loop():
    # Dask's own default (MALLOC_TRIM_THRESHOLD_=65536 in every worker) costs a
    # quarter of the wall time of a 2-worker run (pipeline/batch.py, DASK_SETTINGS).
    pytest.importorskip("distributed")
    import dask
    from distributed import Client, LocalCluster

    from pipeline.batch import DASK_SETTINGS

    with dask.config.set(DASK_SETTINGS):
        with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            (settings,) = client.run(_worker_settings).values()
    assert settings == (None, "1", "1s")


def test_joblib_workers_give_the_same_records_as_one_process(tmp_path, stages):
    with Store(tmp_path / "local.db") as local, Store(tmp_path / "jl.db") as jl:
        fill(local, 4)
        fill(jl, 4)
        process_store(local, stages)
        process_store(jl, engine="joblib", workers=2, batch_size=2)
        assert comparable(jl.records()) == comparable(local.records())


# -- incremental at archive scale (issue 11) -------------------------------------
def processed_twice(tmp_path, stages, n=4):
    store = Store(tmp_path / "p.db")
    fill(store, n)
    assert process_store(store, stages).processed == n
    return store


def test_an_unchanged_rerun_loads_no_spacy_and_processes_nothing(tmp_path, stages):
    with processed_twice(tmp_path, stages) as store:
        before = dict(store.query("SELECT id, processed_at || record FROM records"))
        fresh = Stages()
        summary = process_store(store, fresh)
        assert (summary.processed, summary.reclassified) == (0, 0)
        assert fresh.loaded == set()
        assert dict(store.query("SELECT id, processed_at || record FROM records")) == before


def test_an_unchanged_rerun_from_the_command_line_never_imports_spacy(tmp_path, stages):
    processed_twice(tmp_path, stages).close()
    code = ("import sys; from pipeline.cli import main; "
            f"rc = main(['process', '--db', {str(tmp_path / 'p.db')!r}]); "
            "print(rc, 'spacy' in sys.modules, 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.stdout.splitlines()[-1] == "0 False False", out.stderr
    assert "processed 0 releases, re-classified 0" in out.stdout


def with_key(monkeypatch, **changed):
    import pipeline.batch as batch

    real = batch.stage_versions()
    monkeypatch.setattr(batch, "stage_versions", lambda model=None: {**real, **changed})


def test_a_new_classifier_reclassifies_from_stored_text_without_spacy(tmp_path, stages,
                                                                      monkeypatch):
    with processed_twice(tmp_path, stages) as store:
        right = comparable(store.records())
        # Themes spoiled in the store: a re-classification must make them again.
        first = load_gold()[0]["id"]
        spoiled = store.get_record(first)
        spoiled.themes, spoiled.primary_theme = [], "spoiled"
        store.save_record(spoiled, store.get_release(first).content_hash,
                          stages.versions["nlp_key"], stages.versions["classifier_key"])
        with_key(monkeypatch, classifier_key="a-new-classifier")
        fresh = Stages()
        summary = process_store(store, fresh)
        assert (summary.processed, summary.reclassified) == (0, 4)
        assert fresh.loaded == {"classifier"}  # no spaCy
        assert comparable(store.records()) == right
        keys = {r["classifier"] for r in store.query("SELECT classifier FROM records")}
        assert keys == {"a-new-classifier"}
        assert process_store(store, Stages()).reclassified == 0


def test_a_new_entity_stage_runs_the_whole_pipeline_again(tmp_path, stages, monkeypatch):
    with processed_twice(tmp_path, stages) as store:
        with_key(monkeypatch, nlp_key="a-new-entity-stage")
        fresh = Stages()
        summary = process_store(store, fresh)
        assert (summary.processed, summary.reclassified) == (4, 0)
        assert "nlp:en" in fresh.loaded
        assert process_store(store, Stages()).processed == 0


def page(url, title, body):
    html = (f"<html><body><main><h1>{title}</h1><div class='field--type-text-with-summary'>"
            + "".join(f"<p>{p}</p>" for p in body.split("\n\n")) + "</div></main></body></html>")
    return Page(url=url, fetched_at="2024-01-01T00:00:00Z", status=200, html=html)


def test_minhash_signatures_are_stored_and_reused(tmp_path, monkeypatch):
    import pipeline.clean.dedup as dedup

    gold = load_gold()[:5]
    calls = []
    real = dedup.minhash
    monkeypatch.setattr(dedup, "minhash", lambda text, *a: calls.append(text) or real(text, *a))
    with Store(tmp_path / "p.db") as store:
        for i, g in enumerate(gold):
            store.upsert_page(page(f"https://x.iom.int/news/{i}", g["title"], g["text"]))
        summary = clean_stored_pages(store)
        assert summary.releases_new == 5 and store.count("minhashes") == 5
        assert len(calls) == 5
        calls.clear()
        # A re-posted copy of the first release (one word changed) on a new page.
        copy = gold[0]["text"].replace("IOM", "The IOM", 1)
        store.upsert_page(page("https://x.iom.int/news/copy", gold[0]["title"], copy))
        summary = clean_stored_pages(store)
        assert len(calls) == 1  # the new release only: the others' signatures were read
        assert summary.duplicates == 1
        [(dup,)] = store.query("SELECT duplicate_of FROM releases WHERE duplicate_of IS NOT NULL")
        first = store.query("SELECT id FROM releases WHERE page_url=?",
                            ("https://x.iom.int/news/0",))[0]["id"]
        assert dup == first


def test_a_text_over_the_cap_gets_its_error_record_without_being_read(stages, monkeypatch):
    import pipeline.nlp as nlp

    read = []
    real = nlp.prepare
    monkeypatch.setattr(nlp, "prepare", lambda text: read.append(len(text)) or real(text))
    good = [Release(id=g["id"], title=g["title"], body=g["text"]) for g in load_gold()[:2]]
    huge = Release(id="huge", title="A long one", body="Words and more words. " * 2_000)
    records = process_batch([good[0], huge, good[1]], stages, max_chars=20_000)
    assert [r.id for r in records] == [good[0].id, "huge", good[1].id]
    assert "over the cap of 20,000" in records[1].errors[0] and records[1].themes == []
    assert records[0].errors == [] and records[0].countries and records[2].themes
    assert read and max(read) < 20_000  # spaCy never saw it


def make_inputs(root, n):
    root.mkdir()
    for g in load_gold()[:n]:
        (root / f"{g['id']}.txt").write_text(f"{g['title']}\n\n{g['text']}", encoding="utf-8")


@pytest.mark.parametrize("seed", [1, 2])
def test_a_killed_run_keeps_every_finished_batch_and_a_rerun_does_the_rest(tmp_path, seed):
    import random
    import signal
    import sqlite3
    import time

    make_inputs(tmp_path / "in", 24)
    db, out = tmp_path / "p.db", tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "pipeline", "process", "--input", str(tmp_path / "in"),
           "--db", str(db), "--output", str(out), "--batch-size", "4"]
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(random.Random(seed).uniform(3.0, 10.0))
    child.send_signal(signal.SIGKILL)
    child.wait()
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {rid: json.loads(rec) for rid, rec in con.execute("SELECT id, record FROM records")}
    con.close()
    assert len(stored) % 4 == 0  # whole batches only
    for rid, record in stored.items():  # complete, or absent
        assert record["id"] == rid and record["primary_theme"] and record["errors"] == []
    tmp = out.with_suffix(".jsonl.tmp")
    written = [json.loads(line) for line in tmp.read_text().splitlines()] if tmp.exists() else []
    assert {r["id"] for r in written} <= set(stored)  # the store is written first
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert f"({24 - len(stored)} processed, {len(stored)} unchanged" in rerun.stdout
    assert len(out.read_text().splitlines()) == 24 and not tmp.exists()
