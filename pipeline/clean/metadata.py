"""Release metadata: dates, the dateline, and the site's own tags.

Dates come from wherever the page states them, most reliable first:
JSON-LD ``datePublished``, ``<meta>`` publication tags, ``<time datetime>``,
the site's visible date, a "Posted:" line, and the date in the dateline
("Athens, 12 July 2019"). Every form is normalised to ``YYYY-MM-DD``;
month names come from ``data/metadata.json`` (English, French, Spanish,
Italian, German, Arabic). All-numeric dates are read month first, as the
agency's Drupal sites print them ("Wed, 09/19/2018 - 11:19"), unless the
first number cannot be a month.

Old pages glue their metadata into one line ("Language English Posted:
Wednesday, September 19, 2018 - 17:11Image: Region-Country: Switzerland
Themes: Humanitarian EmergenciesDefault: Multimedia:"); ``parse_metadata_line``
splits it on the known labels and keeps "Themes" and "Region-Country" as
site tags.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

_DATA = json.loads((Path(__file__).parent / "data" / "metadata.json").read_text("utf-8"))
METADATA_DATA = _DATA
MONTHS: dict[str, int] = _DATA["months"]

_MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:er|st|nd|rd|th|º)?\.?\s+(?:de\s+)?({_MONTH})\.?,?\s+(?:de\s+|del\s+)?(\d{{4}})\b",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE
)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\b")
_NUMERIC = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
_TIME = re.compile(r"\b\d{1,2}[:h]\d{2}(?::\d{2})?\s*(?:am|pm|AM|PM)?")
_WEEKDAYS = "|".join(sorted((re.escape(w) for w in _DATA["weekdays"]), key=len, reverse=True))
_LEFTOVER = re.compile(rf"(?:\b(?:{_WEEKDAYS})\b\.?|[\s,\-–—|/·:])*", re.IGNORECASE)
_DATE_PATTERNS = (_ISO, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _NUMERIC)


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat() if 1990 <= year <= 2100 else None
    except ValueError:
        return None


def _month(name: str) -> int:
    # A case-blind match also takes "ſept" for "sept" and "maİ" for "mai":
    # casefold brings back the first; what is still unknown is no month (0).
    return MONTHS.get(name.casefold(), 0)


def _from_match(pattern: re.Pattern[str], m: re.Match[str], day_first: bool = False) -> str | None:
    if pattern is _ISO:
        return _valid(int(m[1]), int(m[2]), int(m[3]))
    if pattern is _DAY_MONTH_YEAR:
        return _valid(int(m[3]), _month(m[2]), int(m[1]))
    if pattern is _MONTH_DAY_YEAR:
        return _valid(int(m[3]), _month(m[1]), int(m[2]))
    first, second, year = int(m[1]), int(m[2]), int(m[3])
    if first > 12 or (day_first and second <= 12):
        return _valid(year, second, first)
    return _valid(year, first, second)


def find_date(text: str, day_first: bool = False) -> tuple[str | None, tuple[int, int]]:
    """The first date written in ``text`` as ISO, and where it was (start, end);
    ``day_first``: an all-numeric date is day/month/year."""
    best: tuple[str | None, tuple[int, int]] = (None, (0, 0))
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            iso = _from_match(pattern, m, day_first)
            if iso and (best[0] is None or m.start() < best[1][0]):
                best = (iso, m.span())
                break
    return best


def parse_date(text: str | None, day_first: bool = False) -> str | None:
    """``YYYY-MM-DD`` for the first date in ``text``, else None."""
    if not text:
        return None
    return find_date(text, day_first)[0]


def is_date_line(line: str) -> bool:
    """A line that holds a date and nothing else (weekday, time and dashes allowed)."""
    if len(line) > 80:
        return False
    iso, (start, end) = find_date(line)
    if iso is None:
        return False
    rest = _TIME.sub(" ", line[:start] + " " + line[end:])
    return _LEFTOVER.fullmatch(rest) is not None


# -- glued metadata lines ---------------------------------------------------

_LABELS = sorted(_DATA["labels"], key=len, reverse=True)
_LABEL_RE = re.compile("|".join(re.escape(label) for label in _LABELS))
_LANGUAGE_LINE = re.compile(
    r"^Language\s*(?:" + "|".join(re.escape(n) for n in _DATA["language_names"]) + r")\b"
)
_NEWS_HEADER = re.compile(_DATA["news_header_pattern"], re.IGNORECASE)
_TAG_LABELS: dict[str, str] = _DATA["site_tag_labels"]
_CATEGORY_LABELS = set(_DATA["category_labels"])
_DATE_LABELS = set(_DATA["date_labels"])
_DAY_FIRST_LABELS = set(_DATA["day_first_labels"])
_BARE_LABELS = set(_DATA["bare_labels"])
_GLUE = re.compile(r"(?<=[a-z\u00E0-\u00FF])(?=[A-Z\u00C0-\u00DE])")


@dataclass
class LineMetadata:
    date: str | None = None
    site_tags: dict[str, list[str]] = field(default_factory=dict)
    categories: list[str] = field(default_factory=list)


def merged_site_tags(*groups: dict[str, list[str]]) -> dict[str, list[str]]:
    """The site tags of all groups, each value once, in new lists (so that
    releases cut from one page never share, and so never grow, a list)."""
    merged: dict[str, list[str]] = {}
    for group in groups:
        for key, values in group.items():
            bucket = merged.setdefault(key, [])
            bucket.extend(v for v in values if v not in bucket)
    return merged


def _split_values(value: str) -> list[str]:
    parts = []
    for chunk in re.split(r"[,;|\n]", value):
        parts.extend(_GLUE.split(chunk))
    return [p.strip() for p in parts if p.strip()]


def parse_metadata_line(line: str) -> LineMetadata | None:
    """The metadata a line carries, or None when it is not a metadata line."""
    stripped = line.strip()
    if not stripped:
        return None
    if _NEWS_HEADER.match(stripped):
        return LineMetadata(date=parse_date(stripped))
    if is_date_line(stripped):
        return LineMetadata(date=parse_date(stripped))
    if not (_LANGUAGE_LINE.match(stripped) or _starts_with_label(stripped)):
        return None
    found = LineMetadata()
    marks = list(_LABEL_RE.finditer(stripped))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(stripped)
        label, value = m.group(0), stripped[m.end() : end].strip()
        if label in _DATE_LABELS and found.date is None:
            found.date = parse_date(value, day_first=label in _DAY_FIRST_LABELS)
        elif label in _TAG_LABELS and value:
            found.site_tags.setdefault(_TAG_LABELS[label], []).extend(_split_values(value))
        elif label in _CATEGORY_LABELS and value:
            found.categories.extend(_split_values(value))
    return found


def _starts_with_label(line: str) -> bool:
    m = _LABEL_RE.match(line)
    if not m:
        return False
    # "Publié le 12/03/2024" is a stamp; "Publié le mois dernier, le rapport…" is a sentence.
    return m.group(0).endswith(":") or (m.group(0) in _BARE_LABELS
                                        and is_date_line(line[m.end():].strip()))


# -- datelines ----------------------------------------------------------------

_DATELINE_DASH = re.compile(r"\s*[–—]\s*|\s+-{1,2}\s+")
_AGENCY_TAG = re.compile(
    r"\s*\((?:IOM|OIM|UN Migration|IOM[ /-]+UN Migration|OIM[ /-]+ONU Migración)\)\s*$"
)
_CONNECTORS = frozenset(
    "de del la le les el es al of the upon sur sous en du des di da do dos das am im an y i et "
    "and e los las della delle dei degli au aux d' l' st. st".split()
)
_PLACE_WORD = re.compile(r"[^\W\d_][\w'’.\-]*")
_ELISION = re.compile(r"^[dl]['’](?=[^\W\d_])")  # "d'Ivoire", "l'Aquila"


def _is_place(text: str, max_words: int = 7) -> bool:
    """Looks like a place name: a few capitalised words, commas and slashes."""
    text = text.strip()
    if not text or len(text) > 60 or text[0].islower():
        return False
    words = [w for w in re.split(r"[\s,/]+", text) if w]
    if not words or len(words) > max_words:
        return False
    # A sentence has a verb; a dateline is names. A cheap proxy: every word
    # is capitalised, save the connectors of place names.
    for word in words:
        if word.lower() in _CONNECTORS:
            continue
        word = _ELISION.sub("", word)
        if not _PLACE_WORD.fullmatch(word) or word[0].islower():
            return False
    return not text.endswith((".", ",")) or text.endswith(("D.C.", "St."))


@dataclass
class Dateline:
    place: str  # "Washington, D.C." for "Washington, D.C. (IOM) –"
    date: str | None = None  # the date written in it ("Athens, 12 July 2019")


def split_dateline(paragraph: str) -> Dateline | None:
    """The dateline at the start of a first paragraph, if there is one.

    Forms: "Tehran –", "Geneva —", "Zinder – Niger –", "Namibia -",
    "Geneva, Switzerland –", "Geneva/Manila –", "Washington, D.C. (IOM) –",
    "Athens, 12 July 2019" (with or without a dash after it).
    """
    head = paragraph[:160]
    dated = _dated_dateline(head)
    if dated is not None:
        return dated
    dash = _DATELINE_DASH.search(head)
    if dash is None or dash.start() == 0:
        return None
    place = _AGENCY_TAG.sub("", head[: dash.start()]).strip()
    if not _is_place(place):
        return None
    # "Zinder – Niger – …": a second short place segment closed by another dash.
    rest = head[dash.end() :]
    second = _DATELINE_DASH.search(rest)
    if second is not None and second.start() > 0:
        segment = _AGENCY_TAG.sub("", rest[: second.start()]).strip()
        if _is_place(segment, max_words=3):
            place = _AGENCY_TAG.sub("", head[: dash.end() + second.start()]).strip()
    return Dateline(place=place)


def _dated_dateline(head: str) -> Dateline | None:
    iso, (start, end) = find_date(head)
    if iso is None or start == 0 or start > 70:
        return None
    before = head[:start].rstrip()
    if not before.endswith(","):
        return None
    place = _AGENCY_TAG.sub("", before[:-1]).strip()
    if not _is_place(place, max_words=5):
        return None
    after = head[end:]
    if after and not re.match(r"\s*(?:[–—:.,-]|\s)", after):
        return None
    return Dateline(place=place, date=iso)


# -- HTML-level metadata --------------------------------------------------------

_META_DATE_NAMES = (
    "article:published_time", "og:published_time", "datepublished", "date", "dc.date",
    "dcterms.date", "dcterms.created", "dc.date.issued", "pubdate", "publish-date",
)


_JSON_LD_DATE_KEYS = ("datePublished", "dateCreated", "uploadDate")


def json_ld_fields(doc) -> dict[str, str]:
    """headline and datePublished from the page's JSON-LD, when it has any."""
    found: dict[str, str] = {}
    for script in doc.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (ValueError, TypeError, RecursionError):
            continue
        for obj in _walk_json(data):
            if "headline" in obj and "headline" not in found and isinstance(obj["headline"], str):
                found["headline"] = obj["headline"]
            for key in _JSON_LD_DATE_KEYS:
                value = obj.get(key)
                if isinstance(value, str) and "date" not in found:
                    found["date"] = value
    return found


def _walk_json(data, depth: int = 0):
    if depth > 6:
        return
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _walk_json(value, depth + 1)
    elif isinstance(data, list):
        for value in data[:50]:
            yield from _walk_json(value, depth + 1)


def meta_date(doc) -> str | None:
    """A publication date from ``<meta>`` tags."""
    for meta in doc.iterfind(".//meta"):
        name = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if name in _META_DATE_NAMES:
            iso = parse_date(meta.get("content"))
            if iso:
                return iso
    return None


def meta_content(doc, *names: str) -> str | None:
    wanted = {n.lower() for n in names}
    for meta in doc.iterfind(".//meta"):
        name = (meta.get("property") or meta.get("name") or "").lower()
        if name in wanted and (meta.get("content") or "").strip():
            return meta.get("content").strip()
    return None
