"""How URL paths of the sample site map to files, shared by the builder and the server.

A built site is a directory holding ``www/`` (the files served),
``routes.json`` (paths whose answer is not a plain file: redirects, a 404
kept on purpose, feeds without an extension, a page served without a
charset) and ``manifest.json`` (what a test needs to know about it).

Scheme: ``/a/b`` is ``www/a/b.html`` (else ``www/a/b/index.html``);
``/a/b?page=N`` is ``www/a/b.page-N.html`` (``page=0`` is the first page);
a path whose last segment has a dot (``/robots.txt``, ``/global/rss.xml``)
is that file. Feeds, sitemaps and robots.txt must hold absolute URLs, but the
server's port is only known when it starts, so they are written with
``BASE_PLACEHOLDER`` and the server puts its own base URL in its place.
"""

from __future__ import annotations

BASE_PLACEHOLDER = "http://sample-site.invalid"
WWW = "www"
ROUTES = "routes.json"
MANIFEST = "manifest.json"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".gif": "image/gif",
}
RSS_TYPE = "application/rss+xml; charset=utf-8"


def file_for(path: str, page: int = 0) -> str:
    """The file (relative to ``www/``) that holds ``path`` (and its ``?page=``)."""
    clean = path.strip("/")
    if not clean:
        return "index.html"
    if "." in clean.rsplit("/", 1)[-1]:
        return clean
    return f"{clean}.page-{page}.html" if page else f"{clean}.html"


def candidates(path: str, page: int = 0) -> list[str]:
    """Files to try for a request, in order (a directory's index.html last)."""
    first = file_for(path, page)
    clean = path.strip("/")
    if page or not clean or first == clean:
        return [first]
    return [first, f"{clean}/index.html"]


def content_type(file_name: str) -> str:
    suffix = "." + file_name.rsplit(".", 1)[-1] if "." in file_name else ""
    return CONTENT_TYPES.get(suffix, "application/octet-stream")
