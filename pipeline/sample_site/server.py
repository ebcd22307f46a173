"""A real HTTP server for the sample site, with faults a crawler must survive.

``SampleServer(root)`` serves a directory made by ``build_site`` on
127.0.0.1 (threaded, HTTP/1.1 keep-alive): listing pages by ``?page=N``,
feeds, sitemaps and robots.txt with its own base URL put in place of the
build's placeholder, the Content-Type each file needs (the windows-1252 page
gets a bare ``text/html``), ETag and Last-Modified with conditional GET
(304), the redirects and 404s the build asked for. ``.requests`` logs every
request as (method, path with query, status), status 0 for a reset.

A ``FaultPlan`` makes it misbehave, per path (exact or glob) or at a rate:
latency, 429 with Retry-After, 500 and 503, a connection reset, a body
trickled slowly, a body cut short of its Content-Length. A per-path fault can
be limited to the first N requests of each matching path, so a crawler that
retries gets through. Rate faults are drawn from a hash of (seed, path,
how many times that path was asked for), not from a shared random stream, so
the same crawl meets the same faults whatever the thread interleaving.

``main(argv)`` is ``serve-sample --port N [--faults RATE] [--dir DIR]``.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import shutil
import signal
import socket
import struct
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

from .build import DEFAULT_CRAWL_DELAY, build_site
from .paths import BASE_PLACEHOLDER, ROUTES, WWW, candidates, content_type

FAULT_KINDS = ("latency", "429", "500", "503", "reset", "slow", "truncate")
RATE_KINDS = FAULT_KINDS
DEFAULT_SECONDS = {"latency": 0.5, "slow": 1.0, "429": 1.0, "503": 1.0}
RATE_SECONDS = {"latency": 0.2, "slow": 0.5, "429": 1.0, "503": 1.0}
SLOW_CHUNKS = 10
REASONS = {429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


@dataclass(frozen=True)
class Fault:
    """One misbehaviour. ``seconds``: the delay (latency), the time the body
    takes (slow), or the Retry-After value (429, 503)."""

    kind: str
    seconds: float | None = None
    retry_after_date: bool = False  # Retry-After as an HTTP date, not seconds

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r} (known: {', '.join(FAULT_KINDS)})")

    @property
    def delay(self) -> float:
        return self.seconds if self.seconds is not None else DEFAULT_SECONDS.get(self.kind, 0.0)


@dataclass
class _Rule:
    pattern: str
    fault: Fault
    first: int | None
    counts: Counter = field(default_factory=Counter)

    def matches(self, path: str, target: str) -> bool:
        return fnmatch.fnmatchcase(target, self.pattern) or fnmatch.fnmatchcase(path, self.pattern)


class FaultPlan:
    """Which requests misbehave: rules per path first, then a seeded rate.

    ``rate``: the share of other requests that get a fault of one of
    ``kinds``; ``max_per_path`` caps how many rate faults one path gets, so
    retries always end; ``exempt`` paths (robots.txt by default: a 5xx there
    means "disallow everything" to a polite crawler) never get rate faults.
    """

    def __init__(
        self,
        rate: float = 0.0,
        seed: int = 0,
        kinds: tuple[str, ...] = RATE_KINDS,
        max_per_path: int = 2,
        exempt: tuple[str, ...] = ("/robots.txt",),
    ) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1, not {rate}")
        for kind in kinds:
            Fault(kind)
        self.rate = rate
        self.seed = seed
        self.kinds = tuple(kinds)
        self.max_per_path = max_per_path
        self.exempt = tuple(exempt)
        self.rules: list[_Rule] = []
        self._seen: Counter = Counter()
        self._rate_hits: Counter = Counter()
        self._lock = threading.Lock()

    def add(
        self,
        pattern: str,
        kind: str,
        *,
        first: int | None = None,
        seconds: float | None = None,
        retry_after_date: bool = False,
    ) -> FaultPlan:
        """Fault requests whose path (or path?query) matches ``pattern`` (fnmatch);
        with ``first=N`` only the first N requests of each matching path."""
        self.rules.append(_Rule(pattern, Fault(kind, seconds, retry_after_date), first))
        return self

    def fault_for(self, target: str) -> Fault | None:
        path = urlsplit(target).path
        with self._lock:
            for rule in self.rules:
                if not rule.matches(path, target):
                    continue
                if rule.first is not None and rule.counts[target] >= rule.first:
                    continue
                rule.counts[target] += 1
                return rule.fault
            nth = self._seen[target]
            self._seen[target] += 1
            if not self.rate or any(fnmatch.fnmatchcase(path, p) for p in self.exempt):
                return None
            if self._rate_hits[target] >= self.max_per_path:
                return None
            draw = _unit(f"{self.seed}\x1f{target}\x1f{nth}")
            if draw >= self.rate:
                return None
            self._rate_hits[target] += 1
            kind = self.kinds[int(_unit(f"{self.seed}\x1fkind\x1f{target}\x1f{nth}") * len(self.kinds))]
            return Fault(kind, RATE_SECONDS.get(kind))


def _unit(text: str) -> float:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:13], 16) / 16**13


class RequestLog(NamedTuple):
    method: str
    path: str
    status: int


@dataclass
class _Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class SampleServer:
    """The sample site on 127.0.0.1; a context manager (``with SampleServer(dir) as s``)."""

    def __init__(self, root: Path, faults: FaultPlan | None = None, port: int = 0) -> None:
        self.root = Path(root)
        self.www = self.root / WWW if (self.root / WWW).is_dir() else self.root
        routes = self.root / ROUTES
        self.routes: dict[str, dict] = (
            json.loads(routes.read_text(encoding="utf-8")) if routes.is_file() else {}
        )
        self.faults = faults
        self.port = port
        self.requests: list[RequestLog] = []
        self.faults_applied: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._cache: dict[Path, tuple[bytes, str, str, float]] = {}
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------

    def start(self) -> SampleServer:
        httpd = _QuietServer(("127.0.0.1", self.port), _Handler)
        httpd.daemon_threads = True
        httpd.sample = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self.port = httpd.server_address[1]
        # A short poll interval so stop() returns at once, not after half a second.
        self._thread = threading.Thread(target=httpd.serve_forever, args=(0.05,),
                                        name="sample-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SampleServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def count(self, path: str, method: str | None = None) -> int:
        """How many requests asked for ``path`` (with its query, as logged)."""
        with self._lock:
            return sum(1 for r in self.requests if r.path == path and method in (None, r.method))

    def _log(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.requests.append(RequestLog(method, path, status))

    # -- answering ----------------------------------------------------------

    def _file(self, path: Path) -> tuple[bytes, str, str, float]:
        """Body (base URL in place), ETag, Last-Modified and mtime of a file, cached."""
        with self._lock:
            cached = self._cache.get(path)
        if cached is not None:
            return cached
        body = path.read_bytes().replace(BASE_PLACEHOLDER.encode(), self.base_url.encode())
        mtime = int(path.stat().st_mtime)
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        entry = (body, etag, formatdate(mtime, usegmt=True), float(mtime))
        with self._lock:
            self._cache[path] = entry
        return entry

    def _inside(self, name: str) -> Path | None:
        path = (self.www / name).resolve()
        www = self.www.resolve()
        return path if path.is_relative_to(www) and path.is_file() else None

    def respond(self, target: str, headers: dict[str, str]) -> _Response:
        """The answer to a GET of ``target`` (path?query), faults aside."""
        parts = urlsplit(target)
        path = unquote(parts.path) or "/"
        pages = parse_qs(parts.query).get("page")
        page = 0
        if pages:
            if not pages[0].isdigit():
                return _not_found()
            page = int(pages[0])
        route = self.routes.get(path)
        if route and "location" in route and not page:
            return _redirect(int(route["status"]), route["location"])
        if route and route.get("status") == 404:
            return _not_found()
        if route and "file" in route and not page:
            names, ctype = [route["file"]], route.get("content_type")
        else:
            names, ctype = candidates(path, page), None
        for name in names:
            found = self._inside(name)
            if found is None:
                continue
            body, etag, modified, mtime = self._file(found)
            out = {
                "Content-Type": ctype or content_type(found.name),
                "ETag": etag,
                "Last-Modified": modified,
                "Cache-Control": "max-age=60",
            }
            if _not_modified(headers, etag, mtime):
                return _Response(304, b"", out)
            return _Response(200, body, out)
        return _not_found()


def _not_modified(headers: dict[str, str], etag: str, mtime: float) -> bool:
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    ims = headers.get("if-modified-since")
    if ims:
        try:
            return mtime <= parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError):
            return False
    return False


def _not_found() -> _Response:
    body = b"<!DOCTYPE html><html><head><title>Page not found</title></head><body>" \
           b"<h1>Page not found</h1><p>The requested page could not be found.</p></body></html>"
    return _Response(404, body, {"Content-Type": "text/html; charset=utf-8"})


def _redirect(status: int, location: str) -> _Response:
    body = f'<html><body>Moved to <a href="{location}">{location}</a></body></html>'.encode()
    return _Response(status, body, {"Location": location, "Content-Type": "text/html; charset=utf-8"})


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        # A client that drops the connection (or our injected resets) is not news.
        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SampleSite/1.0"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm
        # and the client's delayed ACK add 40 ms to every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # the server keeps its own log (SampleServer.requests)

    @property
    def sample(self) -> SampleServer:
        return self.server.sample  # type: ignore[attr-defined]

    def do_GET(self) -> None:  # noqa: N802
        self._answer(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        sample, target = self.sample, self.path
        fault = sample.faults.fault_for(target) if sample.faults else None
        if fault is not None:
            with sample._lock:
                sample.faults_applied.append((target, fault.kind))
            if fault.kind == "latency":
                time.sleep(fault.delay)
            elif fault.kind in ("429", "500", "503"):
                return self._error(int(fault.kind), fault, send_body)
            elif fault.kind == "reset":
                return self._reset()
        try:
            response = sample.respond(target, {k.lower(): v for k, v in self.headers.items()})
        except Exception as exc:  # a bug here must show as a 500, not a dropped connection
            response = _Response(500, f"server error: {exc}".encode(),
                                 {"Content-Type": "text/plain; charset=utf-8"})
        sample._log(self.command, target, response.status)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if not send_body or not response.body:
            return
        try:
            if fault is not None and fault.kind == "truncate":
                self.wfile.write(response.body[: len(response.body) // 2])
                self.close_connection = True
            elif fault is not None and fault.kind == "slow":
                self._trickle(response.body, fault.delay)
            else:
                self.wfile.write(response.body)
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _error(self, status: int, fault: Fault, send_body: bool) -> None:
        self.sample._log(self.command, self.path, status)
        body = f"{status} {REASONS[status]}\n".encode()
        self.send_response(status)
        if status in (429, 503):
            if fault.retry_after_date:
                value = formatdate(time.time() + fault.delay, usegmt=True)
            else:
                value = str(max(0, round(fault.delay)))
            self.send_header("Retry-After", value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _reset(self) -> None:
        """Close with a TCP RST before any byte of the answer (SO_LINGER 0)."""
        self.sample._log(self.command, self.path, 0)
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _trickle(self, body: bytes, seconds: float) -> None:
        size = max(1, -(-len(body) // SLOW_CHUNKS))
        for start in range(0, len(body), size):
            self.wfile.write(body[start:start + size])
            self.wfile.flush()
            if start + size < len(body):
                time.sleep(seconds / SLOW_CHUNKS)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """``serve-sample --port N [--faults RATE] [--dir DIR]``: serve until Ctrl-C."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["serve-sample"]:
        args_in = args_in[1:]
    parser = argparse.ArgumentParser(prog="serve-sample",
                                     description="Serve the sample site on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8000, help="port (0: any free one)")
    parser.add_argument("--faults", type=float, default=0.0, metavar="RATE",
                        help="share of requests that get a random fault (0-1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault draws")
    parser.add_argument("--dir", type=Path, default=None,
                        help="a built site (default: build one into a temporary directory)")
    parser.add_argument("--crawl-delay", type=float, default=None,
                        help="Crawl-delay for robots.txt when building")
    args = parser.parse_args(args_in)
    if not 0.0 <= args.faults <= 1.0:
        parser.error("--faults must be between 0 and 1")
    temp: str | None = None
    root = args.dir
    if root is None:
        temp = tempfile.mkdtemp(prefix="sample-site-")
        root = Path(temp)
        delay = DEFAULT_CRAWL_DELAY if args.crawl_delay is None else args.crawl_delay
        build_site(root, crawl_delay=delay)
    elif not root.is_dir():
        parser.error(f"--dir {root}: no such directory")
    plan = FaultPlan(rate=args.faults, seed=args.seed) if args.faults else None
    try:
        server = SampleServer(root, faults=plan, port=args.port).start()
    except OSError as exc:
        print(f"serve-sample: cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 2
    print(server.base_url, flush=True)
    # A parent that stops us with SIGTERM gets the same clean stop as Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        if temp:
            shutil.rmtree(temp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
