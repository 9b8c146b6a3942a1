"""Once per run, before any test: compile the engine's kernels (or load them from Numba's cache).

On a fresh machine the first compile takes half a minute. Paid here, it is
counted once in the run's time, and every server a test starts afterwards
(in this process or a child, which loads the cache) starts in a second.
"""

from __future__ import annotations

import pytest

from app.config import AppSettings
from app.main import warm_up


@pytest.fixture(scope="session", autouse=True)
def compiled_engine() -> None:
    warm_up(AppSettings().thumbnail)
