"""What a source document is, and the links it lists: feeds and sitemaps.

A source URL may be a listing page, an RSS/Atom feed, a sitemap or a
sitemap index; ``detect_kind`` tells them apart by content type and root
element, since servers often send feeds as text/html or sitemaps as
text/plain. XML is parsed with defusedxml, which refuses entity
declarations (no "billion laughs", no external entities). Dates found next
to links (pubDate, updated, lastmod, a listing card's date) let ``since``
skip old items without fetching them; ``parse_date`` reads the forms the
agency's sites use.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from pipeline.crawl.urls import normalise_url


@dataclass(frozen=True)
class Link:
    url: str
    date: date | None = None


class SourceError(ValueError):
    """A feed or sitemap that cannot be read; the message is the reason."""


_ROOTS = {"rss": "feed", "feed": "feed", "RDF": "feed", "urlset": "sitemap",
          "sitemapindex": "sitemapindex"}
_XML_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(rss|feed|RDF|urlset|sitemapindex)[\s>/]")
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html)[\s>]", re.I)


def detect_kind(content_type: str, body: bytes) -> str:
    """'feed', 'sitemap', 'sitemapindex' or 'html'."""
    head = body[:2048]
    html_at = _HTML_ROOT.search(head)
    xml_at = _XML_ROOT.search(head)
    if xml_at and (html_at is None or xml_at.start() < html_at.start()):
        return _ROOTS[xml_at.group(1).decode()]
    if "xml" in content_type and "html" not in content_type and html_at is None:
        return "sitemap"  # an XML type with an unusual root: try it as a sitemap
    return "html"


def gunzip(body: bytes, cap: int) -> bytes:
    """Unpack a .xml.gz sitemap, refusing one that inflates over ``cap``."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, cap + 1)
    except zlib.error as exc:
        raise SourceError(f"bad gzip data ({exc})") from None
    if len(out) > cap or inflater.unconsumed_tail:
        raise SourceError(f"sitemap inflates over the {cap} byte limit")
    return out


def _parse_xml(body: bytes) -> Element:
    try:
        return fromstring(body)
    except DefusedXmlException as exc:
        raise SourceError(f"XML refused: {type(exc).__name__}") from None
    except ParseError as exc:
        raise SourceError(f"malformed XML ({exc})") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: Element, *names: str) -> str | None:
    for child in element:
        if _local(child.tag) in names and child.text and child.text.strip():
            return child.text.strip()
    return None


def parse_feed(body: bytes, base: str) -> list[Link]:
    """Entry links of an RSS 2.0, RSS 1.0 (RDF) or Atom feed, with dates."""
    root = _parse_xml(body)
    links = []
    for element in root.iter():
        name = _local(element.tag)
        if name == "item":
            href = _child_text(element, "link") or _guid_link(element)
            when = _child_text(element, "pubDate", "date", "published", "updated")
        elif name == "entry":
            href = _atom_link(element)
            when = _child_text(element, "published", "updated")
        else:
            continue
        url = normalise_url(href, base=base) if href else None
        if url:
            links.append(Link(url, parse_date(when)))
    return links


def _guid_link(item: Element) -> str | None:
    for child in item:
        if _local(child.tag) == "guid" and child.get("isPermaLink", "true") != "false":
            return (child.text or "").strip() or None
    return None


def _atom_link(entry: Element) -> str | None:
    fallback = None
    for child in entry:
        if _local(child.tag) != "link" or not child.get("href"):
            continue
        if child.get("rel", "alternate") == "alternate":
            return child.get("href")
        fallback = fallback or child.get("href")
    return fallback


def parse_sitemap(body: bytes, base: str) -> tuple[list[Link], list[str]]:
    """A sitemap's page links, or a sitemap index's child sitemaps."""
    root = _parse_xml(body)
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise SourceError(f"not a feed or sitemap (root element <{kind}>)")
    pages: list[Link] = []
    children: list[str] = []
    for element in root:
        loc = _child_text(element, "loc")
        url = normalise_url(loc, base=base) if loc else None
        if not url:
            continue
        if kind == "sitemapindex":
            children.append(url)
        else:
            pages.append(Link(url, parse_date(_child_text(element, "lastmod"))))
    return pages, children


_DATE_FORMATS = (
    "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%A, %B %d, %Y", "%d.%m.%Y",
    "%m/%d/%Y", "%Y/%m/%d",
)
# Month names of the agency's French, Spanish, Italian and German pages.
_MONTHS = {
    name: number
    for names in (
        "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
        "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
        "dicembre",
        "januar februar märz april mai juni juli august september oktober november dezember",
    )
    for number, name in enumerate(names.split(), start=1)
}
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\.?\s+(?:de\s+)?([^\W\d_]+)\s+(?:de\s+)?(\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})")
_SLASHED = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")


def parse_date(text: str | None) -> date | None:
    """A date from ISO, RFC 822 or the listing forms ("19 September 2018",
    "Wed, 09/19/2018 - 11:19"); None when unsure."""
    if not text:
        return None
    text = " ".join(text.split())
    match = _ISO.search(text)
    if match:
        try:
            return date(*(int(g) for g in match.groups()))
        except ValueError:
            return None
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    match = _SLASHED.search(text)  # Drupal 7 aggregator: month/day/year
    if match:
        month, day, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    cleaned = re.sub(r"\s*-\s*\d{1,2}:\d{2}.*$", "", text).strip()
    cleaned = re.sub(r"^(Posted|Published|Date)\s*:?\s*", "", cleaned, flags=re.I)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    match = _DAY_MONTH_YEAR.search(text)
    if match and match.group(2).lower() in _MONTHS:
        try:
            return date(int(match.group(3)), _MONTHS[match.group(2).lower()], int(match.group(1)))
        except ValueError:
            return None
    return None
