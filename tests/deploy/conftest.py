"""Fixtures: nginx (Debian's package) in front of `nn-playground serve` processes, all on loopback.

Without nginx the tests skip, except in CI (``CI`` set), where `make test`
installs it and a missing nginx is a failure, never a silent skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.deploy.nginx import Nginx, nginx_binary
from tests.servers import ServerProcess

# Ten frames a second per page: 40 pages stay well within two shared cores, and a stall
# of a second is still ten missed frames.
# Every test page comes from 127.0.0.1, so the per-address limits (which keep one client from
# filling a process) are raised to let 40 pages of one "client" move at once.
BACKEND_ENV = {"NNP_MAX_FPS": "10", "NNP_MAX_SESSIONS_PER_CLIENT": "200", "NNP_MAX_WAITING_PER_CLIENT": "200"}


@pytest.fixture(scope="session")
def nginx_path() -> str:
    binary = nginx_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing in CI: `make test` installs it (the `nginx` target)")
        pytest.skip("nginx is not installed (`make nginx` or apt-get install nginx); CI never skips this")
    return binary


class Cluster:
    """Backends (``serve`` processes) and the nginx in front of them; all stopped on exit."""

    def __init__(self, nginx_path: str, backends: int, workdir: Path) -> None:
        self.backends = [ServerProcess(env=BACKEND_ENV) for _ in range(backends)]
        self.nginx = Nginx(nginx_path, [f"127.0.0.1:{b.port}" for b in self.backends], workdir)

    def __enter__(self) -> Cluster:
        with ExitStack() as stack:  # a start that fails stops what had started
            for backend in self.backends:
                stack.enter_context(backend)
            stack.enter_context(self.nginx)
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


@pytest.fixture
def two_backends(nginx_path: str, tmp_path: Path) -> Iterator[Cluster]:
    with Cluster(nginx_path, 2, tmp_path / "nginx") as cluster:
        yield cluster


@pytest.fixture
def one_backend(nginx_path: str, tmp_path: Path) -> Iterator[Cluster]:
    with Cluster(nginx_path, 1, tmp_path / "nginx") as cluster:
        yield cluster
