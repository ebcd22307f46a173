"""Bytes to text for fetched pages: the declared charset, else a detected one.

Old agency pages are often windows-1252 served without a charset in the
Content-Type header. The order follows what browsers do, cheapest and
surest first: a byte-order mark, the header's charset, a ``<meta>``
charset in the first bytes, strict UTF-8, and only then charset-normalizer's
guess. ISO-8859-1 and ASCII labels are read as windows-1252, as the WHATWG
encoding standard says, because pages that claim Latin-1 use its curly
quotes. A label that names no text encoding ("base64", "undefined") is
passed over, and a ``<meta>`` that claims UTF-16 is read as UTF-8 (the
standard again: a page whose bytes spell out that tag is not UTF-16).
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_TIE = 0.01
_AS_WINDOWS_1252 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii",
                    "cp819", "iso_8859-1"}
_UTF_16 = {"utf-16", "utf-16-le", "utf-16-be"}


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    if label in _AS_WINDOWS_1252:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return _codec(match.group(1)) if match else None


def decode_html(raw: bytes, content_type: str | None = None) -> str:
    """The page as text. Never raises: undecodable bytes become U+FFFD."""
    if not raw:
        return ""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return raw.decode(codec, errors="replace")
    declared = _decode(raw, charset_from_content_type(content_type))
    if declared is not None:
        return declared
    meta = _META_CHARSET.search(raw[:4096])
    if meta:
        codec = _codec(meta.group(1).decode("ascii", errors="ignore"))
        in_meta = _decode(raw, "utf-8" if codec in _UTF_16 else codec)
        if in_meta is not None:
            return in_meta
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _guess(raw)


def _decode(raw: bytes, codec: str | None) -> str | None:
    if not codec:
        return None
    try:
        return raw.decode(codec, errors="replace")
    except (LookupError, UnicodeError):  # a codec that is no text encoding
        return None


def _guess(raw: bytes) -> str:
    # charset-normalizer often ranks cp1250 and cp1252 equal on Western
    # text (same bytes for most letters); the agency's old pages are
    # Western European, so windows-1252 wins a tie.
    matches = list(from_bytes(raw))
    if not matches:
        return raw.decode("cp1252", errors="replace")
    best = matches[0]
    for match in matches:
        if (
            "cp1252" in match.could_be_from_charset
            and match.chaos <= best.chaos + _TIE
            and match.coherence >= best.coherence - _TIE
        ):
            return raw.decode("cp1252", errors="replace")
    return str(best)
