"""Cleaning: fetched pages and plain texts -> Releases, without site chrome.

``clean_page`` reads an HTML page (site profile selectors, then a generic
fallback, then text-level rules) and returns one Release, or several for
aggregator pages and press briefing notes. ``clean_text`` reads a release
given as text. ``NearDuplicateIndex`` links copies to the first release
they copy. ``decode_html`` turns fetched bytes into text for the crawler.

Odd input never raises out of ``clean_page`` or ``clean_text``: a page or
text with nothing in it gives one Release with ``errors == ["empty page"]``,
one whose article cannot be found gives ``["no article body found"]`` (with
whatever title and date it had), unparsable HTML ``["unparsable HTML: …"]``.
Nothing is invented; the batch records the error and goes on.
"""

from pipeline.clean.dedup import NearDuplicateIndex
from pipeline.clean.encoding import decode_html
from pipeline.clean.html import clean_page
from pipeline.clean.ids import canonical_url, release_id_for_url
from pipeline.clean.release import clean_text

__all__ = [
    "NearDuplicateIndex",
    "canonical_url",
    "clean_page",
    "clean_text",
    "decode_html",
    "release_id_for_url",
]
