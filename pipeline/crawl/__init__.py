"""Crawling: from listing pages, feeds and sitemaps to stored raw pages.

``crawl(sources, store, settings)`` is the whole public surface; the
modules beside it hold one concern each (urls, safety, politeness, robots,
fetcher, sources, listings, crawler).
"""

from pipeline.crawl.crawler import crawl
from pipeline.crawl.settings import USER_AGENT, CrawlSettings, CrawlSummary

__all__ = ["USER_AGENT", "CrawlSettings", "CrawlSummary", "crawl"]
