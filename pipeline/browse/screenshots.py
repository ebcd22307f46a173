"""``make screenshots``: pictures of the browse pages and the report for the README.

Serves the store with ``python -m pipeline browse`` on a free 127.0.0.1 port
and has headless Chromium (Debian's ``chromium``) photograph a search, a
release page, a canned query and ``out/report.html`` into ``docs/*.png``,
1280 pixels wide. Usage: ``python -m pipeline.browse.screenshots [--db PATH]
[--report PATH] [--out DIR] [--query WORDS]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

import httpx
from datasette.utils import tilde_encode

from pipeline.browse import DATABASE, running

ROOT = Path(__file__).resolve().parents[2]
WIDTH = 1280


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return name
    raise SystemExit("no chromium on PATH: apt-get install -y chromium")


def shoot(url: str, path: Path, height: int) -> Path:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", f"--user-data-dir={profile}",
                        f"--window-size={WIDTH},{height}", f"--screenshot={path}", url],
                       check=True, capture_output=True, timeout=120)
    print(f"{path}  <-  {url}")
    return path


def _release_to_show(client: httpx.Client) -> str:
    """A release naming a ministry, an official and a sum: a page with every category."""
    sql = ("SELECT id FROM records WHERE json_array_length(record, '$.ministries') > 0 "
           "AND json_array_length(record, '$.officials') > 0 "
           "AND json_array_length(record, '$.amounts') > 0 ORDER BY length(record) LIMIT 1")
    rows = client.get(f"/{DATABASE}.json", params={"sql": sql, "_shape": "array"}).json()
    if not rows:
        rows = client.get(f"/{DATABASE}.json", params={
            "sql": "SELECT id FROM records LIMIT 1", "_shape": "array"}).json()
    return rows[0]["id"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=Path("out/pipeline.db"))
    ap.add_argument("--report", type=Path, default=Path("out/report.html"))
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    ap.add_argument("--query", default="trafficking", help="the search to photograph")
    args = ap.parse_args(argv)
    if not args.db.exists():
        raise SystemExit(f"{args.db}: no store; run `make run` first")
    args.out.mkdir(parents=True, exist_ok=True)
    with running(args.db) as client:
        base = str(client.base_url).rstrip("/")
        release = _release_to_show(client)
        client.get(f"/{DATABASE}/releases/{tilde_encode(release)}")  # loads spaCy once, before the shot
        shoot(f"{base}/{DATABASE}/archive?" + urlencode({"_search": args.query}),
              args.out / "browse-search.png", 1500)
        shoot(f"{base}/{DATABASE}/releases/{tilde_encode(release)}", args.out / "browse-release.png", 1500)
        shoot(f"{base}/{DATABASE}/officials_by_country", args.out / "browse-canned-query.png", 900)
        if args.report.exists():
            shoot(args.report.resolve().as_uri(), args.out / "report.png", 1400)
        else:
            print(f"{args.report}: no report; run `make run` first", file=sys.stderr)
    print(json.dumps({"release": release}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
