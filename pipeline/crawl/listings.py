"""Listing pages: the release links on one page of a news listing, and the next page.

A site profile (pipeline/sites) names the card and link selectors of its
listings; the profile is the one named by the user, else the one
``profile_for`` picks, else whichever profile's selectors find cards here.
When none does, a generic fallback takes links whose path looks like one
release (``/news/<slug>``, ``/press-release…``) on the listing's own host,
from the main content only: menus, headers, footers and pagers are removed
first, since they link to evergreen pages and to other listings. Release
links to other hosts are not followed, but counted (``offsite``), so the
crawl summary says how many were skipped.
Pagination follows a rel=next or pager "next" link, then a numbered pager
link to ``?page=N+1``, and guesses ``?page=N+1`` only when a profile says
how many cards a full page holds and this page is full.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag

from pipeline.crawl.sources import Link, parse_date
from pipeline.crawl.urls import host_key, normalise_url, query_value, with_query
from pipeline.sites import SiteProfile, load_profiles, profile_for

_CHROME = (
    "nav, header, footer, aside, [role=navigation], [role=banner], [role=contentinfo], "
    "[role=complementary], .menu, .breadcrumb, .breadcrumbs, .pager, .pagination, "
    ".share, .social-share, .related-news, #header, #footer, #navigation"
)
_MAIN = ("main", "[role=main]", "#main-content", "#content", ".main-content")
_NEXT = (
    "link[rel~=next]", "a[rel~=next]", "li.pager__item--next a", "li.pager-next a",
    "a.pager__link--next", ".pager .next a", ".pagination .next a",
)
_DATE_NEAR = "time[datetime], .date, .field--name-created, span.date-display-single"


@dataclass
class ListingPage:
    links: list[Link] = field(default_factory=list)
    next_url: str | None = None
    next_guessed: bool = False  # built from ?page=N+1, not linked from the page
    profile: str | None = None  # None: the generic fallback found the links
    holds_releases: bool = False  # an aggregator page: the releases are on it, links not followed
    looks_like_article: bool = False  # no listing, but one release's page
    offsite: list[str] = field(default_factory=list)  # release-shaped links to other hosts, skipped


def parse_listing(
    html: str, url: str, profile_name: str | None, is_article: Callable[[str], bool]
) -> ListingPage:
    soup = BeautifulSoup(html, "lxml")
    chosen = profile_for(url, soup, profile_name)
    candidates = [chosen] if chosen else []
    if not profile_name:
        candidates += [p for p in load_profiles() if p is not chosen]
    page = ListingPage()
    for profile in candidates:
        links = _profile_links(soup, url, profile)
        if links:
            page.links, page.profile = links, profile.name
            page.holds_releases = _holds_releases(soup, profile)
            break
    page.next_url, page.next_guessed = _next_page(soup, url, len(page.links),
                                                  candidates, page.profile)
    if page.profile is None:
        page.links, page.offsite = _generic_links(soup, url, is_article)
        if not page.links:
            page.looks_like_article = _looks_like_article(soup, candidates)
    return page


def _profile_links(soup: BeautifulSoup, url: str, profile: SiteProfile) -> list[Link]:
    item_sel, link_sel = profile.listing.get("item"), profile.listing.get("link")
    if not item_sel or not link_sel:
        return []
    links, seen = [], set()
    for item in soup.select(item_sel):
        anchor = item.select_one(link_sel)
        target = normalise_url(anchor.get("href", ""), base=url) if anchor else None
        if not target or target in seen:
            continue
        seen.add(target)
        date_el = item.select_one(profile.listing["date"]) if profile.listing.get("date") else None
        links.append(Link(target, _date_of(date_el)))
    return links


def _holds_releases(soup: BeautifulSoup, profile: SiteProfile) -> bool:
    """An aggregator page: its cards carry whole release bodies, not teasers."""
    items, body = profile.article.get("items"), profile.article.get("body")
    return bool(items and body and soup.select_one(f"{items} :is({body})") is not None)


def _date_of(element: Tag | None):
    if element is None:
        return None
    return parse_date(element.get("datetime") or element.get_text(" ", strip=True))


def _generic_links(soup: BeautifulSoup, url: str,
                   is_article: Callable[[str], bool]) -> tuple[list[Link], list[str]]:
    """Release links on the listing's own host, and those on other hosts (not followed)."""
    for chrome in soup.select(_CHROME):
        chrome.decompose()
    root = next((el for el in (soup.select_one(s) for s in _MAIN) if el is not None), None)
    root = root or soup.body or soup
    own_host = host_key(url)
    links, offsite, seen = [], [], {normalise_url(url)}
    for anchor in root.select("a[href]"):
        target = normalise_url(anchor["href"], base=url)
        if not target or target in seen or not is_article(target):
            continue
        seen.add(target)
        if host_key(target) != own_host:
            offsite.append(target)
            continue
        links.append(Link(target, _card_date(anchor, is_article, url)))
    return links, offsite


def _card_date(anchor: Tag, is_article: Callable[[str], bool], base: str):
    """The date in the smallest enclosing block that holds this one release link."""
    block = anchor.parent
    for _ in range(4):
        if block is None or block.name in ("main", "body"):
            return None
        targets = {normalise_url(a["href"], base=base) for a in block.select("a[href]")}
        if len({t for t in targets if t and is_article(t)}) > 1:
            return None
        found = block.select_one(_DATE_NEAR)
        if found is not None:
            return _date_of(found)
        block = block.parent
    return None


def _next_page(
    soup: BeautifulSoup, url: str, found: int, candidates: list[SiteProfile], used: str | None
) -> tuple[str | None, bool]:
    for selector in _NEXT:
        element = soup.select_one(selector)
        target = normalise_url(element.get("href", ""), base=url) if element else None
        if target and target != normalise_url(url):
            return target, False
    profile = next((p for p in candidates if p.name == used), None)
    param = profile.listing.get("page_param", "page") if profile else "page"
    current = query_value(url, param)
    number = int(current) if current and current.isdigit() else 0
    wanted = normalise_url(with_query(url, param, str(number + 1)))
    for anchor in soup.select("a[href]"):
        if normalise_url(anchor["href"], base=url) == wanted:
            return wanted, False
    per_page = profile.listing.get("per_page") if profile else None
    if per_page and found >= per_page:
        return wanted, True
    return None, False


def _looks_like_article(soup: BeautifulSoup, candidates: list[SiteProfile]) -> bool:
    if soup.select_one('meta[property="og:type"][content="article"]') is not None:
        return True
    return any(
        p.article.get("body") and soup.select_one(p.article["body"]) is not None
        for p in candidates
    )
