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

from pipeline.sample_site import FaultPlan, SampleServer, build_site


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
