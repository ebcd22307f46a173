"""``python -m pipeline browse``: the store in a browser, served by Datasette.

Datasette does the exploring (tables, search, facets, JSON, canned queries);
this package only configures it: ``metadata.yaml`` (facets, the search
index, canned queries, the correction form), ``templates/`` (a release's
page) and ``plugins/`` (the release page's marked text, links from ids).
The store is served as the database ``archive`` whatever its file name, on
127.0.0.1 only. Before serving, the store is opened once as a ``Store`` so
that its migrations (search index, review checks, archive view) are there,
and the model's thresholds are copied in for the "least certain" query.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from pipeline.store import Store

HERE = Path(__file__).resolve().parent
DATABASE = "archive"
HOST = "127.0.0.1"


def prepare_store(path: Path) -> None:
    """Migrate the store and copy the model card's thresholds into it."""
    from pipeline.classify import ModelError, read_card

    try:
        thresholds = read_card().get("thresholds", {})
    except ModelError:
        thresholds = {}
    with Store(path) as store:
        have = {r["theme"]: r["threshold"] for r in store.query(
            "SELECT theme, threshold FROM theme_thresholds")}
        if have != thresholds:
            with store.atomic() as db:
                db.execute("DELETE FROM theme_thresholds")
                db.executemany("INSERT INTO theme_thresholds(theme, threshold) VALUES (?, ?)",
                               sorted(thresholds.items()))


def metadata() -> dict:
    return yaml.safe_load((HERE / "metadata.yaml").read_text(encoding="utf-8"))


def make_datasette(path: Path):
    """A Datasette serving the store at ``path`` as ``archive``, configured from this package."""
    from datasette.app import Datasette
    from datasette.database import Database

    ds = Datasette(
        metadata=metadata(),
        template_dir=str(HERE / "templates"),
        plugins_dir=str(HERE / "plugins"),
        settings={"sql_time_limit_ms": 5000, "facet_time_limit_ms": 2000,
                  "default_page_size": 50, "allow_download": False},
    )
    ds.remove_database("_memory")
    ds.add_database(Database(ds, path=str(path), is_mutable=True), name=DATABASE)
    return ds


def serve(path: Path, port: int) -> None:
    """Serve until interrupted."""
    import uvicorn

    prepare_store(path)
    ds = make_datasette(path)
    asyncio.run(ds.invoke_startup())
    print(f"browse the archive at http://{HOST}:{port}/{DATABASE}/archive (Ctrl-C stops)",
          flush=True)
    uvicorn.run(ds.app(), host=HOST, port=port, log_level="warning")


def free_port() -> int:
    """A port nothing listens on now, on ``HOST``."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextmanager
def running(path: Path, port: int | None = None, timeout: float = 120) -> Iterator:
    """``python -m pipeline browse`` over ``path`` in a child process, for the
    screenshots, the search bench and the tests: an ``httpx.Client`` on it once
    it answers; the server is stopped on the way out. A server that exits
    before it answers is a ``RuntimeError`` with what it printed."""
    import httpx

    port = port or free_port()
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen([sys.executable, "-m", "pipeline", "browse", "--db", str(path),
                                 "--port", str(port)], cwd=HERE.parents[1], stdout=log,
                                stderr=subprocess.STDOUT, text=True)
        client = httpx.Client(base_url=f"http://{HOST}:{port}", timeout=timeout)
        try:
            for _ in range(600):  # the server's start-up: spaCy, the store's migrations
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"browse exited {proc.returncode}: {log.read()}")
                try:
                    if client.get("/-/versions.json").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            yield client
        finally:
            client.close()
            proc.terminate()
            proc.wait(timeout=30)
