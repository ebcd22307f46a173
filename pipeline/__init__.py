"""Press-release pipeline: crawl, clean, extract entities, classify, store."""

__version__ = "0.1.0"
