"""Running the stages over a store: incremental, per-record errors, engines."""

import pytest

from pipeline.batch import Stages, process_store
from pipeline.gold import load_gold
from pipeline.records import Release
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


def test_joblib_workers_give_the_same_records_as_one_process(tmp_path, stages):
    with Store(tmp_path / "local.db") as local, Store(tmp_path / "jl.db") as jl:
        fill(local, 4)
        fill(jl, 4)
        process_store(local, stages)
        process_store(jl, engine="joblib", workers=2, batch_size=2)
        assert comparable(jl.records()) == comparable(local.records())
