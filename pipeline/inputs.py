"""Files as input to ``process --input``: which files, and the releases in them.

``input_files`` expands what the user named (files, directories searched
recursively for the input types, glob patterns) into a sorted list, or a
one-line ``InputError``. ``read_releases`` streams the releases of those
files with the id the contract gives each, and keeps memory and time
bounded whatever a file holds: a file over its size cap is never read (its
record says why, at once), a JSONL file is read a line at a time with each
line capped, and a file that cannot be read fails alone. A file read
before and unchanged since is not cleaned again (its releases come back
from the store).

The caps follow ``--max-chars`` (the longest text the pipeline reads, 1,000,000
characters by default): a text file may hold at most 4 bytes a character
(UTF-8), an HTML page ``HTML_BYTES_PER_CHAR`` bytes of markup a character of
text. The cleaned text is checked against ``max_chars`` again by the batch.
"""

from __future__ import annotations

import glob
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.records import Page, Release

if TYPE_CHECKING:
    from pipeline.store import Store

INPUT_TYPES = (".txt", ".html", ".htm", ".jsonl")
TEXT_BYTES_PER_CHAR = 4
HTML_BYTES_PER_CHAR = 5


class InputError(Exception):
    """A named input that is no usable file: one line for the user."""


def input_files(names: list[str | Path]) -> list[Path]:
    """Every input file the names stand for, each once, in the order named."""
    out: list[Path] = []
    for name in map(str, names):
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in INPUT_TYPES
                           and p.is_file() and not any(part.startswith(".")
                                                       for part in p.relative_to(path).parts))
            if not found:
                raise InputError(f"{name}: no {'/'.join(INPUT_TYPES)} files in this directory")
        elif path.is_file():
            if path.suffix.lower() not in INPUT_TYPES:
                raise InputError(f"{name}: unsupported input type {path.suffix!r} "
                                 f"({', '.join(INPUT_TYPES)})")
            found = [path]
        elif glob.has_magic(name):
            found = sorted(Path(p) for p in glob.glob(name, recursive=True)
                           if Path(p).is_file() and Path(p).suffix.lower() in INPUT_TYPES)
            if not found:
                raise InputError(f"{name}: the pattern matches no {'/'.join(INPUT_TYPES)} file")
        else:
            raise InputError(f"{name}: no such file or directory")
        out += [p for p in found if p not in out]
    return out


def read_releases(paths: list[Path], max_chars: int, profile_name: str | None = None,
                  store: Store | None = None, clean_key: str = "") -> Iterator[Release]:
    """The releases of the files, in order; a file that fails gives one
    release holding its error (no text), and the others go on.

    With a ``store``, a file whose bytes, cap, site profile and cleaning code
    (``clean_key``) are those of its last reading is not cleaned again: its
    releases are read back from the store.
    """
    from pipeline.sites import get_profile

    profile = get_profile(profile_name) if profile_name else None
    for path in paths:
        key = where = None
        if store is not None:
            try:
                where = str(path.resolve())
                key = _input_key(path, max_chars, profile_name, clean_key)
            except OSError:
                key = None  # unreadable: read below, where the failure is named
            stored = store.input_releases(where, key) if key else None
            if stored is not None:
                yield from stored
                continue
        gave: list[tuple[str, str]] = []
        try:
            for release in _releases_in(path, profile, max_chars):
                gave.append((release.id, release.content_hash))
                yield release
        except (OSError, ValueError) as exc:  # this file fails alone, named; the batch goes on
            yield Release(id=path.stem, title="", body="",
                          errors=[f"{path}: cannot read: {type(exc).__name__}: {exc}"])
            continue
        if key:
            store.remember_input(where, key, gave)


def _input_key(path: Path, max_chars: int, profile_name: str | None, clean_key: str) -> str:
    """sha256 of what a file's releases are made from (read in blocks, at most
    one block past the file's cap: an oversized file is hashed by its size)."""
    h = hashlib.sha256(f"{max_chars}|{profile_name}|{clean_key}|".encode())
    cap = HTML_BYTES_PER_CHAR * max_chars if path.suffix.lower() != ".jsonl" else None
    size = path.stat().st_size
    if cap is not None and size > cap:
        h.update(f"over the cap: {size}".encode())
        return h.hexdigest()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _capped(path: Path, cap: int, what: str) -> bytes | Release:
    """The file's bytes, or a release naming why it is not read (over ``cap``)."""
    size = path.stat().st_size
    if size > cap:
        return Release(id=path.stem, title="", body="", errors=[
            f"{path}: {size:,} bytes, over the cap of {cap:,} bytes for {what} "
            "(--max-chars); not read"])
    with open(path, "rb") as fh:
        data = fh.read(cap + 1)  # a file that grew since stat is still capped
    if len(data) > cap:
        return Release(id=path.stem, title="", body="", errors=[
            f"{path}: over the cap of {cap:,} bytes for {what} (--max-chars); not read"])
    return data


def _releases_in(path: Path, profile, max_chars: int) -> Iterator[Release]:
    """The releases of one input file."""
    from pipeline.clean import clean_page, clean_text, decode_html

    suffix = path.suffix.lower()
    if suffix == ".txt":
        data = _capped(path, TEXT_BYTES_PER_CHAR * max_chars, "a text file")
        if isinstance(data, Release):
            yield data
            return
        text = data.decode("utf-8", errors="replace")
        # As reading in text mode would: every line ending a newline.
        yield clean_text(text.replace("\r\n", "\n").replace("\r", "\n"), path.stem)
    elif suffix in (".html", ".htm"):
        data = _capped(path, HTML_BYTES_PER_CHAR * max_chars, "an HTML page")
        if isinstance(data, Release):
            yield data
            return
        page = Page(url=path.resolve().as_uri(), fetched_at="", status=200,
                    html=decode_html(data, None))
        releases = clean_page(page, profile)
        for i, rel in enumerate(releases):
            rel.id = path.stem if len(releases) == 1 else f"{path.stem}#{i + 1}"
            rel.url = None if rel.url and rel.url.startswith("file:") else rel.url
            yield rel
    elif suffix == ".jsonl":
        yield from _jsonl_releases(path, profile, HTML_BYTES_PER_CHAR * max_chars)


def _jsonl_lines(path: Path, cap: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) of a JSONL file, read a line at a time; None for a
    line over ``cap`` bytes (skipped without being held)."""
    with open(path, "rb") as fh:
        lineno = 0
        while True:
            line = fh.readline(cap + 1)
            if not line:
                return
            lineno += 1
            if len(line) > cap and not line.endswith(b"\n"):
                while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass
                yield lineno, None
            else:
                yield lineno, line


def _jsonl_releases(path: Path, profile, cap: int) -> Iterator[Release]:
    from pipeline.clean import clean_page, clean_text
    from pipeline.clean.text import normalize

    for lineno, raw in _jsonl_lines(path, cap):
        where = f"{path}:{lineno}"
        if raw is None:
            yield Release(id=where, title="", body="", errors=[
                f"{where}: a line over the cap of {cap:,} bytes (--max-chars); not read"])
            continue
        line = raw.decode("utf-8")  # invalid UTF-8 fails the file, named (read_releases)
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Release(id=where, title="", body="", errors=[f"{where}: not JSON ({exc.msg})"])
            continue
        if not isinstance(obj, dict) or not all(
                isinstance(obj.get(k, ""), str) for k in ("title", "text", "html", "url")):
            yield Release(id=where, title="", body="", errors=[
                f"{where}: a line must be an object with string fields"])
            continue
        rid = str(obj.get("id") or where)
        if "html" in obj:
            page = Page(url=obj.get("url") or "", fetched_at="", status=200, html=obj["html"])
            for i, rel in enumerate(clean_page(page, profile)):
                rel.id = rid if i == 0 else f"{rid}#{i + 1}"
                yield rel
        elif "text" in obj:
            rel = clean_text(f"{obj.get('title', '')}\n\n{obj['text']}", rid, url=obj.get("url"))
            if obj.get("title"):
                rel.title = " ".join(normalize(obj["title"]).split())
            yield rel
        else:
            yield Release(id=rid, title=str(obj.get("title") or ""), body="",
                          errors=[f"{where}: a line needs 'text' or 'html'"])
