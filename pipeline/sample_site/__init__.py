"""The sample site: the gold corpus served as the agency's websites, for crawling tests.

``build_site(out_dir)`` renders every gold release in the layouts of the
agency's sites (shared/iom-sites.md), plus hand-written wild pages, into a
directory; ``SampleServer`` serves such a directory on 127.0.0.1 with
conditional GET and injectable faults (``FaultPlan``). See build.py,
server.py and wild/wild.json.
"""

import json
from pathlib import Path
from typing import Any

from .build import build_site

__all__ = ["Fault", "FaultPlan", "SampleServer", "build_site", "sample_sources"]


def sample_sources(site_dir: Path, base_url: str) -> list[str]:
    """The listing pages of every site in a built sample site, as URLs: what
    `run --sample-site` crawls."""
    manifest = json.loads((Path(site_dir) / "manifest.json").read_text(encoding="utf-8"))
    return [base_url.rstrip("/") + path for path in manifest["entries"]["listings"]]


def __getattr__(name: str) -> Any:
    # The server is imported on first use, so `python -m pipeline.sample_site.server`
    # does not find its own module already imported by the package.
    if name in ("Fault", "FaultPlan", "SampleServer"):
        from . import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
