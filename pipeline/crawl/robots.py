"""robots.txt: may this URL be fetched, and how slowly?

Allow and Disallow are read by the standard library's ``RobotFileParser``;
Crawl-delay is read here because the standard parser accepts whole seconds
only and sites write "Crawl-delay: 0.5". Per RFC 9309 a missing robots.txt
(any 4xx) allows everything, and one that cannot be had (5xx or network
errors after the retries) disallows the whole host, so a struggling server
is left alone; that case is reported once as a failure.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from pipeline.crawl.fetcher import HTML_TYPES, TEXT_TYPES, Fetcher, FetchError
from pipeline.crawl.urls import host_key


@dataclass
class HostRules:
    parser: RobotFileParser
    failure: str | None = None  # why robots.txt could not be read


def crawl_delay(text: str, agent_token: str) -> float | None:
    """The Crawl-delay of the group for ``agent_token``, else of ``*``."""
    token = agent_token.lower()
    delays: dict[str, float] = {}
    agents: list[str] = []
    in_rules = False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if in_rules:
                agents, in_rules = [], False
            agents.append(value.lower())
        elif key == "crawl-delay":
            in_rules = True
            try:
                seconds = float(value)
            except ValueError:
                continue
            if not 0 <= seconds < math.inf:  # "inf" and "nan" parse, and would stall the host
                continue
            for agent in agents:
                delays.setdefault(agent, seconds)
        elif key in ("allow", "disallow"):
            in_rules = True
    for agent, seconds in delays.items():
        if agent != "*" and agent in token:
            return seconds
    return delays.get("*")


class RobotsRules:
    """robots.txt of each origin, fetched once through the polite fetcher."""

    def __init__(self, fetcher: Fetcher, user_agent: str):
        self.fetcher = fetcher
        self._token = user_agent.split("/")[0]
        self._rules: dict[str, HostRules] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def rules(self, url: str) -> HostRules:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._guard:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:
            if origin not in self._rules:
                self._rules[origin] = self._load(origin)
            return self._rules[origin]

    def _load(self, origin: str) -> HostRules:
        parser = RobotFileParser(origin + "/robots.txt")
        try:
            # Some servers send robots.txt as text/html; the rules read the same.
            response = self.fetcher.fetch(origin + "/robots.txt", accept=TEXT_TYPES + HTML_TYPES)
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                parser.allow_all = True
                return HostRules(parser)
            parser.disallow_all = True
            return HostRules(parser, failure=f"robots.txt unreadable, host skipped: {exc.reason}")
        text = response.text()
        parser.parse(text.splitlines())
        parser.modified()  # can_fetch answers False until it is told the file was read
        delay = crawl_delay(text, self._token)
        if delay:
            self.fetcher.set_host_delay(host_key(origin), delay)
        return HostRules(parser)
