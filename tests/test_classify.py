"""The theme classifier: training, persistence guards, predictions, the review loop."""

import csv
import json

import pytest

from pipeline.classify import ModelError, load, review_records, save, theme_scores, train
from pipeline.classify._persist import file_sha256
from pipeline.gold import load_gold
from pipeline.records import Release
from pipeline.review import import_reviews
from pipeline.store import Store
from pipeline.taxonomy import theme_ids


@pytest.fixture(scope="module")
def gold():
    return load_gold()


@pytest.fixture(scope="module")
def trained(gold, tmp_path_factory):
    clf, card = train(gold, [])
    model_dir = tmp_path_factory.mktemp("model")
    save(clf, card, model_dir)
    return clf, card, model_dir


def test_training_is_deterministic(gold, trained, tmp_path):
    _, card, model_dir = trained
    clf2, card2 = train(gold, [])
    save(clf2, card2, tmp_path)
    assert file_sha256(tmp_path / "themes.joblib") == file_sha256(model_dir / "themes.joblib")
    assert card2["metrics_test"] == card["metrics_test"]


def test_card_records_what_the_model_was_made_from(trained):
    _, card, _ = trained
    assert card["labels"] == list(theme_ids())
    assert set(card["thresholds"]) == set(theme_ids())
    assert card["scoring"] in ("release", "paragraph")
    assert {"sha256", "train", "dev", "test"} <= set(card["data"])
    assert {"scikit-learn", "numpy", "python"} <= set(card["versions"])
    assert card["seed"] == 0 and card["trained_at"]


def test_loading_refuses_a_file_whose_hash_does_not_match(trained, tmp_path):
    clf, card, _ = trained
    save(clf, card, tmp_path)
    with open(tmp_path / "themes.joblib", "ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(ModelError, match="does not match"):
        load(tmp_path)


def test_loading_refuses_another_scikit_learn_version(trained, tmp_path):
    clf, card, _ = trained
    save(clf, card, tmp_path)
    card_path = tmp_path / "themes.card.json"
    data = json.loads(card_path.read_text())
    data["versions"]["scikit-learn"] = "0.1.0"
    card_path.write_text(json.dumps(data))
    with pytest.raises(ModelError, match="scikit-learn 0.1.0"):
        load(tmp_path)


def test_primary_is_always_a_taxonomy_id_and_themes_are_ordered(trained):
    clf, _, _ = trained
    [themes] = clf.themes([{"title": "", "text": "Nothing to see here.", "site_tags": []}])
    assert themes.primary_theme in theme_ids()
    scores = [t["score"] for t in themes.themes]
    assert scores == sorted(scores, reverse=True)
    assert themes.primary_theme in {t["id"] for t in themes.themes}


def test_evidence_names_terms_present_in_the_release(trained):
    clf, _, _ = trained
    text = ("IOM helped 40 victims of trafficking rescued from fishing boats; the "
            "traffickers were prosecuted and the survivors were given shelter.")
    [themes] = clf.themes([{"title": "Victims of trafficking rescued", "text": text,
                             "site_tags": []}])
    top = themes.themes[0]
    assert top["id"] == "counter_trafficking"
    assert top["evidence"] and all(
        any(w in text.lower() or w in "victims of trafficking rescued" for w in term.split())
        for term in top["evidence"])
    assert top["paragraph"]


def test_model_beats_the_keyword_baseline_on_the_test_split(trained):
    _, card, _ = trained
    assert card["metrics_test"]["micro_f1"] > card["baselines_test"]["keyword"]["micro_f1"]


def test_theme_scores_count_per_label():
    from pipeline.records import Themes

    gold = [{"themes": ["a", "b"], "primary": "a"}]
    got = [Themes(themes=[{"id": "a"}, {"id": "c"}], primary_theme="a")]
    s = theme_scores(gold, got, ["a", "b", "c"])
    assert s["per_label"]["a"]["f1"] == 1.0
    assert s["micro_f1"] == 0.5 and s["primary_accuracy"] == 1.0


BEEKEEPING = [
    "Returnees in the hills are learning beekeeping: each family receives hives, "
    "protective suits and training on honey harvesting from the cooperative.",
    "The apiary cooperative sold its first honey crop; the beekeepers plan new hives "
    "and a small honey processing room.",
    "Beekeeping trainers visited twelve villages to inspect hives and teach queen rearing; "
    "honey yields doubled.",
    "A honey fair brought beekeepers from five districts; hives, smokers and extractors "
    "were handed out to the cooperative.",
    "The cooperative's beekeeping school opened, with hives for practice and a honey lab.",
    "New beekeepers registered with the apiary cooperative after a season of honey sales.",
]


def test_reviews_of_a_new_kind_of_release_change_predictions_for_similar_ones(gold, trained,
                                                                             tmp_path):
    clf, _, _ = trained
    unseen = {"title": "Honey harvest season begins",
              "text": "Beekeepers of the cooperative checked their hives before the honey "
                      "harvest; new beekeeping kits arrive next month.", "site_tags": []}
    before = clf.themes([unseen])[0].scores["diaspora_development"]
    with Store(tmp_path / "p.db") as store:
        for i, text in enumerate(BEEKEEPING):
            store.upsert_release(Release(id=f"bee-{i}", title="Beekeeping cooperative",
                                         body=text))
        csv_path = tmp_path / "review.csv"
        with open(csv_path, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "themes", "primary_theme", "reviewer"])
            for i in range(len(BEEKEEPING)):
                w.writerow([f"bee-{i}", "diaspora_development", "diaspora_development", "ana"])
        assert import_reviews(store, csv_path) == len(BEEKEEPING)
        reviews = store.latest_reviews()
    assert len(review_records(reviews)) == len(BEEKEEPING)
    retrained, card = train(gold, reviews)
    after = retrained.themes([unseen])[0]
    assert card["data"]["reviews"] == len(BEEKEEPING)
    assert after.scores["diaspora_development"] > before + 0.2
    assert after.primary_theme == "diaspora_development"


def test_a_save_killed_between_its_two_renames_still_loads_the_new_model(tmp_path, monkeypatch):
    from pathlib import Path

    clf, card = load()
    save(clf, card, tmp_path)
    clf.killed_save_ = True  # other bytes than the saved model: the old card cannot match it
    real_replace = Path.replace

    def killed_before_the_card(self, target):
        if Path(target).name == "themes.card.json":
            raise KeyboardInterrupt("killed")  # what a kill -9 leaves: the card not moved yet
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", killed_before_the_card)
    with pytest.raises(KeyboardInterrupt):
        save(clf, {**card, "generation": 2}, tmp_path)
    monkeypatch.setattr(Path, "replace", real_replace)
    loaded, loaded_card = load(tmp_path)
    assert loaded_card["generation"] == 2 and loaded.killed_save_ is True
    assert not (tmp_path / "themes.card.json.new").exists()


def test_a_half_written_card_is_a_model_error_not_a_crash(tmp_path):
    from pipeline.classify import read_card

    clf, card = load()
    save(clf, card, tmp_path)
    (tmp_path / "themes.card.json").write_text('{"model_file": "themes.jo')
    with pytest.raises(ModelError, match="unreadable model card"):
        read_card(tmp_path)
    (tmp_path / "themes.card.json.new").write_text('{"model_sha256": "ab')  # cut short too
    save(clf, card, tmp_path)  # training again repairs it, as `make train` does
    assert load(tmp_path)[1]["model_sha256"] == file_sha256(tmp_path / "themes.joblib")


KEEP_SAVING = """
import itertools, sys
from pathlib import Path
from pipeline.classify import load, save
clf, card = load()
out = Path(sys.argv[1])
save(clf, card, out)
print("saved", flush=True)
for generation in itertools.count(1):
    clf.generation_ = generation  # each model's bytes differ from the one before
    save(clf, {**card, "generation": generation}, out)
"""


def test_kill_9_during_saves_at_random_instants_leaves_a_loadable_pair(tmp_path):
    import os
    import random
    import signal
    import subprocess
    import sys
    import time

    rng = random.Random()
    for attempt in range(4):
        out = tmp_path / f"models{attempt}"
        proc = subprocess.Popen([sys.executable, "-c", KEEP_SAVING, str(out)],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "saved"
        time.sleep(rng.uniform(0.05, 1.5))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        clf, card = load(out)  # raises ModelError if the kill broke the pair
        assert card["model_sha256"] == file_sha256(out / "themes.joblib")
        assert getattr(clf, "generation_", 0) == card.get("generation", 0)


# -- the theme features, fast and exactly the same (issue 11) ------------------------
def _texts_of_every_kind(gold):
    texts = [g["title"] + "\n\n" + g["text"] for g in gold[:120]]
    return texts + ["", "   \n\t ", "İSTANBUL Çağlayan — ÀÉÎ naïve", "a", "IOM\u00a0Geneva  x\ty",
                    "TRAFFICKING in Persons; Human-Trafficking, traffickers!"]


def test_the_word_cached_char_ngrams_give_the_vectorizers_own_matrix(gold):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from pipeline.classify._model import WordCharTfidf

    texts = _texts_of_every_kind(gold)
    kw = dict(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=3,
              max_features=5000)
    plain = TfidfVectorizer(**kw).fit(texts[:80])
    fast = WordCharTfidf(**kw).fit(texts[:80])
    assert fast.vocabulary_ == plain.vocabulary_
    for batch in (texts, texts[100:], texts[:1]):
        a, b = plain.transform(batch), fast.transform(batch)
        assert a.shape == b.shape
        assert (a != b).nnz == 0 and a.nnz == b.nnz
    assert "_word_counts" not in fast.__getstate__()  # the cache is not pickled


def test_signal_counts_on_lower_cased_text_match_the_case_blind_pattern(gold):
    import json

    from pipeline.classify._model import SIGNALS_FILE, _signal_groups, signal_pattern

    phrases = [p for k, v in json.loads(SIGNALS_FILE.read_text("utf-8")).items()
               if not k.startswith("_") for p in v]
    assert phrases and all(p == p.lower() for p in phrases)  # what the fast path relies on
    pattern, _ = signal_pattern()
    texts = _texts_of_every_kind(gold)
    assert sum(len(_signal_groups(t)) for t in texts) > 100
    for text in texts:
        assert _signal_groups(text) == tuple(int(m.lastgroup[1:]) for m in pattern.finditer(text))
