"""Cells safe to open in a spreadsheet, and undone exactly on the way back."""

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from pipeline.spreadsheet import original_cell, safe_cell, write_rows


def test_every_formula_start_gets_a_quote_in_front():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(start + "SUM(A1:A9)") == "'" + start + "SUM(A1:A9)"


def test_plain_text_numbers_and_none_are_left_alone():
    assert safe_cell("Floods in Malawi") == "Floods in Malawi"
    assert safe_cell(0.52) == 0.52
    assert safe_cell(None) is None
    assert safe_cell("") == ""


@given(st.text())
def test_original_cell_undoes_safe_cell_exactly(value):
    assert original_cell(safe_cell(value)) == value


@given(st.text())
def test_no_written_cell_starts_a_formula(value):
    assert not safe_cell(value).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_write_rows_makes_every_cell_safe():
    fh = io.StringIO()
    assert write_rows(fh, ["a", "b"], [{"a": "=1+1", "b": "@SUM(1)"}, {"a": "ok", "b": "-2"}]) == 2
    rows = list(csv.DictReader(io.StringIO(fh.getvalue())))
    assert rows == [{"a": "'=1+1", "b": "'@SUM(1)"}, {"a": "ok", "b": "'-2"}]
