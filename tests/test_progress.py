"""The progress helper: a bar with counts, rate and ETA on a terminal; nothing elsewhere."""

import io

from pipeline.progress import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_nothing_is_drawn_when_the_stream_is_not_a_terminal():
    stream = io.StringIO()
    with progress("process", stream) as update:
        for done in range(1, 11):
            update(done, 10)
    assert stream.getvalue() == ""


def test_a_terminal_gets_the_step_its_counts_rate_and_eta():
    stream = Terminal()
    with progress("process", stream) as update:
        for done in range(1, 11):
            update(done, 10)
    drawn = stream.getvalue()
    assert "process" in drawn and "10/10" in drawn
    assert "/s" in drawn and "ETA" in drawn


def test_a_step_whose_total_grows_shows_what_is_known_so_far():
    stream = Terminal()
    with progress("crawl", stream) as update:
        update(1, 5)
        update(4, 12)
    assert "4/12" in stream.getvalue()
