"""Shared fixtures: the sample site built once per session, and servers on it.

``sample_site_dir``: the sample site (pipeline/sample_site) built from the
repo's gold corpus into a temporary directory, once per test session.
``sample_server``: a running ``SampleServer`` on it without faults (fresh per
test, so its ``.requests`` log holds only that test's requests).
``make_sample_server(faults=None, root=None)``: a factory for servers with a
``FaultPlan``; every server it made is stopped after the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as _hypothesis_settings

from pipeline.sample_site import FaultPlan, SampleServer, build_site

# Property tests run the same examples on every run (CI included): a failure
# found is reproducible, and no run fails on a draw the previous one missed.
_hypothesis_settings.register_profile("repeatable", derandomize=True)
_hypothesis_settings.load_profile("repeatable")


@pytest.fixture(scope="session")
def sample_site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample_site")
    build_site(out)
    return out


@pytest.fixture
def sample_server(sample_site_dir: Path) -> Iterator[SampleServer]:
    with SampleServer(sample_site_dir) as server:
        yield server


@pytest.fixture
def make_sample_server(
    sample_site_dir: Path,
) -> Iterator[Callable[..., SampleServer]]:
    servers: list[SampleServer] = []

    def make(faults: FaultPlan | None = None, root: Path | None = None) -> SampleServer:
        server = SampleServer(root or sample_site_dir, faults=faults).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def read_only_store(tmp_path: Path) -> Iterator[Path]:
    """A store file nobody may write: mode 0444, and immutable when we run as root
    (root ignores the mode bits, so CI, which runs as root, would test nothing)."""
    import os
    import subprocess

    from pipeline.records import Release
    from pipeline.store import Store

    path = tmp_path / "ro.db"
    with Store(path) as store:
        store.upsert_release(Release(id="r1", title="A title", body="A body."))
    path.chmod(0o444)
    immutable = False
    if os.geteuid() == 0:
        immutable = subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0
        if not immutable:
            pytest.skip("running as root without chattr: cannot make a file read-only")
    try:
        yield path
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o644)
