"""One polite, bounded HTTP GET: the only place the crawler touches the network.

``Fetcher.fetch`` paces each request per host, follows at most
``max_redirects`` redirects and checks every hop against the allowlist,
refuses bodies of the wrong type or over the size cap while streaming, and
retries what may pass (timeouts, resets, truncated bodies, 429, 5xx) with
exponential back-off and jitter, honouring Retry-After. What it cannot get
ends as a ``FetchError`` whose ``reason`` is one line a person can act on,
such as "429 Too Many Requests after 4 tries".
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from pipeline.clean import decode_html
from pipeline.crawl.politeness import HostThrottle
from pipeline.crawl.safety import Allowlist
from pipeline.crawl.settings import CrawlSettings
from pipeline.crawl.urls import host_key, normalise_url

HTML_TYPES = ("text/html", "application/xhtml+xml")
XML_TYPES = (
    "application/xml", "text/xml", "application/rss+xml", "application/atom+xml",
    "application/rdf+xml",
)
# Sitemaps are often served as .xml.gz files; sources.py unpacks them.
GZIP_TYPES = ("application/gzip", "application/x-gzip")
TEXT_TYPES = ("text/plain",)

_REDIRECTS = {301, 302, 303, 307, 308}


class FetchError(Exception):
    """A page that could not be had; ``reason`` says why in one line."""

    def __init__(self, reason: str, status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status


class KnownRedirect(Exception):
    """A redirect to a page the caller already has or has queued: not followed."""

    def __init__(self, target: str):
        super().__init__(target)
        self.target = target


class _Retry(Exception):
    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass
class Response:
    url: str
    final_url: str
    status: int  # 200, or 304 to a conditional GET
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    tries: int = 1

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def text(self) -> str:
        """The body as text: declared charset, BOM, <meta>, UTF-8, then a guess."""
        return decode_html(self.body, self.headers.get("content-type"))


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds to wait: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Fetcher:
    def __init__(
        self,
        client: httpx.Client,
        settings: CrawlSettings,
        allowlist: Allowlist,
        throttle: HostThrottle,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ):
        self.client = client
        self.settings = settings
        self.allowlist = allowlist
        self.throttle = throttle
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._delays: dict[str, float] = {}

    def set_host_delay(self, host: str, seconds: float) -> None:
        """A host's own Crawl-delay; the larger of it and min_delay applies."""
        self._delays[host] = seconds
        # robots.txt itself was asked for at min_delay pace; the next request waits too.
        self.throttle.defer(host, seconds)

    def host_delay(self, host: str) -> float:
        return max(self.settings.min_delay, self._delays.get(host, 0.0))

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Seconds before try ``attempt + 1``: doubling, with jitter, at least Retry-After."""
        base = min(self.settings.max_backoff, self.settings.backoff * 2 ** (attempt - 1))
        delay = base / 2 + self._rng.uniform(0, base / 2)
        return max(delay, retry_after or 0.0)

    def fetch(
        self,
        url: str,
        accept: tuple[str, ...] = HTML_TYPES,
        validators: dict[str, str] | None = None,
        known: Callable[[str], bool] | None = None,
    ) -> Response:
        """GET ``url``; ``known(target)`` true stops a redirect with ``KnownRedirect``."""
        tries = self.settings.retries + 1
        for attempt in range(1, tries + 1):
            try:
                response = self._fetch_once(url, accept, validators or {}, known)
                response.tries = attempt
                return response
            except _Retry as exc:
                if attempt == tries:
                    raise FetchError(f"{exc.reason} after {tries} tries") from None
                if exc.retry_after is not None and exc.retry_after > self.settings.max_retry_after:
                    raise FetchError(
                        f"{exc.reason}: Retry-After {exc.retry_after:.0f} s is over the "
                        f"{self.settings.max_retry_after:.0f} s limit"
                    ) from None
                delay = self.backoff(attempt, exc.retry_after)
                if exc.retry_after is not None:
                    # The server asked the whole host to slow down, not this request.
                    self.throttle.defer(host_key(url), delay)
                self._sleep(delay)
        raise AssertionError("unreachable")

    def _fetch_once(self, url: str, accept: tuple[str, ...], validators: dict[str, str],
                    known: Callable[[str], bool] | None) -> Response:
        headers = {"User-Agent": self.settings.user_agent}
        if "etag" in validators:
            headers["If-None-Match"] = validators["etag"]
        if "last-modified" in validators:
            headers["If-Modified-Since"] = validators["last-modified"]
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            host = host_key(current)
            self.throttle.wait(host, self.host_delay(host))
            try:
                with self.client.stream("GET", current, headers=headers) as r:
                    if r.status_code in _REDIRECTS and "location" in r.headers:
                        target = normalise_url(r.headers["location"], base=current)
                        if target is None:
                            raise FetchError(f"redirect to unusable location "
                                             f"{r.headers['location'][:80]!r}", r.status_code)
                        refusal = self.allowlist.refusal(target, "redirect")
                        if refusal:
                            raise FetchError(refusal, r.status_code)
                        if known is not None and known(target):
                            raise KnownRedirect(target)
                        current = target
                        continue
                    return self._read(url, current, r, accept, bool(validators))
            except httpx.TimeoutException:
                raise _Retry("timed out") from None
            except httpx.RemoteProtocolError as exc:
                raise _Retry(_protocol_reason(exc)) from None
            except httpx.ReadError:
                raise _Retry("connection reset") from None
            except httpx.ConnectError as exc:
                raise _Retry(f"connection failed ({exc})") from None
            except httpx.TransportError as exc:
                raise _Retry(f"network error ({type(exc).__name__})") from None
        raise FetchError(f"more than {self.settings.max_redirects} redirects")

    def _read(
        self, url: str, final_url: str, r: httpx.Response, accept: tuple[str, ...],
        conditional: bool,
    ) -> Response:
        status = r.status_code
        response = Response(url, final_url, status, {k.lower(): v for k, v in r.headers.items()})
        if status == 304 and conditional:
            return response
        if status == 429 or status == 503:
            raise _Retry(f"{status} {r.reason_phrase}", retry_after_seconds(r.headers.get("retry-after")))
        if status >= 500:
            raise _Retry(f"{status} {r.reason_phrase}")
        if status != 200:
            raise FetchError(f"{status} {r.reason_phrase}", status)
        if response.content_type and response.content_type not in accept:
            raise FetchError(f"content type {response.content_type} not crawled", status)
        cap = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(f"body of {int(declared)} bytes is over the {cap} byte limit", status)
        deadline = time.monotonic() + self.settings.total_timeout
        chunks: list[bytes] = []
        size = 0
        for chunk in r.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise FetchError(f"body is over the {cap} byte limit", status)
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise _Retry(f"body not received within {self.settings.total_timeout:g} s")
        if declared.isdigit() and r.num_bytes_downloaded != int(declared):
            raise _Retry(f"truncated body (got {r.num_bytes_downloaded} of {declared} bytes)")
        response.body = b"".join(chunks)
        return response


def _protocol_reason(exc: httpx.RemoteProtocolError) -> str:
    text = str(exc)
    if "incomplete" in text or "complete message body" in text:
        return "truncated body (connection closed early)"
    if "without sending" in text or "disconnected" in text:
        return "connection reset"
    return f"protocol error ({text[:60]})"
