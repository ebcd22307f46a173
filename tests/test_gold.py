"""The gold corpus: valid, varied and split as the corpus issue asks."""

import json
import statistics
from collections import Counter
from pathlib import Path

import pytest

from pipeline.gold import SPLITS, load_gold, split, validate, word_count
from pipeline.taxonomy import theme_ids

SHARED_TAXONOMY = Path(__file__).resolve().parents[2] / "shared" / "taxonomy.md"


@pytest.fixture(scope="module")
def gold():
    return load_gold()


def test_every_gold_record_is_valid(gold):
    assert validate(gold, check_splits=True) == []


def test_corpus_size_and_length(gold):
    assert len(gold) >= 240
    words = [word_count(r["text"]) for r in gold]
    assert statistics.median(words) >= 250
    assert min(words) >= 140 and max(words) <= 950


def test_every_theme_is_primary_of_at_least_12_releases(gold):
    primary = Counter(r["primary"] for r in gold)
    assert {t: primary[t] for t in theme_ids() if primary[t] < 12} == {}


def test_releases_carry_about_two_themes(gold):
    mean = statistics.mean(len(r["themes"]) for r in gold)
    assert 1.6 <= mean <= 2.6


def test_splits_are_about_70_15_15_and_cover_every_primary(gold):
    sizes = {s: len(split(gold, s)) for s in SPLITS}
    assert 0.62 <= sizes["train"] / len(gold) <= 0.78
    for s in ("dev", "test"):
        assert 0.10 <= sizes[s] / len(gold) <= 0.20
        assert {r["primary"] for r in split(gold, s)} == set(theme_ids())


def test_seed_release_is_in_the_corpus_as_worked_through(gold):
    seed = next(r for r in gold if r["id"] == "seed-iran-nordic")
    assert seed["primary"] == "donor_relations"
    assert set(seed["themes"]) == {"donor_relations", "counter_trafficking",
                                   "return_reintegration", "protection_assistance"}
    assert set(seed["countries"]) == {"IRN", "AFG", "DNK", "SWE", "NOR", "TUR"}


def test_taxonomy_data_matches_the_shared_table():
    if not SHARED_TAXONOMY.exists():
        pytest.skip("shared/taxonomy.md is not beside this checkout")
    table = SHARED_TAXONOMY.read_text(encoding="utf-8")
    ids = [line.split("|")[1].strip() for line in table.splitlines()
           if line.startswith("| ") and line.split("|")[1].strip() not in ("id", "")
           and not line.split("|")[1].strip().startswith("-")]
    assert ids == list(theme_ids())


def test_validation_catches_each_kind_of_problem():
    bad = {"id": "x", "title": "t", "text": "In Paris.", "themes": ["nope"], "primary": "nope",
           "countries": ["XXX"], "cities": ["Rome"], "ministries": ["Health"],
           "officials": [{"name": "Ann Lee", "title": "", "org": None}], "contacts": [], "amounts": [],
           "_source": "t:1"}
    problems = validate([bad, dict(bad)])
    text = json.dumps(problems)
    for needle in ("unknown theme id", "not an ISO 3166", "'Rome' does not occur",
                   "not 'Ministry/Department", "has no title or office", "id also at", "near-duplicate"):
        assert needle in text, needle


def test_blind_sets_are_valid_frozen_and_never_in_the_training_corpus(gold):
    from pipeline.gold import blind_sets

    sets = blind_sets()
    assert {"blind.jsonl", "blind2.jsonl", "blind3.jsonl", "blind4.jsonl", "blind5.jsonl", "blind6.jsonl",
            "blind7.jsonl", "blind8.jsonl",
            "blind.fr.jsonl"} <= set(sets)
    corpus_ids = {g["id"] for g in gold}
    corpus_texts = {g["text"][:200] for g in gold}
    for file, records in sets.items():
        assert records, file
        assert validate(records) == [], file
        for rec in records:
            assert rec["split"] == "blind", (file, rec["id"])
            assert rec["id"] not in corpus_ids and rec["text"][:200] not in corpus_texts
